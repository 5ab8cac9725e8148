import type { Matter, Office, ServiceCatalogue } from '../../../../protocol/schemas/services.js';
import type { Repository } from '../../storage/repository.js';
import type { OfficeRecord } from '../../storage/services-records.js';
import { iso } from '../context.js';

/** Most offices a kiosk's catalogue carries (the schema's bound). */
const MAX_OFFICES = 20;

/**
 * The office of the kiosk's own community: the live office at the deepest node of its ancestry (the
 * community, or failing that the street above it), oldest first when a node has two.
 */
export async function homeOffice(
  repo: Repository,
  ancestry: readonly string[],
): Promise<OfficeRecord | undefined> {
  const offices = await repo.services.listOfficesForNodes(ancestry);
  let best: OfficeRecord | undefined;
  let depth = -1;
  for (const o of offices) {
    const d = ancestry.indexOf(o.office.nodeId);
    if (d > depth) {
      best = o;
      depth = d;
    }
  }
  return best;
}

const byOrder = <T extends { order: number; id: string }>(a: T, b: T) =>
  a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The `services` part of a kiosk's manifest: the matters published at its node or above, the categories they
 * use, and the offices they are handled at (its own community office first). Sorted and stamped with the
 * newest change among what it contains, so an unchanged catalogue serialises to the same bytes and no new
 * TUF metadata is signed.
 */
export async function catalogueFor(repo: Repository, ancestry: readonly string[]): Promise<ServiceCatalogue> {
  const matterRecords = await repo.services.listMattersForNodes(ancestry);
  const matters: Matter[] = matterRecords.map((m) => m.matter).sort(byOrder);
  const used = new Set(matters.map((m) => m.categoryId));
  const categoryRecords = (await repo.services.listCategories()).filter((c) => used.has(c.id));
  const home = await homeOffice(repo, ancestry);
  const named = [...new Set(matters.flatMap((m) => (m.officeId ? [m.officeId] : [])))]
    .filter((id) => id !== home?.office.id)
    .sort();
  const officeRecords = [...(home ? [home] : []), ...(await repo.services.getOffices(named))].slice(
    0,
    MAX_OFFICES,
  );
  const newest = Math.max(
    0,
    ...matterRecords.map((m) => m.updatedAt),
    ...categoryRecords.map((c) => c.updatedAt),
    ...officeRecords.map((o) => o.updatedAt),
  );
  return {
    categories: categoryRecords
      .map((c) => ({ id: c.id, name: c.name, icon: c.icon, order: c.order }))
      .sort(byOrder),
    matters,
    offices: officeRecords.map((o): Office => o.office),
    updatedAt: iso(newest),
  };
}
