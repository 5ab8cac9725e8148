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
import type { PaymentRecord, ReprintRecord, WalletEventRecord } from '../records.js';
import { storePerTest } from './payment-stores.js';
import { forEachStore } from './stores.js';

forEachStore((open) => {
  describe('reprints', () => {
    const store = storePerTest(open);
    let world: PaymentWorld;
    let paid: PaymentRecord;
    const reprint = (over: Partial<ReprintRecord>): ReprintRecord => ({
      id: `rpr_${Math.random().toString(36).slice(2, 12)}`,
      paymentId: paid.id,
      receiptId: 'rcp_1',
      deviceId: world.deviceId,
      state: 'pending',
      error: null,
      createdBy: 'adm_1',
      createdAt: T0,
      doneAt: null,
      ...over,
    });
    beforeEach(async () => {
      const repo = store();
      world = await seedWorld(repo);
      const bill = await createBill(repo, world);
      const p = paymentFor(bill);
      await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'device:x');
      const captured = await walk(repo, p, ['authorized', 'posted', 'captured']);
      paid = (await repo.payments.transition({
        paymentId: p.id,
        from: captured.state,
        to: 'receipted',
        at: T0 + 10,
        actor: 'system',
        patch: { receiptId: 'rcp_1' },
        receipt: {
          id: 'rcp_1',
          paymentId: p.id,
          envelope: { payload: {} as never, kid: 'k', sig: 's' },
          createdAt: T0,
        },
      }))!;
    });

    it('stores a reprint and reads it back', async () => {
      const repo = store();
      const r = reprint({});
      await repo.reprints.create(r);
      expect(await repo.reprints.get(r.id)).toEqual(r);
      expect(await repo.reprints.get('rpr_missing')).toBeUndefined();
      await expect(repo.reprints.create(reprint({ receiptId: 'rcp_missing' }))).rejects.toThrow();
    });

    it('lists pending reprints of a device oldest first, limited', async () => {
      const repo = store();
      const late = reprint({ createdAt: T0 + 30 });
      const early = reprint({ createdAt: T0 + 10 });
      const mid = reprint({ createdAt: T0 + 20 });
      for (const r of [late, early, mid]) await repo.reprints.create(r);
      expect((await repo.reprints.listPendingForDevice(world.deviceId, 10)).map((r) => r.id)).toEqual([
        early.id,
        mid.id,
        late.id,
      ]);
      expect((await repo.reprints.listPendingForDevice(world.deviceId, 2)).map((r) => r.id)).toEqual([
        early.id,
        mid.id,
      ]);
      await repo.reprints.finish(early.id, 'printed', null, T0 + 40);
      expect((await repo.reprints.listPendingForDevice(world.deviceId, 10)).map((r) => r.id)).toEqual([
        mid.id,
        late.id,
      ]);
      expect(await repo.reprints.listPendingForDevice('dev_other', 10)).toEqual([]);
    });

    it('finish records one outcome: a second finish is refused', async () => {
      const repo = store();
      const r = reprint({});
      await repo.reprints.create(r);
      expect(await repo.reprints.finish(r.id, 'failed', 'paper out', T0 + 50)).toBe(true);
      expect(await repo.reprints.finish(r.id, 'printed', null, T0 + 60)).toBe(false);
      expect(await repo.reprints.finish('rpr_missing', 'printed', null, T0 + 60)).toBe(false);
      expect(await repo.reprints.get(r.id)).toEqual({
        ...r,
        state: 'failed',
        error: 'paper out',
        doneAt: T0 + 50,
      });
    });
  });
});

forEachStore((open) => {
  describe('wallet events', () => {
    const store = storePerTest(open);
    const event = (over: Partial<WalletEventRecord>): WalletEventRecord => ({
      eventId: `evt_${Math.random().toString(36).slice(2, 12)}`,
      eventType: 'TRANSACTION.SUCCESS',
      orderId: 'wo_1',
      paymentId: 'pay_1',
      createdAt: T0,
      receivedAt: T0 + 5,
      processedAt: null,
      ...over,
    });

    it('records an event id once; a redelivery is reported and changes nothing', async () => {
      const repo = store();
      const e = event({});
      expect(await repo.walletEvents.record(e)).toBe(true);
      expect(await repo.walletEvents.record({ ...e, eventType: 'OTHER', receivedAt: T0 + 99 })).toBe(false);
      expect(await repo.walletEvents.listUnprocessed(10)).toEqual([e]);
    });

    it('concurrent deliveries of one event: exactly one records it', async () => {
      const repo = store();
      const e = event({});
      const results = await Promise.all(Array.from({ length: 6 }, () => repo.walletEvents.record(e)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('lists unprocessed events by arrival, limited; processed ones drop out', async () => {
      const repo = store();
      const late = event({ receivedAt: T0 + 30, paymentId: null });
      const early = event({ receivedAt: T0 + 10 });
      const mid = event({ receivedAt: T0 + 20 });
      for (const e of [late, early, mid]) await repo.walletEvents.record(e);
      expect(await repo.walletEvents.listUnprocessed(10)).toEqual([early, mid, late]);
      expect(await repo.walletEvents.listUnprocessed(1)).toEqual([early]);
      await repo.walletEvents.markProcessed(early.eventId, T0 + 40);
      await repo.walletEvents.markProcessed('evt_missing', T0 + 40);
      expect(await repo.walletEvents.listUnprocessed(10)).toEqual([mid, late]);
    });
  });
});
