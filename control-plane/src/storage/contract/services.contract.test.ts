import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../../../protocol/ids.js';
import { type ContentWorld, matterRecord, seedWorld } from '../../testing/content-fixtures.js';
import { officeBody } from '../../testing/service-fixtures.js';
import type { Repository } from '../repository.js';
import type { CategoryRecord, ServiceAuditInput } from '../services-records.js';
import { forEachStore } from './stores.js';

forEachStore((open) => {
  describe('ServiceRepository', () => {
    let repo: Repository;
    let w: ContentWorld;
    beforeEach(async () => {
      repo = await open();
      w = await seedWorld(repo);
    });
    // Closed after each test, not only at the end: a pool per test would otherwise pile up connections.
    afterEach(() => repo.close());

    const now = 1_700_000_000_000;
    const audit = (
      entity: ServiceAuditInput['entity'],
      entityId: string,
      action: ServiceAuditInput['action'] = 'create',
    ) => ({
      at: now,
      actor: `admin:${w.adminId}`,
      action,
      entity,
      entityId,
      detail: { n: 1 },
    });
    const cat = (id: string, order: number, patch: Partial<CategoryRecord> = {}): CategoryRecord => ({
      id,
      name: { zh: id, en: id.toUpperCase() },
      icon: id,
      order,
      createdAt: now,
      updatedAt: now,
      ...patch,
    });

    it('keeps categories in order, refuses a duplicate id and audits every change', async () => {
      expect(await repo.services.isPristine()).toBe(true);
      expect(await repo.services.createCategory(cat('b', 2), audit('category', 'b'))).toBe(true);
      expect(await repo.services.createCategory(cat('a', 2), audit('category', 'a'))).toBe(true);
      expect(await repo.services.createCategory(cat('c', 1), audit('category', 'c'))).toBe(true);
      expect(await repo.services.isPristine()).toBe(false);
      expect(await repo.services.createCategory(cat('a', 9), audit('category', 'a'))).toBe(false);
      expect((await repo.services.listCategories()).map((c) => c.id)).toEqual(['c', 'a', 'b']);
      const changed = cat('a', 7, { name: { zh: '新' }, updatedAt: now + 1 });
      expect(await repo.services.updateCategory(changed, audit('category', 'a', 'update'))).toBe(true);
      expect(await repo.services.getCategory('a')).toEqual(changed);
      expect(await repo.services.updateCategory(cat('zz', 1), audit('category', 'zz', 'update'))).toBe(false);
      expect(await repo.services.getCategory('zz')).toBeUndefined();
      const rows = await repo.services.listAudit('category', 'a');
      expect(rows.map((r) => r.action)).toEqual(['create', 'update']);
      expect(rows[0]).toMatchObject({
        at: now,
        actor: `admin:${w.adminId}`,
        entity: 'category',
        entityId: 'a',
        detail: { n: 1 },
      });
      expect(await repo.services.listAudit('category', 'zz')).toEqual([]);
    });

    it('deletes a category only when no live matter uses it', async () => {
      await repo.services.createCategory(cat('elderly', 1), audit('category', 'elderly'));
      const m = matterRecord(newId('svc'), w.nodeId, undefined, now);
      await repo.services.saveMatter(m, audit('matter', m.matter.id));
      expect(await repo.services.countMattersByCategory()).toEqual(new Map([['elderly', 1]]));
      expect(await repo.services.deleteCategory('elderly', audit('category', 'elderly', 'delete'))).toBe(
        'in_use',
      );
      expect(
        await repo.services.deleteMatter(m.matter.id, now + 5, audit('matter', m.matter.id, 'delete')),
      ).toBe(true);
      expect(
        await repo.services.deleteMatter(m.matter.id, now + 6, audit('matter', m.matter.id, 'delete')),
      ).toBe(false);
      expect(await repo.services.getMatter(m.matter.id)).toBeUndefined();
      expect(await repo.services.countMattersByCategory()).toEqual(new Map());
      expect(await repo.services.deleteCategory('elderly', audit('category', 'elderly', 'delete'))).toBe(
        'deleted',
      );
      expect(await repo.services.deleteCategory('elderly', audit('category', 'elderly', 'delete'))).toBe(
        'missing',
      );
      expect((await repo.services.listAudit('category', 'elderly')).map((r) => r.action)).toEqual([
        'create',
        'delete',
      ]);
      expect((await repo.services.listAudit('matter', m.matter.id)).map((r) => r.action)).toEqual([
        'create',
        'delete',
      ]);
    });

    it('saves, replaces, lists and soft-deletes matters and offices', async () => {
      await repo.services.createCategory(cat('elderly', 1), audit('category', 'elderly'));
      const officeId = newId('ofc');
      const { nodeId: _n, ...body } = officeBody(w.nodeId);
      const o = { office: { id: officeId, nodeId: w.nodeId, ...body }, createdAt: now, updatedAt: now };
      await repo.services.saveOffice(o, audit('office', officeId));
      expect(await repo.services.getOffice(officeId)).toEqual(o);
      const renamed = { ...o, office: { ...o.office, phone: '021-0000' }, updatedAt: now + 1 };
      await repo.services.saveOffice(
        { ...renamed, createdAt: now + 99 },
        audit('office', officeId, 'update'),
      );
      expect(await repo.services.getOffice(officeId)).toEqual(renamed);
      expect(await repo.services.getOffices([officeId, 'ofc_none'])).toEqual([renamed]);
      expect(await repo.services.getOffices([])).toEqual([]);
      expect(await repo.services.listOfficesForNodes([w.nodeId])).toEqual([renamed]);
      expect(await repo.services.listOfficesForNodes([w.otherNodeId])).toEqual([]);

      const m1 = matterRecord(newId('svc'), w.nodeId, officeId, now);
      const m2 = { ...matterRecord(newId('svc'), w.otherNodeId, undefined, now) };
      m2.matter = { ...m2.matter, order: 0 };
      await repo.services.saveMatter(m1, audit('matter', m1.matter.id));
      await repo.services.saveMatter(m2, audit('matter', m2.matter.id));
      expect(await repo.services.getMatter(m1.matter.id)).toEqual(m1);
      expect(
        (await repo.services.listMattersForNodes([w.nodeId, w.otherNodeId])).map((m) => m.matter.id),
      ).toEqual([m2.matter.id, m1.matter.id]);
      expect(await repo.services.listMattersForNodes([])).toEqual([]);
      expect(await repo.services.listMattersForOffice(officeId)).toEqual([m1]);
      const edited = {
        ...m1,
        matter: { ...m1.matter, name: { zh: '改' } },
        updatedBy: 'other',
        updatedAt: now + 2,
      };
      await repo.services.saveMatter(
        { ...edited, createdBy: 'ignored', createdAt: 1 },
        audit('matter', m1.matter.id, 'update'),
      );
      expect(await repo.services.getMatter(m1.matter.id)).toEqual(edited);

      expect(await repo.services.deleteOffice(officeId, now + 3, audit('office', officeId, 'delete'))).toBe(
        true,
      );
      expect(await repo.services.deleteOffice(officeId, now + 4, audit('office', officeId, 'delete'))).toBe(
        false,
      );
      expect(await repo.services.getOffice(officeId)).toBeUndefined();
      expect(await repo.services.listOfficesForNodes([w.nodeId])).toEqual([]);
      expect((await repo.services.listAudit('office', officeId)).map((r) => r.action)).toEqual([
        'create',
        'update',
        'delete',
      ]);
    });

    it('keeps every audit row of concurrent changes, each with its own seq', async () => {
      await repo.services.createCategory(cat('a', 1), audit('category', 'a'));
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          repo.services.updateCategory(cat('a', i, { updatedAt: now + i }), audit('category', 'a', 'update')),
        ),
      );
      const rows = await repo.services.listAudit('category', 'a');
      expect(rows).toHaveLength(31);
      expect(new Set(rows.map((r) => r.seq)).size).toBe(31);
      expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((x, y) => x - y));
    });
  });
});
