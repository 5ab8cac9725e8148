import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import type { BillView } from './payment/bill-desk.js';
import type { SessionView } from './payment/kiosk-session.js';
import type { PaymentView } from './payment/payment-view.js';
import { captureLogger } from './testing/capture-logger.js';
import { ControlPlaneDouble } from './testing/control-plane-double.js';
import { startRuntime } from './testing/start-runtime.js';

const cp = new ControlPlaneDouble();
beforeAll(async () => {
  await cp.start();
});
afterAll(async () => {
  await cp.stop();
});

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const json = async <T>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T;
const session = (url: string) => json<SessionView>(fetch(`${url}/kiosk/api/session`));
const plug = (url: string, peripheral: string, plugged: boolean) =>
  post(`${url}/kiosk/api/sim/plug`, { peripheral, plugged });
const ACCOUNTS = { water: '100100000001', electricity: '200200000001' } as const;
const bill = async (url: string, billerId: keyof typeof ACCOUNTS) =>
  (
    await json<{ bills: BillView[] }>(
      post(`${url}/kiosk/api/bills`, { billerId, account: ACCOUNTS[billerId] }),
    )
  ).bills[0]!;
const slow = { timeout: 30_000, interval: 100 };

describe('kiosk runtime with peripherals that come and go (hotplug, simulated cables)', () => {
  it('starts with the printer unplugged, pays with an e-receipt QR, and prints again once it is plugged in', async () => {
    const { runtime, url } = await startRuntime(cp, 'kiosk', {
      peripherals: { printer: { transport: { kind: 'sim' }, sim: { faults: ['unplugged'] } } },
    });
    try {
      const s = await session(url);
      expect(s.peripherals.printer).toBeNull();
      expect(s.peripherals.terminal).toMatchObject({ power: 'online' });
      expect(s.methods).toEqual({
        offered: ['terminal', 'qr'],
        configured: ['terminal', 'qr'],
        terminal: true,
        printer: false,
      });
      const health = await json<{ payMethods: string[] }>(fetch(`${url}/healthz`));
      expect(health.payMethods).toEqual(['terminal', 'qr']);

      const paid = await json<PaymentView>(
        post(`${url}/kiosk/api/payments`, { billId: (await bill(url, 'water')).id }),
      );
      expect(paid).toMatchObject({ status: 'paid' });
      expect(paid.receipt).toMatchObject({ printed: false });
      expect(paid.receipt?.verifyUrl).toMatch(/^https?:\/\//);

      expect((await plug(url, 'printer', true)).status).toBe(200);
      await expect
        .poll(async () => (await session(url)).peripherals.printer, slow)
        .toMatchObject({ power: 'online' });
      expect((await session(url)).methods?.printer).toBe(true);
      const printed = await json<PaymentView>(
        post(`${url}/kiosk/api/payments`, { billId: (await bill(url, 'electricity')).id }),
      );
      expect(printed.receipt).toMatchObject({ printed: true });
    } finally {
      await runtime.stop();
    }
  });

  it('pulls the terminal: QR only, a card payment is refused; pulls both: nothing to pay with; replug restores', async () => {
    const { runtime, url } = await startRuntime(cp, 'kiosk');
    try {
      expect((await session(url)).methods?.offered).toEqual(['terminal', 'qr']);
      expect((await plug(url, 'terminal', false)).status).toBe(200);
      await expect.poll(async () => (await session(url)).peripherals.terminal, slow).toBeNull();
      expect((await session(url)).methods).toMatchObject({ offered: ['qr'], terminal: false });

      const b = await bill(url, 'water');
      const before = cp.payments.payments.size;
      const refused = await post(`${url}/kiosk/api/payments`, { billId: b.id, method: 'terminal' });
      expect(refused.status).toBe(409);
      expect((await json<{ error: { code: string } }>(refused)).error.code).toBe(
        ErrorCode.PAYMENT_METHOD_UNAVAILABLE,
      );
      expect(cp.payments.payments.size).toBe(before);

      // The admin's remote setting narrows it further: nothing left to pay with.
      await runtime.settings!.apply('payment.methods', ['terminal']);
      expect((await session(url)).methods).toMatchObject({ offered: [], configured: ['terminal'] });
      const none = await post(`${url}/kiosk/api/payments`, { billId: b.id });
      expect((await json<{ error: { code: string; message: string } }>(none)).error).toMatchObject({
        code: ErrorCode.PAYMENT_METHOD_UNAVAILABLE,
        message: expect.stringContaining('Payments are not available'),
      });

      expect((await plug(url, 'terminal', true)).status).toBe(200);
      await expect.poll(async () => (await session(url)).methods?.offered, slow).toEqual(['terminal']);
      const paid = await json<PaymentView>(post(`${url}/kiosk/api/payments`, { billId: b.id }));
      expect(paid).toMatchObject({ status: 'paid' });
    } finally {
      await runtime.stop();
    }
  });

  it('refuses to pull a cable of a peripheral that is not simulated', async () => {
    const { runtime, url } = await startRuntime(cp, 'kiosk', {
      peripherals: { cardReader: { transport: { kind: 'none' } } },
    });
    try {
      const res = await plug(url, 'cardReader', false);
      expect(res.status).toBe(404);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe(ErrorCode.SIMULATOR_ONLY);
      expect((await plug(url, 'printer', false)).status).toBe(200);
    } finally {
      await runtime.stop();
    }
  });

  it('a serial printer goes through the hotplug device manager: absent at boot, the kiosk runs; its path appearing is noticed', {
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linli-dev-'));
    const path = join(dir, 'linli-printer');
    const { log, records } = captureLogger();
    const { runtime, url } = await startRuntime(
      cp,
      'kiosk',
      { peripherals: { printer: { transport: { kind: 'serial', path } } } },
      log,
    );
    try {
      const s = await session(url);
      expect(s.peripherals.printer).toBeNull();
      expect(s.peripherals.terminal).toMatchObject({ power: 'online' });
      expect(s.methods).toMatchObject({ offered: ['terminal', 'qr'], printer: false });
      // A character device appears at the stable path (as udev makes the link), but it is no serial printer:
      // the device manager tries to open it, says so, and retries; the kiosk goes on without a printer.
      symlinkSync('/dev/null', path);
      await expect
        .poll(
          () => records().some((r) => /the printer is plugged in but did not start/.test(String(r.msg))),
          slow,
        )
        .toBe(true);
      expect((await session(url)).peripherals.printer).toBeNull();
      const paid = await json<PaymentView>(
        post(`${url}/kiosk/api/payments`, { billId: (await bill(url, 'water')).id }),
      );
      expect(paid).toMatchObject({ status: 'paid', receipt: { printed: false } });
    } finally {
      await runtime.stop();
    }
  });
});
