import { beforeEach, describe, expect, it } from 'vitest';
import { type PaymentWorld, seedWorld, T0 } from '../../testing/payment-fixtures.js';
import type { CardRecord } from '../records.js';
import { storePerTest } from './payment-stores.js';
import { forEachStore } from './stores.js';

function card(nodeId: string, over: Partial<CardRecord> = {}): CardRecord {
  return {
    id: `card_${Math.random().toString(36).slice(2, 12)}`,
    nodeId,
    cardUid: '04A1B2C3',
    label: '3-2-501',
    accounts: [
      { billerId: 'water', account: '0101234567' },
      { billerId: 'electricity', account: '0207654321' },
    ],
    createdBy: 'adm_1',
    createdAt: T0,
    updatedAt: T0,
    revokedAt: null,
    ...over,
  };
}

forEachStore((open) => {
  describe('cards', () => {
    const store = storePerTest(open);
    let world: PaymentWorld;
    beforeEach(async () => {
      world = await seedWorld(store());
    });

    it('upsert creates a card with its accounts in the order entered (a repeated account once)', async () => {
      const repo = store();
      const c = card(world.communityIds[0], {
        accounts: [
          { billerId: 'gas', account: '0300000003' },
          { billerId: 'water', account: '0101234567' },
          { billerId: 'gas', account: '0300000003' },
        ],
      });
      const saved = await repo.cards.upsert(c);
      expect(saved).toEqual({ ...c, accounts: c.accounts.slice(0, 2) });
      expect(await repo.cards.get(c.id)).toEqual(saved);
      expect(await repo.cards.findActive(c.nodeId, c.cardUid)).toEqual(saved);
      expect(await repo.cards.findActive(world.communityIds[1], c.cardUid)).toBeUndefined();
      expect(await repo.cards.get('card_missing')).toBeUndefined();
    });

    it('upsert of an active UID replaces label and accounts of that card, keeping its id and creation', async () => {
      const repo = store();
      const first = await repo.cards.upsert(card(world.communityIds[0]));
      const again = await repo.cards.upsert(
        card(world.communityIds[0], {
          label: '3-2-502',
          accounts: [{ billerId: 'property', account: '0409999999' }],
          createdBy: 'adm_2',
          createdAt: T0 + 500,
          updatedAt: T0 + 500,
        }),
      );
      expect(again).toEqual({
        ...first,
        label: '3-2-502',
        accounts: [{ billerId: 'property', account: '0409999999' }],
        updatedAt: T0 + 500,
      });
      expect(await repo.cards.listForNodes([world.communityIds[0]])).toEqual([again]);
    });

    it('revoke ends a card once; the UID can then be issued again as a new card', async () => {
      const repo = store();
      const first = await repo.cards.upsert(card(world.communityIds[0]));
      expect(await repo.cards.revoke(first.id, T0 + 10)).toBe(true);
      expect(await repo.cards.revoke(first.id, T0 + 20)).toBe(false);
      expect(await repo.cards.revoke('card_missing', T0 + 20)).toBe(false);
      expect(await repo.cards.get(first.id)).toMatchObject({ revokedAt: T0 + 10, updatedAt: T0 + 10 });
      expect(await repo.cards.findActive(first.nodeId, first.cardUid)).toBeUndefined();
      const reissued = await repo.cards.upsert(
        card(world.communityIds[0], { label: 'new', createdAt: T0 + 30 }),
      );
      expect(reissued.id).not.toBe(first.id);
      expect(await repo.cards.findActive(first.nodeId, first.cardUid)).toEqual(reissued);
      expect((await repo.cards.get(first.id))?.revokedAt).toBe(T0 + 10);
    });

    it('listForNodes: active cards of those nodes, oldest first', async () => {
      const repo = store();
      const [a, b] = world.communityIds;
      const late = await repo.cards.upsert(card(a, { cardUid: 'U1', createdAt: T0 + 30 }));
      const early = await repo.cards.upsert(card(b, { cardUid: 'U1', createdAt: T0 + 10 }));
      const mid = await repo.cards.upsert(card(a, { cardUid: 'U2', createdAt: T0 + 20, accounts: [] }));
      const gone = await repo.cards.upsert(card(a, { cardUid: 'U3', createdAt: T0 + 5 }));
      await repo.cards.revoke(gone.id, T0 + 40);
      expect(await repo.cards.listForNodes([a, b])).toEqual([early, mid, late]);
      expect(await repo.cards.listForNodes([a])).toEqual([mid, late]);
      expect(mid.accounts).toEqual([]);
      expect(await repo.cards.listForNodes([world.cityId])).toEqual([]);
      expect(await repo.cards.listForNodes([])).toEqual([]);
    });

    it('concurrent upserts of one UID end with one active card', async () => {
      const repo = store();
      const saved = await Promise.all(
        ['a', 'b', 'c', 'd'].map((label) => repo.cards.upsert(card(world.communityIds[0], { label }))),
      );
      expect(new Set(saved.map((c) => c.id)).size).toBe(1);
      const active = await repo.cards.listForNodes([world.communityIds[0]]);
      expect(active).toHaveLength(1);
      expect(active[0]!.accounts).toHaveLength(2);
    });
  });
});
