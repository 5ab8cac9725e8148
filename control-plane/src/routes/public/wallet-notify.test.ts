import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { PaymentResponse } from '../../../../protocol/schemas/device-api.js';
import type { SimulatedWallet } from '../../sim/wallet/simulated-wallet.js';
import { createHarness, type Harness, tableCounts } from '../../testing/harness.js';
import { KioskFlow } from '../../testing/kiosk-flow.js';
import { TestDevice } from '../../testing/test-device.js';
import { notify, strangerKey } from '../../testing/wallet-notify.js';

let h: Harness;
let flow: KioskFlow;

beforeAll(async () => {
  h = await createHarness({ config: { publicUrl: 'https://linli.example.org' } });
  // The tests deliver notifications themselves; the provider's own outbox would post to the public URL.
  await (h.app.wallet as SimulatedWallet).stop();
  const { community } = await h.sunshine();
  const kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
  flow = new KioskFlow(h, kiosk);
});
afterAll(() => h.close());

const wallet = () => h.app.wallet as SimulatedWallet;
const payer = (orderId: string) =>
  h.app.inject({
    method: 'POST',
    url: `/sim/wallet/pay/${orderId}/confirm`,
    headers: { accept: 'application/json' },
  });
const state = async (id: string) => (await h.repo.payments.get(id))!.state;
const money = (id: string) => ({
  postings: (
    h.sims.db.prepare('SELECT COUNT(*) AS n FROM sim_biller_postings WHERE payment_id = ?').get(id) as {
      n: number;
    }
  ).n,
  captures: (
    h.sims.db
      .prepare("SELECT COUNT(*) AS n FROM sim_gateway_ledger WHERE payment_id = ? AND op = 'capture'")
      .get(id) as {
      n: number;
    }
  ).n,
});
async function until(fn: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out: ${what}`);
}
const BILLER = { '1': 'water', '2': 'electricity', '3': 'gas', '4': 'property' } as const;
async function qrPayment(account: string) {
  const res = await flow.startQr(BILLER[account[0] as '1'], account);
  const p = res.payment.payload;
  const orderId = (await h.repo.payments.get(p.id))!.walletOrderId!;
  return { id: p.id, amountFen: p.amountFen, orderId, res };
}

describe('QR payments and the wallet notification', () => {
  it('shows a signed code URL, and completes once the payer pays and the signed notification arrives', async () => {
    const q = await qrPayment('1001000001');
    expect(q.res.payment.payload.state).toBe('presented');
    expect(q.res.payment.payload.qr?.codeUrl).toBe(`https://linli.example.org/sim/wallet/pay/${q.orderId}`);
    expect((await h.app.inject({ method: 'GET', url: `/sim/wallet/pay/${q.orderId}` })).body).toContain(
      '确认支付',
    );

    expect((await payer(q.orderId)).json()).toMatchObject({ status: 'SUCCESS' });
    // Nothing moves on the payer's word alone: the control plane waits for the wallet to tell it.
    expect(await state(q.id)).toBe('presented');
    const { res } = await notify(h, q.orderId, q.id, q.amountFen);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ code: 'SUCCESS', message: '成功' });
    await until(async () => (await state(q.id)) === 'receipted', 'receipted');
    expect(money(q.id)).toEqual({ postings: 1, captures: 1 });
    const got = (await flow.get(q.id)).json() as PaymentResponse;
    expect(got.receipt?.payload).toMatchObject({ method: 'qr', amountFen: q.amountFen });
  });

  it('acknowledges a duplicate delivery by event id and changes nothing', async () => {
    const q = await qrPayment('1001000002');
    await payer(q.orderId);
    const first = await notify(h, q.orderId, q.id, q.amountFen);
    await until(async () => (await state(q.id)) === 'receipted', 'receipted');
    const before = {
      events: tableCounts(h.repo).wallet_events,
      dup: h.app.services.walletWebhooks.stats.duplicates,
    };
    const again = await notify(h, q.orderId, q.id, q.amountFen, { eventId: first.eventId });
    expect(again.res.statusCode).toBe(200);
    expect(again.res.json()).toMatchObject({ message: 'duplicate ignored' });
    expect(tableCounts(h.repo).wallet_events).toBe(before.events);
    expect(h.app.services.walletWebhooks.stats.duplicates).toBe(before.dup + 1);
    expect(money(q.id)).toEqual({ postings: 1, captures: 1 });
  });

  it('is not fooled by events out of order: the order query decides', async () => {
    const q = await qrPayment('1001000003');
    // A "paid" event that overtook the payment itself: the order is still NOTPAY, nothing happens.
    await notify(h, q.orderId, q.id, q.amountFen);
    await new Promise((r) => setTimeout(r, 50));
    expect(await state(q.id)).toBe('presented');
    expect(money(q.id)).toEqual({ postings: 0, captures: 0 });
    // The payer pays; its event arrives; then a stale "closed" event from before arrives late.
    await payer(q.orderId);
    await notify(h, q.orderId, q.id, q.amountFen);
    await until(async () => (await state(q.id)) === 'receipted', 'receipted');
    await notify(h, q.orderId, q.id, q.amountFen, { eventType: 'TRANSACTION.CLOSED', tradeState: 'CLOSED' });
    await new Promise((r) => setTimeout(r, 50));
    expect(await state(q.id)).toBe('receipted');
    expect(money(q.id)).toEqual({ postings: 1, captures: 1 });
  });

  it('refuses a forged or tampered notification with a code and stores nothing', async () => {
    const q = await qrPayment('1001000004');
    await payer(q.orderId);
    const before = tableCounts(h.repo);
    const forged = await notify(h, q.orderId, q.id, q.amountFen, { key: strangerKey() });
    expect(forged.res.statusCode).toBe(401);
    expect(forged.res.json()).toMatchObject({ error: { code: ErrorCode.WEBHOOK_SIGNATURE } });
    const tampered = await notify(h, q.orderId, q.id, q.amountFen, {
      tamper: (b) => b.replace('"total":', '"total":1'),
    });
    expect(tampered.res.json()).toMatchObject({ error: { code: ErrorCode.WEBHOOK_SIGNATURE } });
    const wrongSerial = await notify(h, q.orderId, q.id, q.amountFen, { serial: 'sim-000000000000' });
    expect(wrongSerial.res.json()).toMatchObject({ error: { code: ErrorCode.WEBHOOK_SIGNATURE } });
    const bare = await h.app.inject({ method: 'POST', url: '/api/v1/wallet/notify', payload: { id: 'x' } });
    expect(bare.statusCode).toBe(401);
    expect(tableCounts(h.repo)).toEqual(before);
    expect(await state(q.id)).toBe('presented');
  });

  it('refuses a replayed old event even with a genuine signature', async () => {
    const q = await qrPayment('1001000005');
    await payer(q.orderId);
    const before = tableCounts(h.repo);
    const old = await notify(h, q.orderId, q.id, q.amountFen, {
      timestamp: Math.floor(h.clock.now() / 1000) - 600,
    });
    expect(old.res.statusCode).toBe(400);
    expect(old.res.json()).toMatchObject({ error: { code: ErrorCode.WEBHOOK_STALE } });
    expect(tableCounts(h.repo)).toEqual(before);
    expect(await state(q.id)).toBe('presented');
  });

  it('acknowledges and ignores a genuine event for an order it does not know', async () => {
    const res = await notify(h, 'wxo_00000000000000000000000000', 'pay_00000000000000000000000000', 100);
    expect(res.res.statusCode).toBe(200);
  });

  it('cancels by closing the order; a payer who was faster gets the payment completed instead', async () => {
    const late = await qrPayment('2002000001');
    const canceled = (await flow.step(late.id, 'cancel')).json() as PaymentResponse;
    expect(canceled.payment.payload.state).toBe('canceled');
    expect((await payer(late.orderId)).json()).toMatchObject({ status: 'CLOSED' });
    expect(money(late.id)).toEqual({ postings: 0, captures: 0 });

    const fast = await qrPayment('2002000002');
    await payer(fast.orderId);
    const res = (await flow.step(fast.id, 'cancel')).json() as PaymentResponse;
    expect(res.payment.payload.state).toBe('receipted');
    expect(res.receipt).toBeDefined();
    expect(money(fast.id)).toEqual({ postings: 1, captures: 1 });
  });

  it('makes a cancel the wallet did not confirm `unknown`, and resolves it by order query', async () => {
    const q = await qrPayment('2002000003');
    wallet().faults.downRate = 1;
    try {
      const res = (await flow.step(q.id, 'cancel')).json() as PaymentResponse;
      expect(res.payment.payload.state).toBe('unknown');
    } finally {
      wallet().faults.downRate = 0;
    }
    h.clock.advance(5_000);
    await h.app.services.recovery.sweep();
    expect(await state(q.id)).toBe('canceled');
    const audit = await h.repo.payments.listTransitions(q.id);
    expect(audit.map((t) => t.to)).toEqual(['created', 'presented', 'unknown', 'canceled']);
  });

  it('finishes a paid QR payment whose notification never came, by polling and by recovery', async () => {
    const polled = await qrPayment('2002000004');
    await payer(polled.orderId);
    const got = (await flow.get(polled.id)).json() as PaymentResponse;
    expect(got.payment.payload.state).toBe('receipted');

    const swept = await qrPayment('2002000005');
    await payer(swept.orderId);
    h.clock.advance(5_000);
    await h.app.services.recovery.sweep();
    expect(await state(swept.id)).toBe('receipted');
  });

  it('refuses a terminal result for a QR payment', async () => {
    const q = await qrPayment('3003000001');
    const res = await flow.authorize(q.id, q.amountFen);
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.PAYMENT_METHOD } });
  });
});
