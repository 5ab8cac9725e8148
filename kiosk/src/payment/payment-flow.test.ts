import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_HEADER } from '../../../protocol/api.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { DeviceApiClient } from '../api-client.js';
import type { DeviceIdentity } from '../identity/identity.js';
import { Trust } from '../identity/trust.js';
import { silentLogger } from '../logger.js';
import { stateLayout } from '../state/state-layout.js';
import { ControlPlaneDouble } from '../testing/control-plane-double.js';
import { enrolledDevice } from '../testing/enrolled-device.js';
import { PrinterDouble, TerminalDouble } from '../testing/peripheral-doubles.js';
import { BillDesk } from './bill-desk.js';
import { PaymentFlow } from './payment-flow.js';
import { PaymentJournal } from './payment-journal.js';
import { paymentView } from './payment-view.js';

const cp = new ControlPlaneDouble();
let identity: DeviceIdentity;
let stateDir: string;

interface Sent {
  line: string;
  key: string | undefined;
  body: string | undefined;
}

/** A kiosk wired to the double, with a fetch that records requests and can simulate a dead network. */
async function kiosk(opts: { netDown?: RegExp } = {}) {
  const sent: Sent[] = [];
  const journalFile = stateLayout(stateDir).payments;
  const journalAtSend: { key: string; step: string | undefined }[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const line = `${init?.method ?? 'GET'} ${url.pathname}`;
    sent.push({ line, key: headers[IDEMPOTENCY_HEADER], body: init?.body as string | undefined });
    if (line === 'POST /api/v1/device/payments') {
      const key = headers[IDEMPOTENCY_HEADER]!;
      const onDisk = JSON.parse(await readFile(journalFile, 'utf8'));
      journalAtSend.push({ key, step: onDisk.entries.find((e: { key: string }) => e.key === key)?.step });
    }
    if (opts.netDown?.test(line)) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    return fetch(input, init);
  };
  const api = new DeviceApiClient({
    serverUrl: cp.url,
    identity,
    log: silentLogger,
    fetch: fetchFn,
    retries: 2,
    retryBaseMs: 1,
  });
  const trust = new Trust(stateDir, identity);
  const journal = await PaymentJournal.open(journalFile);
  const terminal = new TerminalDouble();
  const printer = new PrinterDouble();
  const flow = new PaymentFlow({
    api,
    trust,
    journal,
    terminal,
    printer,
    deviceId: identity.deviceId,
    timeZone: 'Asia/Shanghai',
    log: silentLogger,
    terminalTimeoutMs: 5_000,
    statusRetryDelayMs: 1,
  });
  const desk = new BillDesk({ api, trust, deviceId: identity.deviceId, log: silentLogger });
  const bill = async (account = '100100000001', billerId: 'water' | 'electricity' = 'water') =>
    desk.take((await desk.lookup({ billerId, account })).bills[0]!.id);
  return { api, journal, terminal, printer, flow, desk, bill, sent, journalAtSend };
}

beforeAll(async () => {
  await cp.start();
});
afterAll(async () => {
  await cp.stop();
});
beforeEach(async () => {
  ({ identity, stateDir } = await enrolledDevice(cp, 'kiosk'));
});

const paymentsFor = (billId: string) =>
  [...cp.payments.payments.values()].filter((p) => p.payment.billId === billId);

describe('payment flow', () => {
  it('journals the key before the first request, then pays, prints and closes once', async () => {
    const k = await kiosk();
    const bill = await k.bill();
    const before = cp.payments.authorizations;
    const entry = await k.flow.pay(bill);

    expect(entry.step).toBe('closed');
    expect(entry.history.map((h) => h.step)).toEqual([
      'intent',
      'created',
      'presented',
      'terminal_result',
      'receipted',
      'printing',
      'printed',
      'closed',
    ]);
    expect(k.journalAtSend).toEqual([{ key: entry.key, step: 'intent' }]);
    expect(cp.payments.authorizations - before).toBe(1);
    expect(k.terminal.payCalls).toBe(1);
    expect(k.terminal.charges.get(entry.paymentId!)?.reference).toBe(entry.paymentId);
    const server = cp.payments.payments.get(entry.paymentId!)!;
    expect(server.payment.state).toBe('closed');
    // The terminal was handed the control plane's terminal request, and the acquirer's reference of the
    // authorization went back to the control plane unchanged (it looks it up there before taking money).
    expect(server.payment.saleToAcquirerData).toMatch(/^req_/);
    expect(k.terminal.requests.map((r) => r.saleToAcquirerData)).toEqual([server.payment.saleToAcquirerData]);
    const reported = k.sent.find((s) => s.line.endsWith('/authorization'))!;
    expect(JSON.parse(reported.body!).terminal.acquirerTransactionId).toBe(
      k.terminal.charges.get(entry.paymentId!)!.acquirerTransactionId,
    );

    const job = k.printer.jobs[0]!;
    expect(job.id).toBe(server.receipt!.id);
    const text = JSON.stringify(job.blocks);
    for (const s of [
      '幸福里社区',
      '自来水费',
      '********0001',
      '￥38.50',
      'A1B2C3',
      entry.paymentId!,
      '银行卡',
    ]) {
      expect(text).toContain(s);
    }
    expect(job.blocks).toContainEqual(
      expect.objectContaining({ kind: 'qr', data: server.receipt!.verifyUrl }),
    );
    expect(job.blocks.at(-1)).toEqual({ kind: 'cut' });

    const view = paymentView(entry, { previewUrl: (id) => `/kiosk/receipts/${id}.png` });
    expect(view).toMatchObject({ status: 'paid', amountText: '￥38.50', authCode: 'A1B2C3' });
    expect(view.receipt).toMatchObject({ printed: true, previewUrl: `/kiosk/receipts/${job.id}.png` });
  });

  it('re-sends the same key and body after a lost create response and pays once', async () => {
    const k = await kiosk();
    const bill = await k.bill();
    cp.dropRules.push({ match: /^POST \/api\/v1\/device\/payments$/, times: 1 });
    const entry = await k.flow.pay(bill);
    expect(entry.step).toBe('closed');
    const creates = k.sent.filter((s) => s.line === 'POST /api/v1/device/payments');
    expect(creates).toHaveLength(2);
    expect(new Set(creates.map((c) => c.key))).toEqual(new Set([entry.key]));
    expect(creates[0]!.body).toBe(creates[1]!.body);
    expect(paymentsFor(bill.payload.id)).toHaveLength(1);
    expect(k.terminal.payCalls).toBe(1);
  });

  it('resolves a lost authorization answer from the signed payment state, without charging again', async () => {
    const k = await kiosk();
    const bill = await k.bill();
    const before = cp.payments.authorizations;
    cp.dropRules.push({ match: /\/authorization$/, times: 1 });
    const entry = await k.flow.pay(bill);
    expect(entry.step).toBe('closed');
    expect(k.sent.filter((s) => s.line.endsWith('/authorization'))).toHaveLength(2);
    expect(cp.payments.authorizations - before).toBe(1);
    expect(k.terminal.payCalls).toBe(1);
    expect(k.printer.jobs).toHaveLength(1);
  });

  it('parks on a dead network after the charge, refuses a new payment, and finishes after a restart', async () => {
    const down = await kiosk({ netDown: /\/authorization$/ });
    const bill = await down.bill();
    const parked = await down.flow.pay(bill);
    expect(parked.step).toBe('terminal_result');
    expect(parked.error?.code).toBe(ErrorCode.UNAVAILABLE);
    expect(paymentView(parked).status).toBe('unresolved');
    await expect(down.flow.pay(await down.bill('200200000001', 'electricity'))).rejects.toMatchObject({
      code: ErrorCode.PAYMENT_UNRESOLVED,
    });

    // Restart: a new process reads the journal from disk and resolves what is open.
    const up = await kiosk();
    // Same physical terminal across the restart: it remembers what it charged.
    for (const [ref, r] of down.terminal.charges) up.terminal.charges.set(ref, r);
    await up.flow.resumeAll();
    const done = up.journal.get(parked.key)!;
    expect(done.step).toBe('closed');
    expect(up.terminal.payCalls).toBe(0);
    expect(up.printer.jobs).toHaveLength(1);
    expect(paymentsFor(bill.payload.id)).toHaveLength(1);
    expect(cp.payments.payments.get(done.paymentId!)!.payment.state).toBe('closed');
  });

  it('after a crash at the terminal, asks the terminal instead of charging again', async () => {
    const first = await kiosk();
    first.terminal.behaviour = 'offline';
    const charged = await first.flow.pay(await first.bill());
    // No answer is not a failure: the payment is `unknown` on both sides until a status query says.
    expect(charged.step).toBe('unknown');
    expect(charged.error?.code).toBe(ErrorCode.PAYMENT_UNRESOLVED);
    expect(cp.payments.payments.get(charged.paymentId!)!.payment.state).toBe('unknown');
    await expect(first.flow.pay(await first.bill('200200000001', 'electricity'))).rejects.toMatchObject({
      code: ErrorCode.PAYMENT_UNRESOLVED,
    });

    // The terminal did charge just before the kiosk lost it: only its status query knows.
    const again = await kiosk();
    again.terminal.charges.set(charged.paymentId!, {
      outcome: 'approved',
      reference: charged.paymentId!,
      amountFen: charged.request.amountFen,
      authCode: 'Z9Y8X7',
      maskedCard: '622202******9999',
      acquirerTransactionId: 'ACQ-Z9Y8X7',
    });
    await again.flow.resumeAll();
    expect(again.journal.get(charged.key)!.step).toBe('closed');
    expect(again.terminal.payCalls).toBe(0);
    expect(JSON.stringify(again.printer.jobs[0]!.blocks)).toContain('Z9Y8X7');
  });

  it('cancels a payment the terminal never saw after a restart', async () => {
    const first = await kiosk();
    first.terminal.behaviour = 'offline';
    const stuck = await first.flow.pay(await first.bill());
    const again = await kiosk();
    await again.flow.resumeAll();
    const entry = again.journal.get(stuck.key)!;
    expect(entry.step).toBe('canceled');
    expect(cp.payments.payments.get(entry.paymentId!)!.payment.state).toBe('canceled');
    expect(again.terminal.payCalls).toBe(0);
  });

  it('does not ask the terminal when the presented payment carries no terminal request', async () => {
    const k = await kiosk();
    cp.payments.issueTerminalRequest = false;
    try {
      const entry = await k.flow.pay(await k.bill());
      // Charging without it would take the card for an approval the control plane must refuse.
      expect(entry.step).toBe('canceled');
      expect(k.terminal.payCalls).toBe(0);
      expect(cp.payments.payments.get(entry.paymentId!)!.payment.state).toBe('canceled');
    } finally {
      cp.payments.issueTerminalRequest = true;
    }
  });

  it('parks an approval the control plane refuses: nothing printed, new payments wait', async () => {
    const k = await kiosk();
    k.terminal.acquirerReference = false;
    const entry = await k.flow.pay(await k.bill());
    expect(entry.step).toBe('terminal_result');
    expect(entry.error?.code).toBe(ErrorCode.TERMINAL_RESULT_UNVERIFIED);
    expect(paymentView(entry).status).toBe('unresolved');
    expect(k.printer.jobs).toHaveLength(0);
    await expect(k.flow.pay(await k.bill('200200000001', 'electricity'))).rejects.toMatchObject({
      code: ErrorCode.PAYMENT_UNRESOLVED,
    });
  });

  it('records a decline without printing', async () => {
    const k = await kiosk();
    k.terminal.behaviour = 'decline';
    const entry = await k.flow.pay(await k.bill());
    expect(entry.step).toBe('declined');
    expect(paymentView(entry).status).toBe('declined');
    expect(k.printer.jobs).toHaveLength(0);
    expect(cp.payments.payments.get(entry.paymentId!)!.payment.state).toBe('canceled');
  });

  it('closes a paid payment even when the printer is out of paper', async () => {
    const k = await kiosk();
    k.printer.paperOut = true;
    const entry = await k.flow.pay(await k.bill());
    expect(entry.step).toBe('closed');
    const view = paymentView(entry);
    expect(view.status).toBe('paid');
    expect(view.receipt?.printed).toBe(false);
    expect(view.receipt?.printError?.code).toBe('DEVICE_PAPER_OUT');
  });

  it('never shows or pays a bill whose signature does not verify', async () => {
    const k = await kiosk();
    cp.payments.forgeBills = true;
    try {
      await expect(k.desk.lookup({ billerId: 'water', account: '100100000001' })).rejects.toMatchObject({
        code: ErrorCode.SIGNATURE_INVALID,
      });
      expect(() => k.desk.take('bill_01JDQ0000000000000000000AB')).toThrow(LinliError);
    } finally {
      cp.payments.forgeBills = false;
    }
  });

  it('refuses a corrupt journal instead of starting empty', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(stateLayout(stateDir).payments, '{"format":1,"entries":[{"key":');
    await expect(PaymentJournal.open(stateLayout(stateDir).payments)).rejects.toMatchObject({
      code: ErrorCode.STATE_CORRUPT,
    });
  });
});
