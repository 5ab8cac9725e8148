import { beforeEach, describe, expect, it } from 'vitest';
import {
  createBill,
  idempotencyFor,
  type PaymentWorld,
  paymentFor,
  seedWorld,
  T0,
  walk,
} from '../../testing/payment-fixtures.js';
import { overlapped, race } from '../../testing/race-workers.js';
import type { BillRecord } from '../records.js';
import { storePerTest } from './payment-stores.js';
import { forEachStore, locationOf } from './stores.js';

/**
 * Two OS processes, each with its own connection (pool), writing the same payments at once: what several
 * control-plane instances on one database do. Many rounds per run, so the writes really overlap.
 */
const ROUNDS = 100;

forEachStore((open) => {
  describe('payments across processes', () => {
    const store = storePerTest(open);
    let world: PaymentWorld;
    let bill: BillRecord;
    beforeEach(async () => {
      world = await seedWorld(store());
      bill = await createBill(store(), world, { amountFen: 1000 });
    });

    it('two processes creating with the same device and key: one payment per key, both see it', async () => {
      const repo = store();
      const where = locationOf(repo);
      const templates = Array.from({ length: ROUNDS }, (_, i) =>
        paymentFor(bill, { idempotencyKey: `race-${i}`, createdAt: T0 + i }),
      );
      type Seen = { key: string; created: boolean; paymentId: string }[];
      const runs = await race<Seen>('create', where, { templates });
      expect(overlapped(runs)).toBe(true);
      const [a, b] = runs.map((r) => r.result);
      expect(await repo.payments.count()).toBe(templates.length);
      for (const [i, t] of templates.entries()) {
        const x = a![i]!;
        const y = b![i]!;
        expect([x.key, y.key]).toEqual([t.idempotencyKey, t.idempotencyKey]);
        expect(x.paymentId).toBe(y.paymentId);
        expect(Number(x.created) + Number(y.created)).toBe(1);
        const idem = await repo.payments.findIdempotency(world.deviceId, t.idempotencyKey);
        expect(idem?.paymentId).toBe(x.paymentId);
        expect(await repo.payments.listTransitions(x.paymentId)).toHaveLength(1);
      }
    }, 120_000);

    it('two processes racing the same transition: exactly one wins and one audit row is written', async () => {
      const repo = store();
      const where = locationOf(repo);
      const ids: string[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const p = paymentFor(bill, { createdAt: T0 + i });
        await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'device:x');
        ids.push(p.id);
      }
      const runs = await race<string[]>('transition', where, { paymentIds: ids });
      expect(overlapped(runs)).toBe(true);
      const [a, b] = runs.map((r) => r.result);
      expect([...a!, ...b!].sort()).toEqual([...ids].sort());
      expect(a!.filter((id) => b!.includes(id))).toEqual([]);
      for (const id of ids) {
        const audit = await repo.payments.listTransitions(id);
        expect(audit.map((t) => t.to)).toEqual(['created', 'presented']);
        const p = await repo.payments.get(id);
        expect(p?.state).toBe('presented');
        // The patch and the audit row come from the same (winning) process.
        expect(`worker:${p?.terminalTxnId?.slice(4)}`).toBe(audit[1]!.actor);
      }
    }, 120_000);

    it('two processes refunding one payment at once never refund more than its amount', async () => {
      const repo = store();
      const where = locationOf(repo);
      const p = paymentFor(bill);
      await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'device:x');
      await walk(repo, p, ['authorized', 'posted', 'captured', 'receipted', 'closed']);
      type R = { created: number; completed: number; state: number; tooLarge: number; errors: string[] };
      const runs = await race<R>('refund', where, { paymentId: p.id, amountFen: 150, maxRounds: 400 });
      expect(overlapped(runs)).toBe(true);
      const results = runs.map((r) => r.result);
      for (const r of results) expect(r.errors).toEqual([]);
      const refunds = await repo.refunds.listForPayment(p.id);
      const total = refunds.reduce((s, f) => s + f.amountFen, 0);
      // 6 × 150 = 900 fit in 1000; the 7th never may. Both processes ran into the limit.
      expect(total).toBe(900);
      expect(refunds).toHaveLength(6);
      expect(results.reduce((s, r) => s + r.created, 0)).toBe(6);
      for (const r of results) expect(r.tooLarge).toBe(1);
      const after = await repo.payments.get(p.id);
      const succeeded = refunds.filter((f) => f.state === 'succeeded').reduce((s, f) => s + f.amountFen, 0);
      expect(after?.refundedFen).toBe(succeeded);
      // Every refund has exactly its own refund_pending row and at most one refunded row.
      const audit = await repo.payments.listTransitions(p.id);
      expect(audit.filter((t) => t.to === 'refund_pending')).toHaveLength(6);
      expect(audit.filter((t) => t.to === 'refunded')).toHaveLength(
        refunds.filter((f) => f.state === 'succeeded').length,
      );
    }, 120_000);

    it('two processes receiving the same wallet notifications: each event is recorded once', async () => {
      const repo = store();
      const eventIds = Array.from({ length: ROUNDS }, (_, i) => `evt-race-${i}`);
      const runs = await race<string[]>('events', locationOf(repo), { eventIds });
      expect(overlapped(runs)).toBe(true);
      const [a, b] = runs.map((r) => r.result);
      expect([...a!, ...b!].sort()).toEqual([...eventIds].sort());
      expect(await repo.walletEvents.listUnprocessed(ROUNDS + 10)).toHaveLength(ROUNDS);
    }, 120_000);

    it('two processes saving the same cards: one active card per UID, label and accounts from one writer', async () => {
      const repo = store();
      const uids = Array.from({ length: ROUNDS }, (_, i) => `UID${String(i).padStart(4, '0')}`);
      const nodeId = world.communityIds[1];
      const runs = await race<string[]>('cards', locationOf(repo), { nodeId, uids });
      expect(overlapped(runs)).toBe(true);
      const [a, b] = runs.map((r) => r.result);
      const active = await repo.cards.listForNodes([nodeId]);
      expect(active).toHaveLength(ROUNDS);
      for (const [i, uid] of uids.entries()) {
        const card = active.find((c) => c.cardUid === uid)!;
        expect(a![i]).toBe(card.id);
        expect(b![i]).toBe(card.id);
        // Never a mix of both writers' accounts: the last upsert replaced them whole.
        expect(card.accounts).toEqual([
          { billerId: 'water', account: `01${card.label!.slice(4).padStart(8, '0')}` },
        ]);
      }
    }, 120_000);
  });
});
