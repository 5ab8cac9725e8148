import { beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../../../protocol/ids.js';
import {
  createBill,
  idempotencyFor,
  type PaymentWorld,
  paymentFor,
  seedWorld,
  T0,
  walk,
} from '../../testing/payment-fixtures.js';
import type { PaymentRecord, RefundRecord } from '../records.js';
import { storePerTest } from './payment-stores.js';
import { forEachStore } from './stores.js';

function refundOf(p: PaymentRecord, amountFen: number, over: Partial<RefundRecord> = {}): RefundRecord {
  const at = over.createdAt ?? T0 + 1000;
  return {
    id: newId('rfd', at),
    paymentId: p.id,
    amountFen,
    reason: '重复缴费',
    state: 'pending',
    idempotencyKey: newId('k', at),
    requestHash: 'rh',
    createdBy: 'adm_1',
    createdAt: at,
    completedAt: null,
    gatewayRef: null,
    ...over,
  };
}

forEachStore((open) => {
  describe('refunds', () => {
    const store = storePerTest(open);
    let world: PaymentWorld;
    let closed: PaymentRecord;
    beforeEach(async () => {
      const repo = store();
      world = await seedWorld(repo);
      const bill = await createBill(repo, world, { amountFen: 1000 });
      const p = paymentFor(bill);
      await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'device:x');
      closed = await walk(repo, p, ['authorized', 'posted', 'captured', 'receipted', 'closed']);
    });

    it('createPending stores the refund and moves the payment to refund_pending with its audit row', async () => {
      const repo = store();
      const f = refundOf(closed, 400);
      const res = await repo.refunds.createPending({
        refund: f,
        from: 'closed',
        at: T0 + 1000,
        actor: 'admin:a',
      });
      expect(res).toEqual({ created: true, refund: f });
      expect(await repo.refunds.get(f.id)).toEqual(f);
      expect(await repo.refunds.findByKey('adm_1', f.idempotencyKey)).toEqual(f);
      expect(await repo.refunds.findByKey('adm_2', f.idempotencyKey)).toBeUndefined();
      const p = await repo.payments.get(closed.id);
      expect(p).toMatchObject({ state: 'refund_pending', updatedAt: T0 + 1000, refundedFen: 0 });
      expect((await repo.payments.listTransitions(closed.id)).at(-1)).toEqual({
        paymentId: closed.id,
        from: 'closed',
        to: 'refund_pending',
        at: T0 + 1000,
        actor: 'admin:a',
        detail: { refundId: f.id, amountFen: 400, reason: '重复缴费' },
      });
    });

    it('refuses a payment no longer in the expected state, writing nothing', async () => {
      const repo = store();
      const f = refundOf(closed, 100);
      expect(
        await repo.refunds.createPending({ refund: f, from: 'receipted', at: T0 + 1000, actor: 'a' }),
      ).toEqual({
        created: false,
        reason: 'state',
      });
      const ghost = refundOf({ ...closed, id: 'pay_missing' }, 100);
      expect(await repo.refunds.createPending({ refund: ghost, from: 'closed', at: T0, actor: 'a' })).toEqual(
        {
          created: false,
          reason: 'state',
        },
      );
      expect(await repo.refunds.get(f.id)).toBeUndefined();
      expect((await repo.payments.get(closed.id))?.state).toBe('closed');
    });

    it('refuses a refund that would take pending + succeeded refunds past the amount', async () => {
      const repo = store();
      expect(
        await repo.refunds.createPending({
          refund: refundOf(closed, 1001),
          from: 'closed',
          at: T0,
          actor: 'a',
        }),
      ).toEqual({ created: false, reason: 'too_large' });
      const first = refundOf(closed, 700);
      await repo.refunds.createPending({ refund: first, from: 'closed', at: T0 + 1000, actor: 'a' });
      // Pending counts: with 700 pending, 400 more would be 1100.
      expect(
        await repo.refunds.createPending({
          refund: refundOf(closed, 400),
          from: 'refund_pending',
          at: T0 + 1001,
          actor: 'a',
        }),
      ).toEqual({ created: false, reason: 'too_large' });
      const refunded = await repo.refunds.complete(first.id, 'gw-1', T0 + 1100);
      // Succeeded counts too; exactly the rest is allowed.
      expect(
        await repo.refunds.createPending({
          refund: refundOf(closed, 301, { createdAt: T0 + 1200 }),
          from: 'refunded',
          at: T0 + 1200,
          actor: 'a',
        }),
      ).toEqual({ created: false, reason: 'too_large' });
      const rest = refundOf(closed, 300, { createdAt: T0 + 1200 });
      expect(
        await repo.refunds.createPending({ refund: rest, from: refunded!.state, at: T0 + 1200, actor: 'a' }),
      ).toEqual({ created: true, refund: rest });
      expect((await repo.refunds.listForPayment(closed.id)).map((f) => f.amountFen)).toEqual([700, 300]);
    });

    it('the same admin and key returns the refund that holds it, whatever the payment state now', async () => {
      const repo = store();
      const f = refundOf(closed, 200);
      await repo.refunds.createPending({ refund: f, from: 'closed', at: T0 + 1000, actor: 'a' });
      const again = refundOf(closed, 250, { idempotencyKey: f.idempotencyKey });
      expect(
        await repo.refunds.createPending({ refund: again, from: 'closed', at: T0 + 1001, actor: 'a' }),
      ).toEqual({
        created: false,
        existing: f,
      });
      expect(await repo.refunds.get(again.id)).toBeUndefined();
      // Another admin may use the same key string.
      await repo.refunds.complete(f.id, 'gw', T0 + 1002);
      const byOther = refundOf(closed, 250, { idempotencyKey: f.idempotencyKey, createdBy: 'adm_2' });
      expect(
        (await repo.refunds.createPending({ refund: byOther, from: 'refunded', at: T0, actor: 'b' })).created,
      ).toBe(true);
    });

    it('complete succeeds once: refund succeeded, amount added, payment refunded, audit row', async () => {
      const repo = store();
      const f = refundOf(closed, 400);
      await repo.refunds.createPending({ refund: f, from: 'closed', at: T0 + 1000, actor: 'a' });
      const p = await repo.refunds.complete(f.id, 'gw-ref-1', T0 + 1100);
      expect(p).toEqual({ ...closed, state: 'refunded', refundedFen: 400, updatedAt: T0 + 1100 });
      expect(await repo.refunds.get(f.id)).toEqual({
        ...f,
        state: 'succeeded',
        completedAt: T0 + 1100,
        gatewayRef: 'gw-ref-1',
      });
      expect((await repo.payments.listTransitions(closed.id)).at(-1)).toEqual({
        paymentId: closed.id,
        from: 'refund_pending',
        to: 'refunded',
        at: T0 + 1100,
        actor: 'system',
        detail: { refundId: f.id, amountFen: 400, gatewayRef: 'gw-ref-1' },
      });
      const audits = (await repo.payments.listTransitions(closed.id)).length;
      expect(await repo.refunds.complete(f.id, 'gw-ref-2', T0 + 1200)).toBeUndefined();
      expect(await repo.refunds.complete('rfd_missing', 'gw', T0)).toBeUndefined();
      expect((await repo.payments.get(closed.id))?.refundedFen).toBe(400);
      expect((await repo.refunds.get(f.id))?.gatewayRef).toBe('gw-ref-1');
      expect(await repo.payments.listTransitions(closed.id)).toHaveLength(audits);
    });

    it('complete refuses (and keeps the refund pending) when the payment is not refund_pending', async () => {
      const repo = store();
      const f = refundOf(closed, 100);
      await repo.refunds.createPending({ refund: f, from: 'closed', at: T0 + 1000, actor: 'a' });
      await repo.payments.transition({
        paymentId: closed.id,
        from: 'refund_pending',
        to: 'closed',
        at: T0 + 1001,
        actor: 's',
      });
      await expect(repo.refunds.complete(f.id, 'gw', T0 + 1002)).rejects.toThrow(/refund_pending/);
      expect((await repo.refunds.get(f.id))?.state).toBe('pending');
      expect((await repo.payments.get(closed.id))?.refundedFen).toBe(0);
    });

    it('lists refunds of a payment and pending refunds oldest first', async () => {
      const repo = store();
      const bill = await createBill(repo, world, { amountFen: 1000 });
      const p2 = paymentFor(bill);
      await repo.payments.createWithIdempotency(p2, idempotencyFor(p2), 'device:x');
      const closed2 = await walk(repo, p2, ['authorized', 'posted', 'captured', 'receipted', 'closed']);
      const late = refundOf(closed, 100, { createdAt: T0 + 3000 });
      const early = refundOf(closed2, 100, { createdAt: T0 + 2000 });
      await repo.refunds.createPending({ refund: late, from: 'closed', at: T0 + 3000, actor: 'a' });
      await repo.refunds.createPending({ refund: early, from: 'closed', at: T0 + 2000, actor: 'a' });
      expect((await repo.refunds.listPending(10)).map((f) => f.id)).toEqual([early.id, late.id]);
      expect((await repo.refunds.listPending(1)).map((f) => f.id)).toEqual([early.id]);
      await repo.refunds.complete(early.id, 'gw', T0 + 4000);
      expect((await repo.refunds.listPending(10)).map((f) => f.id)).toEqual([late.id]);
      expect(await repo.refunds.listForPayment(closed2.id)).toEqual([
        { ...early, state: 'succeeded', completedAt: T0 + 4000, gatewayRef: 'gw' },
      ]);
      expect(await repo.refunds.listForPayment('pay_missing')).toEqual([]);
    });
  });
});
