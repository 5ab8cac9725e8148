import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, IDEMPOTENCY_HEADER } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { PaymentResponse } from '../../../../protocol/schemas/device-api.js';
import type {
  AdminPaymentView,
  DeviceReprintsResponse,
  RefundResponse,
  ReprintView,
} from '../../../../protocol/schemas/payment-admin.js';
import type { ReconciliationReport } from '../../../../protocol/schemas/reconciliation.js';
import { localDate } from '../../services/day-range.js';
import { createHarness, type Harness, tableCounts } from '../../testing/harness.js';
import { idemKey, KioskFlow } from '../../testing/kiosk-flow.js';
import { type AdminInject, scopedAdmin } from '../../testing/scoped-admin.js';
import { TestDevice } from '../../testing/test-device.js';

let h: Harness;
let flow: KioskFlow;
let admin: AdminInject;
let staff: AdminInject;
let neighbourAdmin: AdminInject;
let paid: PaymentResponse;
let communityId: string;

beforeAll(async () => {
  h = await createHarness();
  const { community, neighbour } = await h.sunshine();
  communityId = community.id;
  admin = await scopedAdmin(h, 'sunshine.admin', 'admin', community.id);
  staff = await scopedAdmin(h, 'sunshine.staff', 'staff', community.id);
  neighbourAdmin = await scopedAdmin(h, 'moon.admin', 'admin', neighbour.id);
  const kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
  flow = new KioskFlow(h, kiosk);
  paid = await flow.pay('electricity', '2002000001');
  await flow.step(paid.payment.payload.id, 'close');
});
afterAll(() => h.close());

const refund = (who: AdminInject, id: string, body: object, key: string | null = idemKey()) =>
  who({
    method: 'POST',
    url: API.adminPaymentRefunds(id),
    headers: key ? { [IDEMPOTENCY_HEADER]: key } : {},
    payload: body,
  });

describe('admin payments', () => {
  it('lists and shows payments of the admin’s scope with the full audit trail', async () => {
    const id = paid.payment.payload.id;
    const list = (
      await admin({
        method: 'GET',
        url: `${API.adminPayments}?date=${localDate(Date.now(), 'Asia/Shanghai')}`,
      })
    ).json() as {
      payments: AdminPaymentView[];
    };
    expect(list.payments.map((p) => p.id)).toContain(id);
    // Payments are the admins' (services/permissions.ts): staff see nothing of them.
    const denied = await staff({ method: 'GET', url: API.adminPayment(id) });
    expect([denied.statusCode, denied.json().error.code]).toEqual([403, ErrorCode.FORBIDDEN]);
    const one = (await admin({ method: 'GET', url: API.adminPayment(id) })).json() as AdminPaymentView;
    expect(one).toMatchObject({
      state: 'closed',
      communityName: '阳光社区',
      amountFen: 15630,
      refundedFen: 0,
    });
    expect(one.transitions!.map((t) => t.to)).toEqual([
      'created',
      'presented',
      'authorized',
      'posted',
      'captured',
      'receipted',
      'closed',
    ]);
    expect(one.transitions![0]!.actor).toBe(`device:${flow.kiosk.id}`);
    const foreign = await neighbourAdmin({ method: 'GET', url: API.adminPayment(id) });
    expect(foreign.json()).toMatchObject({ error: { code: ErrorCode.PAYMENT_NOT_FOUND } });
  });
});

describe('refunds', () => {
  it('refunds part, then the rest, idempotently and audited; never more than was captured', async () => {
    const id = paid.payment.payload.id;
    const key = idemKey();
    const first = await refund(admin, id, { amountFen: 5000, reason: '重复缴费 duplicate' }, key);
    expect(first.statusCode).toBe(201);
    const body = first.json() as RefundResponse;
    expect(body.refund).toMatchObject({ amountFen: 5000, state: 'succeeded' });
    expect(body.payment).toMatchObject({ state: 'refunded', refundedFen: 5000 });

    const before = tableCounts(h.repo);
    const replay = await refund(admin, id, { amountFen: 5000, reason: '重复缴费 duplicate' }, key);
    expect(replay.statusCode).toBe(200);
    expect((replay.json() as RefundResponse).refund.id).toBe(body.refund.id);
    const reused = await refund(admin, id, { amountFen: 6000, reason: 'other' }, key);
    expect(reused.json()).toMatchObject({ error: { code: ErrorCode.IDEMPOTENCY_KEY_REUSED } });
    const tooMuch = await refund(admin, id, { amountFen: 15630, reason: 'all' });
    expect(tooMuch.json()).toMatchObject({
      error: { code: ErrorCode.REFUND_TOO_LARGE, details: { max: 10630 } },
    });
    expect(tableCounts(h.repo)).toEqual(before);

    const rest = await refund(admin, id, { amountFen: 10630, reason: '退还余款 rest' });
    expect((rest.json() as RefundResponse).payment).toMatchObject({ state: 'refunded', refundedFen: 15630 });
    const nothingLeft = await refund(admin, id, { amountFen: 1, reason: 'more' });
    expect(nothingLeft.json()).toMatchObject({ error: { code: ErrorCode.REFUND_TOO_LARGE } });
    const refunds = h.sims.db
      .prepare('SELECT SUM(amount_fen) AS s, COUNT(*) AS n FROM sim_gateway_refunds WHERE payment_id = ?')
      .get(id);
    expect(refunds).toEqual({ s: 15630, n: 2 });
    const audit = await h.repo.payments.listTransitions(id);
    expect(audit.slice(-4).map((t) => [t.to, t.actor.split(':')[0]])).toEqual([
      ['refund_pending', 'admin'],
      ['refunded', 'system'],
      ['refund_pending', 'admin'],
      ['refunded', 'system'],
    ]);
  });

  it('refuses staff, other scopes, bad amounts, missing keys and unpaid payments with codes', async () => {
    const other = await flow.pay('gas', '3003000002');
    const id = other.payment.payload.id;
    const [bill] = await flow.bills('gas', '3003000003');
    const unpaid = ((await flow.create(bill!.payload.id, bill!.payload.amountFen)).json() as PaymentResponse)
      .payment.payload.id;
    const before = tableCounts(h.repo);
    const cases: [AdminInject, string, object, string | null, string][] = [
      [staff, id, { amountFen: 100, reason: 'x' }, idemKey(), ErrorCode.FORBIDDEN],
      [neighbourAdmin, id, { amountFen: 100, reason: 'x' }, idemKey(), ErrorCode.PAYMENT_NOT_FOUND],
      [admin, id, { amountFen: 0, reason: 'x' }, idemKey(), ErrorCode.AMOUNT_INVALID],
      [admin, id, { amountFen: -5, reason: 'x' }, idemKey(), ErrorCode.AMOUNT_INVALID],
      [admin, id, { amountFen: 1.5, reason: 'x' }, idemKey(), ErrorCode.AMOUNT_INVALID],
      [admin, id, { amountFen: 100, reason: 'x' }, null, ErrorCode.IDEMPOTENCY_KEY_MISSING],
      [admin, unpaid, { amountFen: 100, reason: 'x' }, idemKey(), ErrorCode.PAYMENT_STATE],
    ];
    for (const [who, pid, body, key, code] of cases) {
      expect((await refund(who, pid, body, key)).json(), code).toMatchObject({ error: { code } });
    }
    expect(tableCounts(h.repo)).toEqual(before);
  });

  it('leaves a refund the acquirer did not answer pending, and recovery completes it', async () => {
    const p = await flow.pay('water', '1001000002');
    const id = p.payment.payload.id;
    const gateway = h.app.gateway as unknown as { faults: { downRate: number } };
    gateway.faults.downRate = 1;
    const res = await refund(admin, id, { amountFen: 100, reason: 'x' });
    gateway.faults.downRate = 0;
    expect((res.json() as RefundResponse).payment.state).toBe('refund_pending');
    await h.app.services.recovery.sweep();
    expect((await h.repo.payments.get(id))!).toMatchObject({ state: 'refunded', refundedFen: 100 });
  });
});

describe('receipt reprint from the admin side', () => {
  it('queues a reprint for the paying kiosk, which fetches the signed receipt and reports back', async () => {
    const id = paid.payment.payload.id;
    const denied = await staff({ method: 'POST', url: API.adminPaymentReprint(id), payload: {} });
    expect([denied.statusCode, denied.json().error.code]).toEqual([403, ErrorCode.FORBIDDEN]);
    const res = await admin({ method: 'POST', url: API.adminPaymentReprint(id), payload: {} });
    expect(res.statusCode).toBe(201);
    const r = res.json() as ReprintView;
    expect(r).toMatchObject({
      state: 'pending',
      deviceId: flow.kiosk.id,
      receiptId: paid.receipt!.payload.id,
    });
    const pending = (
      await flow.kiosk.call(h.app, { method: 'GET', url: API.deviceReprints })
    ).json() as DeviceReprintsResponse;
    expect(pending.reprints).toEqual([{ id: r.id, receipt: paid.receipt }]);
    const done = await flow.kiosk.call(h.app, {
      method: 'POST',
      url: API.deviceReprintDone(r.id),
      payload: { outcome: 'printed' },
    });
    expect(done.json()).toMatchObject({ state: 'printed' });
    expect(
      (
        (
          await flow.kiosk.call(h.app, { method: 'GET', url: API.deviceReprints })
        ).json() as DeviceReprintsResponse
      ).reprints,
    ).toEqual([]);
    const foreign = await neighbourAdmin({ method: 'POST', url: API.adminPaymentReprint(id), payload: {} });
    expect(foreign.json()).toMatchObject({ error: { code: ErrorCode.PAYMENT_NOT_FOUND } });
  });
});

describe('daily reconciliation', () => {
  it('adds up per biller and per community, as JSON and CSV, and only within scope', async () => {
    const date = localDate(Date.now(), 'Asia/Shanghai');
    const res = await admin({ method: 'GET', url: `${API.reconciliation}?date=${date}` });
    expect(res.statusCode).toBe(200);
    const r = res.json() as ReconciliationReport;
    expect(r.mismatches).toEqual([]);
    expect(r.balanced).toBe(true);
    expect(r.byCommunity.map((c) => c.name)).toEqual(['阳光社区']);
    expect(r.totals.capturedFen).toBe(r.totals.postedFen);
    expect(r.totals.netFen).toBe(r.totals.capturedFen - r.totals.refundedFen);
    expect(r.totals.refundedFen).toBe(15630 + 100);
    const sum = (k: 'capturedFen' | 'payments') => r.byBiller.reduce((s, x) => s + x[k], 0);
    expect(sum('capturedFen')).toBe(r.totals.capturedFen);
    expect(sum('payments')).toBe(r.totals.payments);
    expect(r.byBiller.find((b) => b.key === 'electricity')).toMatchObject({
      capturedCount: 1,
      capturedFen: 15630,
      refundedFen: 15630,
    });

    const csv = await admin({ method: 'GET', url: `${API.reconciliation}?date=${date}&format=csv` });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toContain('section,key,name,payments,paidCount,paidFen');
    expect(csv.body).toContain('community,');
    expect(csv.body).toContain('阳光社区');

    const theirs = (
      await neighbourAdmin({ method: 'GET', url: `${API.reconciliation}?date=${date}` })
    ).json() as ReconciliationReport;
    expect(theirs.totals.payments).toBe(0);
    const out = await neighbourAdmin({
      method: 'GET',
      url: `${API.reconciliation}?date=${date}&nodeId=${communityId}`,
    });
    expect(out.json()).toMatchObject({ error: { code: ErrorCode.NODE_NOT_FOUND } });
    const bad = await admin({ method: 'GET', url: `${API.reconciliation}?date=2026-02-30` });
    expect(bad.json()).toMatchObject({ error: { code: ErrorCode.REPORT_RANGE } });
  });

  it('reports a capture the biller never posted', async () => {
    const [bill] = await flow.bills('property', '4004000001');
    const created = (await flow.create(bill!.payload.id, bill!.payload.amountFen)).json() as PaymentResponse;
    const id = created.payment.payload.id;
    // The acquirer captured, but nothing reached the biller (an inconsistency reconciliation must catch).
    h.sims.db
      .prepare(
        "INSERT INTO sim_gateway_ledger (payment_id, op, reference, card_token, amount_fen, at) VALUES (?, 'capture', 'cap_x', 'tok', ?, ?)",
      )
      .run(id, bill!.payload.amountFen, Date.now());
    const date = localDate(Date.now(), 'Asia/Shanghai');
    const r = (
      await admin({ method: 'GET', url: `${API.reconciliation}?date=${date}` })
    ).json() as ReconciliationReport;
    expect(r.balanced).toBe(false);
    expect(r.mismatches).toContainEqual(
      expect.objectContaining({ kind: 'captured_not_posted', paymentId: id }),
    );
  });
});

describe('refunds of QR payments', () => {
  it('refund through the wallet, partially, up to what was settled', async () => {
    const started = await flow.startQr('water', '1001000003');
    const id = started.payment.payload.id;
    const orderId = (await h.repo.payments.get(id))!.walletOrderId!;
    await h.app.inject({
      method: 'POST',
      url: `/sim/wallet/pay/${orderId}/confirm`,
      headers: { accept: 'application/json' },
    });
    const got = (await flow.get(id)).json() as PaymentResponse;
    expect(got.payment.payload.state).toBe('receipted');
    const res = await refund(admin, id, { amountFen: 1000, reason: '多缴 overpaid' });
    expect((res.json() as RefundResponse).payment).toMatchObject({ state: 'refunded', refundedFen: 1000 });
    const order = await h.sims.wallet.getOrder(orderId);
    expect(order).toMatchObject({ status: 'REFUND', refundedFen: 1000 });
  });
});
