import { beforeEach, describe, expect, it } from 'vitest';
import {
  billFor,
  createBill,
  idempotencyFor,
  type PaymentWorld,
  paymentFor,
  seedWorld,
  T0,
  walk,
} from '../../testing/payment-fixtures.js';
import { storePerTest } from './payment-stores.js';
import { forEachStore } from './stores.js';

forEachStore((open) => {
  describe('bills and receipts', () => {
    const store = storePerTest(open);
    let world: PaymentWorld;
    beforeEach(async () => {
      world = await seedWorld(store());
    });

    it('stores a bill with its signed envelope exactly as given', async () => {
      const repo = store();
      const bill = billFor(world, {
        billerId: 'electricity',
        envelope: {
          payload: { id: 'x', lines: [{ label: '电费', fen: 12_345 }], note: 'ünïcödé "quoted"' } as never,
          kid: 'k_test',
          sig: 'c2ln',
        },
      });
      await repo.bills.create(bill);
      expect(await repo.bills.get(bill.id)).toEqual(bill);
      expect(await repo.bills.get('bill_missing')).toBeUndefined();
    });

    it('refuses a second bill with the same id, and a bill of an unknown device', async () => {
      const repo = store();
      const bill = await createBill(repo, world);
      await expect(repo.bills.create({ ...bill, amountFen: 1 })).rejects.toThrow();
      expect((await repo.bills.get(bill.id))?.amountFen).toBe(bill.amountFen);
      await expect(repo.bills.create(billFor({ ...world, deviceId: 'dev_missing' }))).rejects.toThrow();
    });

    it('a receipt exists only once its payment reached receipted, found by id and by payment', async () => {
      const repo = store();
      const bill = await createBill(repo, world);
      const p = paymentFor(bill);
      await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'device:x');
      const captured = await walk(repo, p, ['authorized', 'posted', 'captured']);
      expect(await repo.receipts.getByPayment(p.id)).toBeUndefined();
      const receipt = {
        id: 'rcp_x',
        paymentId: p.id,
        envelope: { payload: { id: 'rcp_x', amountFen: p.amountFen } as never, kid: 'k_test', sig: 's' },
        createdAt: T0 + 77,
      };
      await repo.payments.transition({
        paymentId: p.id,
        from: captured.state,
        to: 'receipted',
        at: T0 + 77,
        actor: 'system',
        receipt,
      });
      expect(await repo.receipts.get('rcp_x')).toEqual(receipt);
      expect(await repo.receipts.getByPayment(p.id)).toEqual(receipt);
      expect(await repo.receipts.get('rcp_missing')).toBeUndefined();
    });
  });
});
