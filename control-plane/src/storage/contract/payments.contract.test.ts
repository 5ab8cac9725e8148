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
import type { ReceiptRecord } from '../records.js';
import { storePerTest } from './payment-stores.js';
import { forEachStore } from './stores.js';

forEachStore((open) => {
  describe('payments', () => {
    const store = storePerTest(open);
    let world: PaymentWorld;
    beforeEach(async () => {
      world = await seedWorld(store());
    });

    it('creates a payment with its first audit row and idempotency record, and reads them back', async () => {
      const repo = store();
      const bill = await createBill(repo, world);
      const p = paymentFor(bill, { qrExpiresAt: T0 + 120_000, walletOrderId: 'wo_1' });
      const res = await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'device:x');
      expect(res).toEqual({ created: true, payment: p });
      expect(await repo.payments.get(p.id)).toEqual(p);
      expect(await repo.payments.count()).toBe(1);
      expect(await repo.payments.findByWalletOrder('wo_1')).toEqual(p);
      expect(await repo.payments.findByWalletOrder('wo_2')).toBeUndefined();
      expect(await repo.payments.findIdempotency(p.deviceId, p.idempotencyKey)).toEqual(idempotencyFor(p));
      expect(await repo.payments.findIdempotency(p.deviceId, 'other')).toBeUndefined();
      expect(await repo.payments.listTransitions(p.id)).toEqual([
        { paymentId: p.id, from: null, to: 'created', at: p.createdAt, actor: 'device:x', detail: null },
      ]);
      expect(await repo.payments.get('pay_missing')).toBeUndefined();
    });

    it('a second create with the same device and key writes nothing and returns the first record', async () => {
      const repo = store();
      const bill = await createBill(repo, world);
      const first = paymentFor(bill);
      await repo.payments.createWithIdempotency(first, idempotencyFor(first), 'device:x');
      const retry = paymentFor(bill, { idempotencyKey: first.idempotencyKey });
      const res = await repo.payments.createWithIdempotency(retry, idempotencyFor(retry, 'h2'), 'device:x');
      expect(res).toEqual({ created: false, existing: idempotencyFor(first) });
      expect(await repo.payments.count()).toBe(1);
      expect(await repo.payments.get(retry.id)).toBeUndefined();
      expect(await repo.payments.listTransitions(retry.id)).toEqual([]);
      // Another key is another payment.
      const other = paymentFor(bill);
      expect(
        (await repo.payments.createWithIdempotency(other, idempotencyFor(other), 'device:x')).created,
      ).toBe(true);
      expect(await repo.payments.count()).toBe(2);
    });

    it('a create colliding on something other than the key is an error, not a replay', async () => {
      const repo = store();
      const bill = await createBill(repo, world);
      const first = paymentFor(bill);
      await repo.payments.createWithIdempotency(first, idempotencyFor(first), 'device:x');
      const sameId = paymentFor(bill, { id: first.id });
      await expect(
        repo.payments.createWithIdempotency(sameId, idempotencyFor(sameId), 'device:x'),
      ).rejects.toThrow();
      expect(await repo.payments.findIdempotency(sameId.deviceId, sameId.idempotencyKey)).toBeUndefined();
      expect(await repo.payments.count()).toBe(1);
    });

    it('transition is a compare-and-set: the loser writes nothing', async () => {
      const repo = store();
      const bill = await createBill(repo, world);
      const p = paymentFor(bill);
      await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'device:x');
      const moved = await repo.payments.transition({
        paymentId: p.id,
        from: 'created',
        to: 'authorized',
        at: T0 + 50,
        actor: 'system',
        patch: { authCode: 'A1', maskedCard: '6222****1234', cardToken: 'tok', qrExpiresAt: null },
        detail: { terminal: 'T1' },
      });
      expect(moved).toEqual({
        ...p,
        state: 'authorized',
        authCode: 'A1',
        maskedCard: '6222****1234',
        cardToken: 'tok',
        updatedAt: T0 + 50,
      });
      const lost = await repo.payments.transition({
        paymentId: p.id,
        from: 'created',
        to: 'canceled',
        at: T0 + 60,
        actor: 'system',
        patch: { reason: 'late' },
      });
      expect(lost).toBeUndefined();
      expect(await repo.payments.get(p.id)).toEqual(moved);
      expect(await repo.payments.listTransitions(p.id)).toEqual([
        { paymentId: p.id, from: null, to: 'created', at: p.createdAt, actor: 'device:x', detail: null },
        {
          paymentId: p.id,
          from: 'created',
          to: 'authorized',
          at: T0 + 50,
          actor: 'system',
          detail: { terminal: 'T1' },
        },
      ]);
      expect(
        await repo.payments.transition({
          paymentId: 'pay_missing',
          from: 'created',
          to: 'presented',
          at: 1,
          actor: 's',
        }),
      ).toBeUndefined();
    });

    it('stores the receipt with the receipted transition, and neither when the transition loses or fails', async () => {
      const repo = store();
      const bill = await createBill(repo, world);
      const p = paymentFor(bill);
      await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'device:x');
      const captured = await walk(repo, p, ['authorized', 'posted', 'captured']);
      const receipt: ReceiptRecord = {
        id: 'rcp_1',
        paymentId: p.id,
        envelope: { payload: { id: 'rcp_1', amountFen: p.amountFen } as never, kid: 'k_test', sig: 'sig' },
        createdAt: T0 + 100,
      };
      const lost = await repo.payments.transition({
        paymentId: p.id,
        from: 'posted',
        to: 'receipted',
        at: T0 + 100,
        actor: 'system',
        receipt,
      });
      expect(lost).toBeUndefined();
      expect(await repo.receipts.getByPayment(p.id)).toBeUndefined();

      const receipted = await repo.payments.transition({
        paymentId: p.id,
        from: captured.state,
        to: 'receipted',
        at: T0 + 100,
        actor: 'system',
        patch: { receiptId: receipt.id },
        receipt,
      });
      expect(receipted?.receiptId).toBe('rcp_1');
      expect(await repo.receipts.getByPayment(p.id)).toEqual(receipt);
      expect(await repo.receipts.get('rcp_1')).toEqual(receipt);

      // A second receipt for the payment violates the unique payment_id: the transition rolls back with it.
      const before = (await repo.payments.listTransitions(p.id)).length;
      await expect(
        repo.payments.transition({
          paymentId: p.id,
          from: 'receipted',
          to: 'closed',
          at: T0 + 200,
          actor: 'system',
          receipt: { ...receipt, id: 'rcp_2' },
        }),
      ).rejects.toThrow();
      expect((await repo.payments.get(p.id))?.state).toBe('receipted');
      expect(await repo.payments.listTransitions(p.id)).toHaveLength(before);
      expect(await repo.receipts.get('rcp_2')).toBeUndefined();
    });

    it('findSettlingForBillRef finds another payment that claimed the bill, never a voided or a fresh one', async () => {
      const repo = store();
      const bill = await createBill(repo, world);
      const fresh = paymentFor(bill, { createdAt: T0 + 1 });
      const voided = paymentFor(bill, { createdAt: T0 + 2 });
      const settling = paymentFor(bill, { createdAt: T0 + 3 });
      for (const p of [fresh, voided, settling])
        await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'device:x');
      await walk(repo, voided, ['authorized', 'voided']);
      await walk(repo, settling, ['authorized', 'posted']);
      expect((await repo.payments.findSettlingForBillRef(bill.billerBillRef))?.id).toBe(settling.id);
      expect((await repo.payments.findSettlingForBillRef(bill.billerBillRef, fresh.id))?.id).toBe(
        settling.id,
      );
      expect(await repo.payments.findSettlingForBillRef(bill.billerBillRef, settling.id)).toBeUndefined();
      expect(await repo.payments.findSettlingForBillRef('ref-other')).toBeUndefined();
      // Of two settling ones, the older.
      const older = paymentFor(bill, { createdAt: T0 });
      await repo.payments.createWithIdempotency(older, idempotencyFor(older), 'device:x');
      await walk(repo, older, ['authorized', 'posted', 'captured', 'receipted', 'closed']);
      expect((await repo.payments.findSettlingForBillRef(bill.billerBillRef))?.id).toBe(older.id);
    });

    it('listInStates: the states asked for, last changed in [after, before), oldest change first, limited', async () => {
      const repo = store();
      const bill = await createBill(repo, world);
      const ps = [T0 + 30, T0 + 10, T0 + 20, T0 + 40].map((at) =>
        paymentFor(bill, { createdAt: at, updatedAt: at }),
      );
      for (const p of ps) await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'device:x');
      // ps[3] leaves "created" at T0 + 41.
      await repo.payments.transition({
        paymentId: ps[3]!.id,
        from: 'created',
        to: 'unknown',
        at: T0 + 41,
        actor: 's',
      });
      const ids = async (...args: Parameters<typeof repo.payments.listInStates>) =>
        (await repo.payments.listInStates(...args)).map((p) => p.id);
      expect(await ids(['created'], T0 + 100, 10)).toEqual([ps[1]!.id, ps[2]!.id, ps[0]!.id]);
      expect(await ids(['created', 'unknown'], T0 + 100, 10)).toEqual([
        ps[1]!.id,
        ps[2]!.id,
        ps[0]!.id,
        ps[3]!.id,
      ]);
      expect(await ids(['created', 'unknown'], T0 + 100, 2)).toEqual([ps[1]!.id, ps[2]!.id]);
      expect(await ids(['created'], T0 + 30, 10)).toEqual([ps[1]!.id, ps[2]!.id]);
      expect(await ids(['created', 'unknown'], T0 + 100, 10, T0 + 20)).toEqual([
        ps[2]!.id,
        ps[0]!.id,
        ps[3]!.id,
      ]);
      expect(await ids(['unknown'], T0 + 41, 10)).toEqual([]);
      expect(await ids([], T0 + 100, 10)).toEqual([]);
    });

    it('listForCommunities: the bills of those communities, created in [from, to), in a state, oldest first', async () => {
      const repo = store();
      const [a, b] = world.communityIds;
      const billA = await createBill(repo, world, {
        communityId: a,
        period: '2026-10',
        account: '0100000001',
      });
      const billB = await createBill(repo, world, {
        communityId: b,
        period: '2026-11',
        account: '0200000002',
      });
      const pa1 = paymentFor(billA, { createdAt: T0 + 20 });
      const pb1 = paymentFor(billB, { createdAt: T0 + 10 });
      const pa2 = paymentFor(billA, { createdAt: T0 + 30 });
      const pb2 = paymentFor(billB, { createdAt: T0 + 40 });
      for (const p of [pa1, pb1, pa2, pb2])
        await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'd');
      const closed = await walk(repo, pa2, ['authorized', 'posted', 'captured', 'receipted', 'closed']);
      const list = (f: Parameters<typeof repo.payments.listForCommunities>[0]) =>
        repo.payments.listForCommunities(f).then((xs) => xs.map((x) => x.payment.id));

      const both = await repo.payments.listForCommunities({ communityIds: [a, b], limit: 10 });
      expect(both.map((x) => x.payment.id)).toEqual([pb1.id, pa1.id, pa2.id, pb2.id]);
      expect(both[2]).toEqual({ payment: closed, communityId: a, period: '2026-10', account: '0100000001' });
      expect(both[0]).toMatchObject({ communityId: b, period: '2026-11', account: '0200000002' });
      expect(await list({ communityIds: [a], limit: 10 })).toEqual([pa1.id, pa2.id]);
      expect(await list({ communityIds: [a, b], limit: 2 })).toEqual([pb1.id, pa1.id]);
      expect(await list({ communityIds: [a, b], from: T0 + 20, to: T0 + 40, limit: 10 })).toEqual([
        pa1.id,
        pa2.id,
      ]);
      expect(await list({ communityIds: [a, b], state: 'closed', limit: 10 })).toEqual([pa2.id]);
      expect(await list({ communityIds: [b], state: 'closed', limit: 10 })).toEqual([]);
      expect(await list({ communityIds: [world.cityId], limit: 10 })).toEqual([]);
      expect(await list({ communityIds: [], limit: 10 })).toEqual([]);
    });
  });
});
