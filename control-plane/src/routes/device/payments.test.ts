import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring, verifyEnvelope } from '../../../../protocol/envelope.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { Bill } from '../../../../protocol/schemas/bill.js';
import type { PaymentResponse } from '../../../../protocol/schemas/device-api.js';
import { Payment } from '../../../../protocol/schemas/payment.js';
import { Receipt } from '../../../../protocol/schemas/receipt.js';
import { SEED_ACCOUNTS } from '../../sim/biller/seed-accounts.js';
import type { SimulatedBiller } from '../../sim/biller/simulated-biller.js';
import type { SimulatedGateway } from '../../sim/gateway/simulated-gateway.js';
import { createHarness, type Harness, snapshot } from '../../testing/harness.js';
import { idemKey, KioskFlow } from '../../testing/kiosk-flow.js';
import { TestDevice } from '../../testing/test-device.js';

let h: Harness;
let flow: KioskFlow;
let lobby: TestDevice;
let ring: Keyring;

beforeAll(async () => {
  h = await createHarness();
  const { community } = await h.sunshine();
  const kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
  lobby = new TestDevice();
  await lobby.enroll(h.app, (await h.token(community.id, 'lobby')).token, 'lobby');
  flow = new KioskFlow(h, kiosk);
  const t = h.app.keys.transaction;
  ring = new Keyring([{ kid: t.kid, uses: ['transaction'], publicKey: t.publicKey }]);
});
afterAll(() => h.close());

const verifyPayment = (env: unknown) =>
  verifyEnvelope<Payment>(env, ring, { type: 'linli.payment/v1', schema: Payment });
const ledger = (paymentId: string) => ({
  postings: h.sims.db
    .prepare('SELECT COUNT(*) AS n FROM sim_biller_postings WHERE payment_id = ?')
    .get(paymentId),
  captures: h.sims.db
    .prepare("SELECT COUNT(*) AS n FROM sim_gateway_ledger WHERE payment_id = ? AND op = 'capture'")
    .get(paymentId),
  voids: h.sims.db
    .prepare("SELECT COUNT(*) AS n FROM sim_gateway_ledger WHERE payment_id = ? AND op = 'void'")
    .get(paymentId),
});

describe('bills', () => {
  it('returns signed bills bound to the kiosk with a short expiry', async () => {
    const bills = await flow.bills('water', '1001000001');
    expect(bills).toHaveLength(1);
    const bill = verifyEnvelope<Bill>(bills[0], ring, { type: 'linli.bill/v1', schema: Bill });
    expect(bill).toMatchObject({
      billerId: 'water',
      billerName: { zh: '自来水费', en: 'Water' },
      accountMasked: '******0001',
      holderMasked: '王*明',
      amountFen: SEED_ACCOUNTS.find((a) => a.account === '1001000001')!.bills[0]!.amountFen,
      deviceId: flow.kiosk.id,
    });
    expect(Date.parse(bill.expiresAt) - Date.parse(bill.issuedAt)).toBe(h.config.billTtlSec * 1000);
    expect(await flow.bills('property', '4004000005')).toHaveLength(2);
  });

  it('refuses unknown accounts and billers, and non-kiosk devices', async () => {
    const url = (q: string) => ({ method: 'GET' as const, url: `/api/v1/device/bills?${q}` });
    const unknown = await flow.kiosk.call(h.app, url('billerId=water&account=9999999999'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: ErrorCode.ACCOUNT_NOT_FOUND } });
    const biller = await flow.kiosk.call(h.app, url('billerId=telephone&account=1001000001'));
    expect(biller.json()).toMatchObject({
      error: { code: ErrorCode.BILLER_UNKNOWN, details: { field: 'querystring/billerId' } },
    });
    // 1001000006 is served in 明月社区: a 阳光社区 kiosk is refused, and no bill is issued or stored.
    const before = snapshot(h.repo);
    const neighbours = await flow.kiosk.call(h.app, url('billerId=water&account=1001000006'));
    expect(neighbours.statusCode).toBe(403);
    expect(neighbours.json()).toMatchObject({ error: { code: ErrorCode.ACCOUNT_SCOPE } });
    expect(snapshot(h.repo)).toEqual(before);
    const lobbyAsk = await lobby.call(h.app, url('billerId=water&account=1001000001'));
    expect(lobbyAsk.statusCode).toBe(403);
    expect(lobbyAsk.json()).toMatchObject({ error: { code: ErrorCode.DEVICE_ROLE } });
  });
});

describe('payments', () => {
  it('pays a bill to a verifiable receipt, persisting every step with an audit row', async () => {
    const res = await flow.pay('electricity', '2002000001');
    const payment = verifyPayment(res.payment);
    expect(payment).toMatchObject({
      state: 'receipted',
      amountFen: 15630,
      authCode: 'A1B2C3',
      maskedCard: '622202******1234',
    });
    const receipt = verifyEnvelope<Receipt>(res.receipt, ring, { type: 'linli.receipt/v1', schema: Receipt });
    expect(receipt).toMatchObject({
      paymentId: payment.id,
      amountFen: 15630,
      billerId: 'electricity',
      communityName: '阳光社区',
    });
    expect(payment.receiptId).toBe(receipt.id);
    expect(receipt.verifyUrl).toMatch(
      new RegExp(`^${h.config.publicUrl}/r/${receipt.id}\\?s=[A-Za-z0-9_-]{22}$`),
    );
    const audit = await h.repo.payments.listTransitions(payment.id);
    expect(audit.map((t) => [t.from, t.to])).toEqual([
      [null, 'created'],
      ['created', 'presented'],
      ['presented', 'authorized'],
      ['authorized', 'posted'],
      ['posted', 'captured'],
      ['captured', 'receipted'],
    ]);
    expect(audit[0]?.actor).toBe(`device:${flow.kiosk.id}`);
    expect(ledger(payment.id)).toEqual({ postings: { n: 1 }, captures: { n: 1 }, voids: { n: 0 } });

    const closed = await flow.step(payment.id, 'close');
    expect(verifyPayment((closed.json() as PaymentResponse).payment).state).toBe('closed');
    const got = (
      await flow.kiosk.call(h.app, { method: 'GET', url: `/api/v1/device/payments/${payment.id}` })
    ).json() as PaymentResponse;
    expect(got.receipt).toEqual(res.receipt);
    expect(await flow.bills('electricity', '2002000001')).toEqual([]);
  });

  it('pays once when the kiosk re-sends the authorization after a dropped response', async () => {
    const [bill] = await flow.bills('gas', '3003000001');
    const created = (await flow.create(bill!.payload.id, bill!.payload.amountFen)).json() as PaymentResponse;
    const id = created.payment.payload.id;
    await flow.step(id, 'present');
    const [a, b] = await Promise.all([
      flow.authorize(id, bill!.payload.amountFen),
      flow.authorize(id, bill!.payload.amountFen),
    ]);
    const again = await flow.authorize(id, bill!.payload.amountFen);
    for (const r of [a, b, again]) expect(r.statusCode).toBe(200);
    const receipts = [a, b, again].map((r) => (r.json() as PaymentResponse).receipt);
    expect(receipts[1]).toEqual(receipts[0]);
    expect(receipts[2]).toEqual(receipts[0]);
    expect(ledger(id)).toEqual({ postings: { n: 1 }, captures: { n: 1 }, voids: { n: 0 } });
  });

  it('replays the stored response for the same Idempotency-Key and body, refuses another body', async () => {
    const bills = await flow.bills('property', '4004000005');
    const key = idemKey();
    const first = await flow.create(bills[0]!.payload.id, bills[0]!.payload.amountFen, key);
    expect(first.statusCode).toBe(201);
    const before = snapshot(h.repo);
    const second = await flow.create(bills[0]!.payload.id, bills[0]!.payload.amountFen, key);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    const other = await flow.create(bills[1]!.payload.id, bills[1]!.payload.amountFen, key);
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error: { code: ErrorCode.IDEMPOTENCY_KEY_REUSED } });
    expect(snapshot(h.repo)).toEqual(before);
  });

  it('scopes idempotency keys per device', async () => {
    const other = new TestDevice();
    const community = (await h.repo.devices.get(flow.kiosk.id))!.nodeId;
    await other.enroll(h.app, (await h.token(community, 'kiosk')).token, 'kiosk');
    const otherFlow = new KioskFlow(h, other);
    const key = idemKey();
    const [mine] = await flow.bills('water', '1001000002');
    const [theirs] = await otherFlow.bills('water', '1001000003');
    const a = await flow.create(mine!.payload.id, mine!.payload.amountFen, key);
    const b = await otherFlow.create(theirs!.payload.id, theirs!.payload.amountFen, key);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect((a.json() as PaymentResponse).payment.payload.id).not.toBe(
      (b.json() as PaymentResponse).payment.payload.id,
    );
    // Another kiosk cannot pay (or even see) this kiosk's bill.
    const stolen = await otherFlow.create(mine!.payload.id, mine!.payload.amountFen);
    expect(stolen.json()).toMatchObject({ error: { code: ErrorCode.BILL_NOT_FOUND } });
  });

  it('refuses bad payment requests with a code and no state change', async () => {
    const [bill] = await flow.bills('water', '1001000004');
    const { id, amountFen } = bill!.payload;
    const cases: [() => Promise<{ statusCode: number; json(): unknown }>, number, string][] = [
      [() => flow.create(id, amountFen, null), 400, ErrorCode.IDEMPOTENCY_KEY_MISSING],
      [() => flow.create(id, amountFen, 'short'), 400, ErrorCode.BAD_REQUEST],
      [() => flow.create(id, amountFen + 1), 409, ErrorCode.AMOUNT_MISMATCH],
      [() => flow.create(id, 0), 400, ErrorCode.AMOUNT_INVALID],
      [() => flow.create(id, 12.5), 400, ErrorCode.AMOUNT_INVALID],
      [() => flow.create(id, -amountFen), 400, ErrorCode.AMOUNT_INVALID],
      [() => flow.create(id, 100_000_001), 400, ErrorCode.AMOUNT_INVALID],
      [() => flow.create(id, Number.MAX_SAFE_INTEGER), 400, ErrorCode.AMOUNT_INVALID],
      [() => flow.create('bill_00000000000000000000000000', amountFen), 404, ErrorCode.BILL_NOT_FOUND],
    ];
    for (const [run, status, code] of cases) {
      const before = snapshot(h.repo);
      const res = await run();
      expect(res.statusCode, code).toBe(status);
      expect(res.json()).toMatchObject({ error: { code } });
      expect(snapshot(h.repo)).toEqual(before);
    }
    h.clock.advance(h.config.billTtlSec * 1000 + 1);
    const before = snapshot(h.repo);
    const expired = await flow.create(id, amountFen);
    expect(expired.statusCode).toBe(410);
    expect(expired.json()).toMatchObject({ error: { code: ErrorCode.BILL_EXPIRED } });
    expect(snapshot(h.repo)).toEqual(before);
  });

  it('refuses a second payment for a paid bill', async () => {
    const [bill] = await flow.bills('water', '1001000005');
    const first = (await flow.create(bill!.payload.id, bill!.payload.amountFen)).json() as PaymentResponse;
    await flow.step(first.payment.payload.id, 'present');
    await flow.authorize(first.payment.payload.id, bill!.payload.amountFen);
    const second = await flow.create(bill!.payload.id, bill!.payload.amountFen);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: ErrorCode.BILL_ALREADY_PAID } });
  });

  it('cancels on a declined terminal result and refuses illegal transitions', async () => {
    const [bill] = await flow.bills('gas', '3003000002');
    const created = (await flow.create(bill!.payload.id, bill!.payload.amountFen)).json() as PaymentResponse;
    const id = created.payment.payload.id;
    const early = await flow.authorize(id, bill!.payload.amountFen);
    expect(early.json()).toMatchObject({ error: { code: ErrorCode.PAYMENT_STATE } });
    const close = await flow.step(id, 'close');
    expect(close.json()).toMatchObject({ error: { code: ErrorCode.PAYMENT_STATE } });
    await flow.step(id, 'present');
    expect((await flow.step(id, 'present')).statusCode).toBe(200);
    const wrongAmount = await flow.authorize(id, bill!.payload.amountFen - 1);
    expect(wrongAmount.json()).toMatchObject({ error: { code: ErrorCode.AMOUNT_MISMATCH } });
    const declined = await flow.authorize(id, bill!.payload.amountFen, {
      outcome: 'declined',
      cardToken: undefined,
    });
    expect(verifyPayment((declined.json() as PaymentResponse).payment).state).toBe('canceled');
    const approvedLate = await flow.authorize(id, bill!.payload.amountFen);
    expect(approvedLate.json()).toMatchObject({ error: { code: ErrorCode.PAYMENT_STATE } });
    expect(ledger(id)).toEqual({ postings: { n: 0 }, captures: { n: 0 }, voids: { n: 0 } });
    const retry = (await flow.create(bill!.payload.id, bill!.payload.amountFen)).json() as PaymentResponse;
    const canceled = await flow.step(retry.payment.payload.id, 'cancel');
    expect(verifyPayment((canceled.json() as PaymentResponse).payment).state).toBe('canceled');
  });

  it('voids the authorization when the biller refuses the posting', async () => {
    const [bill] = await flow.bills('water', '1001000009');
    const created = (await flow.create(bill!.payload.id, bill!.payload.amountFen)).json() as PaymentResponse;
    const id = created.payment.payload.id;
    await flow.step(id, 'present');
    const res = (await flow.authorize(id, bill!.payload.amountFen)).json() as PaymentResponse;
    expect(verifyPayment(res.payment).state).toBe('voided');
    expect(res.receipt).toBeUndefined();
    expect(ledger(id)).toEqual({ postings: { n: 0 }, captures: { n: 0 }, voids: { n: 1 } });
    const audit = await h.repo.payments.listTransitions(id);
    expect(audit.at(-1)).toMatchObject({
      from: 'authorized',
      to: 'voided',
      detail: { reason: 'account_closed' },
    });
  });

  it('stays authorized (or posted) on a transient failure and resumes on the retry', async () => {
    const biller = h.app.billers as SimulatedBiller;
    const gateway = h.app.gateway as SimulatedGateway;
    const [bill] = await flow.bills('electricity', '2002000002');
    const created = (await flow.create(bill!.payload.id, bill!.payload.amountFen)).json() as PaymentResponse;
    const id = created.payment.payload.id;
    await flow.step(id, 'present');
    biller.failNextPostings(1);
    const down = await flow.authorize(id, bill!.payload.amountFen);
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ error: { code: ErrorCode.BILLER_UNAVAILABLE } });
    expect((await h.repo.payments.get(id))?.state).toBe('authorized');
    gateway.failNextCaptures(1);
    const acquirer = await flow.authorize(id, bill!.payload.amountFen);
    expect(acquirer.json()).toMatchObject({ error: { code: ErrorCode.GATEWAY_ERROR } });
    expect((await h.repo.payments.get(id))?.state).toBe('posted');
    const done = (await flow.authorize(id, bill!.payload.amountFen)).json() as PaymentResponse;
    expect(verifyPayment(done.payment).state).toBe('receipted');
    expect(ledger(id)).toEqual({ postings: { n: 1 }, captures: { n: 1 }, voids: { n: 0 } });
  });

  it('keeps payments private to their kiosk and to kiosks', async () => {
    const res = await flow.pay('gas', '3003000003');
    const id = res.payment.payload.id;
    const asLobby = await lobby.call(h.app, { method: 'GET', url: `/api/v1/device/payments/${id}` });
    expect(asLobby.json()).toMatchObject({ error: { code: ErrorCode.DEVICE_ROLE } });
    const bad = await flow.kiosk.call(h.app, { method: 'GET', url: '/api/v1/device/payments/not-an-id' });
    expect(bad.json()).toMatchObject({
      error: { code: ErrorCode.BAD_REQUEST, details: { field: 'params/id' } },
    });
  });
});

describe('terminal results the acquirer cannot confirm (issue #10, security 8)', () => {
  /** A presented card payment for the first bill of the account. */
  async function presented(billerId: string, account: string) {
    const [bill] = await flow.bills(billerId, account);
    const created = (await flow.create(bill!.payload.id, bill!.payload.amountFen)).json() as PaymentResponse;
    const id = created.payment.payload.id;
    const present = (await flow.step(id, 'present')).json() as PaymentResponse;
    return { id, amountFen: bill!.payload.amountFen, created, present };
  }

  async function expectRefused(id: string, res: { statusCode: number; json(): unknown }, state: string) {
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      error: { code: ErrorCode.TERMINAL_RESULT_UNVERIFIED, details: { paymentId: id } },
    });
    expect((await h.repo.payments.get(id))?.state).toBe(state);
    expect(ledger(id)).toEqual({ postings: { n: 0 }, captures: { n: 0 }, voids: { n: 0 } });
    expect((await h.repo.payments.listTransitions(id)).at(-1)).toMatchObject({
      from: state,
      to: state,
      actor: `device:${flow.kiosk.id}`,
      detail: { refused: ErrorCode.TERMINAL_RESULT_UNVERIFIED },
    });
  }

  it('issues the terminal request with the presented payment, not before', async () => {
    const p = await presented('property', '4004000003');
    expect(verifyPayment(p.created.payment).saleToAcquirerData).toBeUndefined();
    expect(verifyPayment(p.present.payment).saleToAcquirerData).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('refuses "approved" with a made-up card token, posts and captures nothing, and audits it; the genuine approval then pays once', async () => {
    const p = await presented('electricity', '2002000003');
    const forged = {
      outcome: 'approved' as const,
      amountFen: p.amountFen,
      reference: p.id,
      authCode: 'A1B2C3',
      maskedCard: '622202******1234',
      cardToken: 'tok_made_up_by_the_device',
    };
    await expectRefused(p.id, await flow.report(p.id, forged), 'presented');
    // A made-up acquirer reference, plain or shaped like the simulated acquirer's, is refused the same way.
    for (const acquirerTransactionId of ['ACQ-0000000001', 'sima1.eyJTYWxlVHJhbnNhY3Rpb25JRCI6MX0.AAAA']) {
      await expectRefused(p.id, await flow.report(p.id, { ...forged, acquirerTransactionId }), 'presented');
    }

    // Not even a reference: too long, or with spaces and control characters. Refused by the schema.
    for (const acquirerTransactionId of ['x'.repeat(513), 'ACQ 1\n']) {
      const bad = await flow.report(p.id, { ...forged, acquirerTransactionId });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: { code: ErrorCode.BAD_REQUEST } });
    }
    expect(ledger(p.id)).toEqual({ postings: { n: 0 }, captures: { n: 0 }, voids: { n: 0 } });

    const genuine = await flow.authorize(p.id, p.amountFen);
    expect(genuine.statusCode).toBe(200);
    const again = await flow.authorize(p.id, p.amountFen);
    expect((again.json() as PaymentResponse).receipt).toEqual((genuine.json() as PaymentResponse).receipt);
    expect(verifyPayment((genuine.json() as PaymentResponse).payment).state).toBe('receipted');
    expect(ledger(p.id)).toEqual({ postings: { n: 1 }, captures: { n: 1 }, voids: { n: 0 } });
    // What capture used is the acquirer's reference it confirmed, not the device's card token.
    const stored = await h.repo.payments.get(p.id);
    expect(stored?.cardToken).toMatch(/^sima1\./);
  });

  it('refuses the acquirer authorization of another payment', async () => {
    const a = await presented('gas', '3003000004');
    const b = await presented('electricity', '2002000004');
    const aApproval = await flow.approval(a.id, a.amountFen);
    expect((await flow.report(a.id, aApproval)).statusCode).toBe(200);
    // Replayed for B as it is: it names A, refused before anything is asked.
    const asIs = await flow.report(b.id, aApproval);
    expect(asIs.json()).toMatchObject({ error: { code: ErrorCode.BAD_REQUEST } });
    expect(ledger(b.id)).toEqual({ postings: { n: 0 }, captures: { n: 0 }, voids: { n: 0 } });
    // With B's id and amount claimed around A's acquirer reference: the acquirer's record says A.
    const replay = { ...aApproval, reference: b.id, amountFen: b.amountFen };
    await expectRefused(b.id, await flow.report(b.id, replay), 'presented');
    expect(ledger(a.id)).toEqual({ postings: { n: 1 }, captures: { n: 1 }, voids: { n: 0 } });
  });

  it('refuses an authorization of this payment for another amount', async () => {
    const p = await presented('property', '4004000001');
    // The terminal was made to charge 1 fen; the kiosk claims the whole bill.
    const res = await flow.authorize(p.id, p.amountFen, {}, { AuthorizedAmount: 1 });
    await expectRefused(p.id, res, 'presented');
    const less = await flow.authorize(p.id, p.amountFen, {}, { AuthorizedAmount: p.amountFen - 100 });
    await expectRefused(p.id, less, 'presented');
  });

  it('refuses an approval not obtained for the control plane’s terminal request, also after a lost answer', async () => {
    const p = await presented('property', '4004000002');
    const unknown = await flow.kiosk.call(h.app, {
      method: 'POST',
      url: `/api/v1/device/payments/${p.id}/unknown`,
      payload: { reason: 'terminal gave no answer' },
    });
    expect(verifyPayment((unknown.json() as PaymentResponse).payment).state).toBe('unknown');
    const noRequest = await flow.authorize(p.id, p.amountFen, {}, { SaleToAcquirerData: undefined });
    await expectRefused(p.id, noRequest, 'unknown');
    const otherRequest = await flow.authorize(p.id, p.amountFen, {}, { SaleToAcquirerData: 'x'.repeat(22) });
    await expectRefused(p.id, otherRequest, 'unknown');
    const otherCurrency = await flow.authorize(p.id, p.amountFen, {}, { Currency: 'USD' });
    await expectRefused(p.id, otherCurrency, 'unknown');
  });

  it('the simulated acquirer captures only its own authorization, for that payment and amount', async () => {
    const gateway = h.app.gateway as SimulatedGateway;
    const p = await presented('gas', '3003000005');
    const genuine = (await flow.approval(p.id, p.amountFen)).acquirerTransactionId!;
    await expect(gateway.capture(p.id, 'tok_made_up', p.amountFen)).rejects.toMatchObject({
      code: ErrorCode.GATEWAY_ERROR,
    });
    await expect(gateway.capture('pay_other', genuine, p.amountFen)).rejects.toMatchObject({
      code: ErrorCode.GATEWAY_ERROR,
    });
    await expect(gateway.capture(p.id, genuine, p.amountFen + 1)).rejects.toMatchObject({
      code: ErrorCode.GATEWAY_ERROR,
    });
    expect(ledger(p.id).captures).toEqual({ n: 0 });
    expect(await gateway.lookupAuthorization(genuine)).toMatchObject({
      saleTransactionId: p.id,
      amountFen: p.amountFen,
      currency: 'CNY',
      saleToAcquirerData: verifyPayment(p.present.payment).saleToAcquirerData,
    });
  });
});
