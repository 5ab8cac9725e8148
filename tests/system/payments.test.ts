/**
 * Issue #5 end to end, as the demo runs it: a control plane and a kiosk as real processes. A resident pays by
 * account and by resident card, with the card terminal and with a QR wallet (the payer confirms on the
 * simulated wallet's page, whose signed notification then arrives over HTTP); declined, paper-out and
 * blocked paths; reprints; and the day's reconciliation adds up.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { eventually, freePort, LinliProcess } from '../helpers/processes.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../helpers/requirements.js';

const root = mkdtempSync(join(tmpdir(), 'linli-payments-'));
const artifacts = join(process.cwd(), 'test-results', 'payments');
const procs: LinliProcess[] = [];
let cp: LinliProcess;
let cpPort = 0;
let cpUrl = '';
let kiosk = '';
let admin: AdminClient;
const CARD = '04A1B2C3D4E5F6';

interface View {
  key: string;
  status: string;
  final: boolean;
  cancelable: boolean;
  method: string;
  amountFen: number;
  paymentId?: string;
  qr?: { codeUrl: string; imageUrl: string };
  receipt?: {
    id: string;
    verifyUrl: string;
    printed: boolean;
    qrImageUrl: string;
    printError?: { code: string };
  };
}
interface Session {
  version: number;
  busy: boolean;
  canIdleReset: boolean;
  blocked?: { code: string };
  card?: { status: string; accounts?: { billerId: string; bills: { id: string; amountFen: number }[] }[] };
}

async function call<T>(path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${kiosk}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
const bill = async (billerId: string, account: string) =>
  (await call<{ bills: { id: string; amountFen: number }[] }>('/kiosk/api/bills', { billerId, account })).body
    .bills[0]!;
const until = async (key: string, done: (v: View) => boolean, what: string) =>
  eventually(
    async () => {
      const v = (await call<View>(`/kiosk/api/payments/${key}?waitMs=1000`)).body;
      return done(v) ? v : undefined;
    },
    20_000,
    what,
  );

async function startControlPlane(): Promise<void> {
  cp = new LinliProcess('control-plane', [
    'control-plane',
    '--data',
    join(root, 'cp'),
    '--port',
    String(cpPort),
  ]);
  procs.push(cp);
  await cp.waitFor(/Control plane listening on/);
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  cpPort = await freePort();
  cpUrl = `http://127.0.0.1:${cpPort}`;
  await startControlPlane();
  const [, password] = await cp.waitFor(/created admin "admin" with password: (\S+)/);
  admin = await AdminClient.login(cpUrl, 'admin', password!);
  const [city] = await admin.listNodes();
  const district = await admin.createNode({ parentId: city!.id, name: '和平区' });
  const street = await admin.createNode({ parentId: district.id, name: '幸福街道' });
  const community = await admin.createNode({ parentId: street.id, name: '阳光社区' });
  await admin.linkCard({
    nodeId: community.id,
    cardUid: CARD,
    label: '3-2-501',
    accounts: [
      { billerId: 'water', account: '1001000002' },
      { billerId: 'gas', account: '3003000002' },
    ],
  });
  const state = join(root, 'kiosk');
  const token = await admin.createToken({ nodeId: community.id, role: 'kiosk', maxUses: 1 });
  const enroll = new LinliProcess('enroll', [
    'enroll',
    '--server',
    cpUrl,
    '--token',
    token.token,
    '--state',
    state,
    '--role',
    'kiosk',
  ]);
  expect(await enroll.exited).toBe(0);
  writeFileSync(
    join(state, 'device.json'),
    JSON.stringify({
      http: { retryBaseMs: 50 },
      payment: { terminalTimeoutMs: 3_000, resumeIntervalMs: 300, statusPollMs: 200, reprintPollMs: 1_000 },
    }),
  );
  const dev = new LinliProcess('kiosk', ['device', '--state', state, '--port', '0']);
  procs.push(dev);
  kiosk = (await dev.waitFor(/serving on (http:\/\/\S+)/))[1]!;
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  rmSync(root, { recursive: true, force: true });
});

describe('paying bills at a kiosk', () => {
  it('by resident card and QR wallet: the payer confirms on the wallet page, the kiosk prints a verifiable receipt', async () => {
    await call('/kiosk/api/sim/card', { cardUid: CARD });
    const session = await eventually(
      async () => {
        const s = (await call<Session>('/kiosk/api/session')).body;
        return s.card?.status === 'found' ? s : undefined;
      },
      10_000,
      'the card read',
    );
    expect(session.card!.accounts!.map((a) => a.billerId)).toEqual(['water', 'gas']);
    const water = session.card!.accounts![0]!.bills[0]!;

    const started = await call<View>('/kiosk/api/payments', { billId: water.id, method: 'qr', wait: false });
    expect(started.body).toMatchObject({ status: 'awaiting_scan', method: 'qr', cancelable: true });
    const s = (await call<Session>('/kiosk/api/session')).body;
    expect(s).toMatchObject({ busy: true, canIdleReset: false });
    const svg = await (await fetch(`${kiosk}${started.body.qr!.imageUrl}`)).text();
    expect(svg).toContain('<svg');
    const page = await (await fetch(started.body.qr!.codeUrl)).text();
    expect(page).toContain('确认支付');
    const confirm = await fetch(`${started.body.qr!.codeUrl}/confirm`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(confirm.status).toBe(303);

    const paid = await until(started.body.key, (v) => v.final, 'the QR payment to finish');
    expect(paid).toMatchObject({ status: 'paid', amountFen: water.amountFen });
    expect(paid.receipt!.printed).toBe(true);
    const verdict = (await (
      await fetch(paid.receipt!.verifyUrl, { headers: { accept: 'application/json' } })
    ).json()) as {
      valid: boolean;
      receipt: { method: string };
    };
    expect(verdict).toMatchObject({ valid: true, receipt: { method: 'qr' } });
    // The session lets go of the payment a moment after the final state is visible (seen once in CI under
    // load): wait for it, bounded; what must never happen is an idle reset while the payment is open (above).
    await eventually(
      async () => ((await call<Session>('/kiosk/api/session')).body.canIdleReset ? true : undefined),
      5_000,
      'the idle reset to be allowed again',
    );
  });

  it('by account number at the terminal: a decline charges nothing, an approval pays', async () => {
    await call('/kiosk/api/sim/terminal', { behaviour: 'decline' });
    const b = await bill('electricity', '2002000004');
    const declined = await call<View>('/kiosk/api/payments', { billId: b.id });
    expect(declined.body).toMatchObject({ status: 'declined', final: true });
    await call('/kiosk/api/sim/terminal', { behaviour: 'lost-response' });
    const again = await call<View>('/kiosk/api/payments', {
      billId: (await bill('electricity', '2002000004')).id,
    });
    // The terminal's answer was lost; its status query found the approval: paid once, never charged twice.
    expect(again.body).toMatchObject({ status: 'paid', final: true });
    await call('/kiosk/api/sim/terminal', { behaviour: 'approve' });
  });

  it('refuses another community’s account with a code', async () => {
    const res = await call<{ error: { code: string } }>('/kiosk/api/bills', {
      billerId: 'water',
      account: '1001000006',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('LINLI_ERR_ACCOUNT_SCOPE');
  });

  it('out of paper: the payment stands and the receipt QR is shown; reprint once paper is back', async () => {
    await call('/kiosk/api/sim/printer', { paper: 'out' });
    const paid = await call<View>('/kiosk/api/payments', { billId: (await bill('gas', '3003000003')).id });
    expect(paid.body).toMatchObject({
      status: 'paid',
      receipt: { printed: false, printError: { code: 'DEVICE_PAPER_OUT' } },
    });
    expect(await (await fetch(`${kiosk}${paid.body.receipt!.qrImageUrl}`)).text()).toContain('<svg');
    const noPaper = await call<{ error: { code: string; details: { verifyUrl: string } } }>(
      '/kiosk/api/receipts/reprint',
      {},
    );
    expect(noPaper.status).toBe(503);
    expect(noPaper.body.error).toMatchObject({
      code: 'LINLI_ERR_PRINTER_UNAVAILABLE',
      details: { verifyUrl: paid.body.receipt!.verifyUrl },
    });
    await call('/kiosk/api/sim/printer', { paper: 'ok' });
    expect((await call<{ printed: boolean }>('/kiosk/api/receipts/reprint', {})).body.printed).toBe(true);
  });

  it('prints a reprint staff asked for from the admin side', async () => {
    const [p] = await admin.listPayments({ state: 'closed' });
    const r = await admin.reprint(p!.id);
    expect(r.state).toBe('pending');
    // The kiosk is pushed over its channel (and polls); the request ends printed.
    await eventually(
      async () => {
        const conn = new Database(join(root, 'cp', 'linli.sqlite'), { readonly: true });
        try {
          const row = conn.prepare('SELECT state FROM reprint_requests WHERE id = ?').get(r.id) as {
            state: string;
          };
          return row.state === 'printed';
        } finally {
          conn.close();
        }
      },
      15_000,
      'the admin reprint to print',
    );
  });

  it('blocks new payments while an earlier one is unresolved, and resolves it when the control plane is back', async () => {
    const b = await bill('property', '4004000002');
    await cp.stop();
    const parked = await call<View>('/kiosk/api/payments', { billId: b.id });
    expect(parked.body.status).toBe('unresolved');
    const blocked = (await call<Session>('/kiosk/api/session')).body;
    expect(blocked).toMatchObject({
      busy: true,
      canIdleReset: false,
      blocked: { code: 'LINLI_ERR_PAYMENT_UNRESOLVED' },
    });
    const refused = await call<{ error: { code: string } }>('/kiosk/api/payments', { billId: b.id });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('LINLI_ERR_PAYMENT_UNRESOLVED');
    await startControlPlane();
    const resolved = await until(parked.body.key, (v) => v.final, 'the parked payment to resolve');
    // Nobody stands at the kiosk after a restart of the flow: a payment that never reached the terminal is canceled.
    expect(resolved.status).toBe('canceled');
    expect((await call<Session>('/kiosk/api/session')).body.blocked).toBeUndefined();
  });

  it('the day’s reconciliation adds up', async () => {
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const r = await admin.reconciliation(date);
    expect(r.balanced).toBe(true);
    expect(r.totals.capturedCount).toBe(3);
    expect(r.totals.capturedFen).toBe(r.totals.postedFen);
    expect(r.byCommunity.map((c) => c.name)).toEqual(['阳光社区']);
    const csv = await admin.reconciliationCsv(date);
    expect(csv).toContain('total,total');
  });

  it.skipIf(missing('chromium', hasChromium()))('the kiosk page pays by QR in Chromium', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
      await page.goto(`${kiosk}/kiosk`);
      await page.click('[data-testid="go-pay"]');
      await page.click('[data-biller="electricity"]');
      for (const d of '2002000005') await page.click(`.numpad .key[data-key="${d}"]`);
      await page.click('[data-testid="lookup"]');
      await page.click('[data-testid="pay-qr"]');
      await page.waitForSelector('.pay-status[data-status="awaiting_scan"] img.qr');
      await page.screenshot({ path: join(artifacts, 'kiosk-qr.png') });
      const codeUrl = await page.getAttribute('[data-testid="wallet-link"]', 'href');
      const wallet = await browser.newPage();
      await wallet.goto(codeUrl!);
      await wallet.click('#confirm');
      await wallet.waitForSelector('[data-status="SUCCESS"]');
      await page.waitForSelector('.pay-status[data-status="paid"]', { timeout: 15_000 });
      await page.waitForFunction(
        "document.querySelector('img.receipt-preview')?.naturalWidth > 0",
        undefined,
        {
          timeout: 10_000,
        },
      );
      await page.screenshot({ path: join(artifacts, 'kiosk-paid.png') });
      expect(await page.textContent('main')).toContain('缴费成功');
    } finally {
      await browser.close();
    }
  });
});
