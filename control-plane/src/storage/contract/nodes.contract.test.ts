import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { Repository } from '../repository.js';
import { addNode, T0 } from './fixtures.js';
import { forEachStore } from './stores.js';

forEachStore((open) => {
  describe('nodes', () => {
    it('round-trips a node with its ancestry', async () => {
      const repo = await open();
      const city = await addNode(repo, '测试市');
      const district = await addNode(repo, '东区', city);
      expect(await repo.nodes.get(district.id)).toEqual(district);
      expect((await repo.nodes.get(district.id))?.ancestry).toEqual([city.id, district.id]);
      expect(await repo.nodes.get('node_00000000000000000000000000')).toBeUndefined();
      expect(await repo.nodes.count()).toBe(2);
    });

    it('refuses a second child of the same name under one parent (LINLI_ERR_CONFLICT), and two roots too', async () => {
      const repo = await open();
      const city = await addNode(repo, '测试市');
      await addNode(repo, '东区', city);
      await expect(addNode(repo, '东区', city)).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
      // A NULL parent is still "the same parent": the city name is unique among roots.
      await expect(addNode(repo, '测试市')).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
      // The same name under another parent is fine.
      const west = await addNode(repo, '西区', city);
      await addNode(repo, '东区', west);
      expect(await repo.nodes.count()).toBe(4);
    });

    it('lists a subtree by depth then name, without the siblings whose id shares a prefix', async () => {
      const repo = await open();
      const city = await addNode(repo, '市');
      const b = await addNode(repo, 'b-district', city);
      const a = await addNode(repo, 'a-district', city);
      const bz = await addNode(repo, 'z-street', b);
      const ba = await addNode(repo, 'a-street', b);
      const bac = await addNode(repo, 'community', ba);
      const am = await addNode(repo, 'm-street', a);
      const names = (nodes: { id: string }[]) => nodes.map((n) => n.id);

      expect(names(await repo.nodes.listSubtree(city.id))).toEqual([
        city.id,
        a.id,
        b.id,
        // Depth 3 by name across parents: a-street (under b), m-street (under a), z-street (under b).
        ba.id,
        am.id,
        bz.id,
        bac.id,
      ]);
      expect(names(await repo.nodes.listSubtree(b.id))).toEqual([b.id, ba.id, bz.id, bac.id]);
      expect(names(await repo.nodes.listSubtree(bac.id))).toEqual([bac.id]);
      expect(await repo.nodes.listSubtree('node_nope')).toEqual([]);
    });

    it('orders names bytewise on both stores (upper case before lower, ASCII before CJK)', async () => {
      const repo = await open();
      const city = await addNode(repo, '市');
      for (const n of ['b', 'B', 'a', '东', 'A']) await addNode(repo, n, city);
      expect((await repo.nodes.listChildren(city.id)).map((n) => n.name)).toEqual(['A', 'B', 'a', 'b', '东']);
      expect((await repo.nodes.listSubtree(city.id)).map((n) => n.name)).toEqual([
        '市',
        'A',
        'B',
        'a',
        'b',
        '东',
      ]);
    });

    it('treats _ and % in ids as plain characters in subtree queries', async () => {
      const repo = await open();
      // Hand-made ids: "n_1" must not match "nX1" as a LIKE pattern would.
      const mk = async (id: string, name: string, parent: { id: string; ancestry: string[] } | null) => {
        const node = {
          id,
          parentId: parent?.id ?? null,
          level: parent ? ('district' as const) : ('city' as const),
          name,
          timezone: 'Asia/Shanghai',
          ancestry: [...(parent?.ancestry ?? []), id],
          createdAt: T0,
        };
        await repo.nodes.create(node);
        return node;
      };
      const r1 = await mk('n_1', 'one', null);
      const r2 = await mk('nX1', 'other', null);
      await mk('n%2', 'child', r1);
      await mk('nX2', 'child', r2);
      expect((await repo.nodes.listSubtree('n_1')).map((n) => n.id)).toEqual(['n_1', 'n%2']);
      expect((await repo.nodes.listSubtree('nX1')).map((n) => n.id)).toEqual(['nX1', 'nX2']);
    });

    it('gets many, lists children and roots', async () => {
      const repo: Repository = await open();
      const city = await addNode(repo, '市', undefined, T0);
      const later = await addNode(repo, '另一市', undefined, T0 + 5);
      const d1 = await addNode(repo, 'd1', city);
      await addNode(repo, 's1', d1);
      const got = await repo.nodes.getMany([d1.id, city.id, 'node_missing']);
      expect(got.map((n) => n.id).sort()).toEqual([city.id, d1.id].sort());
      expect(await repo.nodes.getMany([])).toEqual([]);
      expect((await repo.nodes.listChildren(city.id)).map((n) => n.id)).toEqual([d1.id]);
      expect(await repo.nodes.listChildren(later.id)).toEqual([]);
      expect((await repo.nodes.listRoots()).map((n) => n.id)).toEqual([city.id, later.id]);
    });
  });
});
