import { newId } from '../../../../../protocol/ids.js';
import type { Repository } from '../../../storage/repository.js';
import { normaliseMatter } from '../catalogue-validation.js';
import { SEED_CATEGORIES } from './seed-categories.js';
import { CARE_MATTERS } from './seed-matters-care.js';
import { CIVIC_MATTERS } from './seed-matters-civic.js';

const ACTOR = 'system:first-start';

/**
 * First start: the city's service categories and a dozen city-wide matters (handled at each community's
 * office), so a new installation's kiosks have a catalogue to show. Runs only on a catalogue that was never
 * touched: once admins edit or delete, their choices stand across restarts.
 */
export async function ensureServiceSeed(repo: Repository, now: () => number): Promise<number> {
  if (!(await repo.services.isPristine())) return 0;
  const city = (await repo.nodes.listRoots())[0];
  if (!city) return 0;
  const at = now();
  for (const c of SEED_CATEGORIES) {
    await repo.services.createCategory(
      { ...c, createdAt: at, updatedAt: at },
      { at, actor: ACTOR, action: 'create', entity: 'category', entityId: c.id, detail: null },
    );
  }
  const matters = [...CARE_MATTERS, ...CIVIC_MATTERS];
  for (const m of matters) {
    const id = newId('svc', at);
    await repo.services.saveMatter(
      {
        matter: { id, ...normaliseMatter({ ...m, nodeId: city.id }) },
        nodeId: city.id,
        createdBy: ACTOR,
        updatedBy: ACTOR,
        createdAt: at,
        updatedAt: at,
      },
      { at, actor: ACTOR, action: 'create', entity: 'matter', entityId: id, detail: { nodeId: city.id } },
    );
  }
  return matters.length;
}
