/**
 * Remote configuration on a real DeviceRuntime (issue 12) against the control-plane double, which serves
 * targets signed with a fleet key of its keyset: a target applied (and kept across a restart without a
 * second report), a bad target refused whole, a replayed older target refused, a `between-sessions` change
 * waiting while a payment is open and applied when it ends, a rotated fleet key learnt from the keyset.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ErrorCode } from '../../protocol/errors.js';
import { generateSigningKey } from '../../protocol/keys.js';
import type { ConfigReport } from '../../protocol/schemas/fleet.js';
import type { BillView } from './payment/bill-desk.js';
import type { PaymentView } from './payment/payment-view.js';
import type { PageSettingsView } from './roles/kiosk-page-settings.js';
import { stateLayout } from './state/state-layout.js';
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
const pageSettings = (url: string) => json<PageSettingsView>(fetch(`${url}/kiosk/api/settings`));

/** Waits for the n-th report of a device (1-based) and returns it. */
async function report(deviceId: string, n: number): Promise<ConfigReport> {
  await expect
    .poll(() => cp.config.reports.get(deviceId)?.length ?? 0, { timeout: 10_000 })
    .toBeGreaterThanOrEqual(n);
  return cp.config.reports.get(deviceId)![n - 1]!;
}

/** Opens the channel so `sync` topics reach the device. */
async function online(deviceId: string): Promise<void> {
  await expect.poll(() => cp.channels.has(deviceId), { timeout: 10_000 }).toBe(true);
}

describe('remote configuration on the device runtime', () => {
  it('applies a target, reports it, prints the receipt lines, and keeps it across a restart', async () => {
    const dev = await startRuntime(cp, 'kiosk');
    const { deviceId } = dev.info;
    let runtime = dev.runtime;
    try {
      await online(deviceId);
      expect((await pageSettings(dev.url)).idle.resetSec).toBe(90);
      cp.config.set(deviceId, {
        'idle.resetSec': 45,
        'audio.volume': 30,
        'ui.defaultLanguage': 'en',
        'receipt.headerLines': ['幸福里社区欢迎您'],
        'receipt.footerLines': ['服务电话 12345'],
      });
      const r1 = await report(deviceId, 1);
      expect(r1).toMatchObject({ targetVersion: 1, outcome: 'applied', pending: [], failed: [] });
      expect(r1.applied).toEqual(
        expect.arrayContaining([
          'idle.resetSec',
          'audio.volume',
          'ui.defaultLanguage',
          'receipt.headerLines',
        ]),
      );
      expect(r1.current['idle.resetSec']).toBe(45);
      const s = await pageSettings(dev.url);
      expect(s).toMatchObject({
        idle: { resetSec: 45 },
        audio: { volume: 30 },
        ui: { defaultLanguage: 'en' },
      });

      // The receipt carries the admin's lines.
      const { bills } = await json<{ bills: BillView[] }>(
        post(`${dev.url}/kiosk/api/bills`, { billerId: 'water', account: '100100000001' }),
      );
      const paid = await json<PaymentView>(post(`${dev.url}/kiosk/api/payments`, { billId: bills[0]!.id }));
      expect(paid.status).toBe('paid');
      const receiptId = cp.payments.payments.get(paid.paymentId!)!.receipt!.id;
      const binFile = join(stateLayout(dev.stateDir).printer, `${receiptId}.bin`);
      // The simulated printer writes its file just after the cut.
      await expect
        .poll(() =>
          readFile(binFile).then(
            () => true,
            () => false,
          ),
        )
        .toBe(true);
      const bin = await readFile(binFile);
      expect(bin.includes(iconv.encode('幸福里社区欢迎您', 'gbk'))).toBe(true);
      expect(bin.includes(iconv.encode('服务电话 12345', 'gbk'))).toBe(true);

      // An unchanged target is answered 304 and reported no more.
      const before = cp.requests.filter((l) => l === 'GET /api/v1/device/config').length;
      cp.pushRaw({ type: 'sync', topic: 'config' });
      await expect
        .poll(() => cp.requests.filter((l) => l === 'GET /api/v1/device/config').length)
        .toBeGreaterThan(before);
      await runtime.stop();

      // A restart with the control plane's config route down: the remote values are back from the first
      // answer, and nothing is reported again (no flap).
      cp.dropRules.push({ match: /^GET \/api\/v1\/device\/config$/, times: 1000 });
      runtime = dev.make();
      const { url } = await runtime.start();
      expect(await pageSettings(url)).toMatchObject({
        idle: { resetSec: 45 },
        ui: { defaultLanguage: 'en' },
      });
      const health = await json<{ config: { version: number; outcome: unknown } }>(fetch(`${url}/healthz`));
      expect(health.config.version).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(cp.config.reports.get(deviceId)).toHaveLength(1);
    } finally {
      cp.dropRules.splice(0);
      await runtime.stop();
    }
  });

  it('refuses a bad target whole and a replayed older one; the device keeps its state', async () => {
    const { runtime, url, info } = await startRuntime(cp, 'kiosk');
    const { deviceId } = info;
    try {
      await online(deviceId);
      const v1 = cp.config.set(deviceId, { 'idle.resetSec': 45, 'audio.volume': 30 });
      expect(await report(deviceId, 1)).toMatchObject({ targetVersion: 1, outcome: 'applied' });

      // One value out of bounds (signed all the same): nothing of it applies, not even the good value.
      cp.config.set(deviceId, { 'idle.resetSec': 50, 'audio.volume': 500 });
      const bad = await report(deviceId, 2);
      expect(bad).toMatchObject({ targetVersion: 2, outcome: 'refused', applied: [], pending: [] });
      expect(bad.failed).toEqual([
        expect.objectContaining({ key: 'audio.volume', code: ErrorCode.CONFIG_VALUE_INVALID }),
      ]);
      expect(bad.current).toMatchObject({ 'idle.resetSec': 45, 'audio.volume': 30 });
      expect(await pageSettings(url)).toMatchObject({ idle: { resetSec: 45 }, audio: { volume: 30 } });

      // A good version 3, then version 1 replayed: refused as stale; version 3 stays.
      cp.config.set(deviceId, { 'idle.resetSec': 120, 'audio.volume': 30 });
      expect(await report(deviceId, 3)).toMatchObject({ targetVersion: 3, outcome: 'applied' });
      cp.config.serve(deviceId, v1);
      const replay = await report(deviceId, 4);
      expect(replay).toMatchObject({ targetVersion: 1, outcome: 'refused' });
      expect(replay.failed[0]).toMatchObject({ key: 'target', code: ErrorCode.CONFIG_TARGET_STALE });
      expect((await pageSettings(url)).idle.resetSec).toBe(120);

      // Signed for another device, or by a fleet key no keyset lists (after one keyset refresh): refused.
      cp.config.serve(
        deviceId,
        cp.config.sign(deviceId, { 'idle.resetSec': 60 }, { forDevice: 'dev_01JZZZZZZZZZZZZZZZZZZZZZZZ' }),
      );
      expect((await report(deviceId, 5)).failed[0]).toMatchObject({ code: ErrorCode.CONFIG_TARGET_FOREIGN });
      const stranger = generateSigningKey('fleet');
      cp.config.set(deviceId, { 'idle.resetSec': 61 }, { key: stranger });
      expect((await report(deviceId, 6)).failed[0]).toMatchObject({ code: ErrorCode.KEY_UNKNOWN });
      expect((await pageSettings(url)).idle.resetSec).toBe(120);
    } finally {
      await runtime.stop();
    }
  });

  it('holds between-sessions settings while a payment is open and applies them when it ends', async () => {
    const { runtime, url, info } = await startRuntime(cp, 'kiosk');
    const { deviceId } = info;
    try {
      await online(deviceId);
      const { bills } = await json<{ bills: BillView[] }>(
        post(`${url}/kiosk/api/bills`, { billerId: 'electricity', account: '200200000001' }),
      );
      const qr = await json<PaymentView>(
        post(`${url}/kiosk/api/payments`, { billId: bills[0]!.id, method: 'qr', wait: false }),
      );
      expect(qr.final).toBe(false);
      cp.config.set(deviceId, { 'idle.resetSec': 60, 'ui.defaultLanguage': 'en', 'audio.volume': 55 });
      const waiting = await report(deviceId, 1);
      expect(waiting).toMatchObject({ targetVersion: 1, outcome: 'waiting', applied: ['audio.volume'] });
      expect(waiting.pending).toEqual([
        { key: 'idle.resetSec', waitingFor: 'payment' },
        { key: 'ui.defaultLanguage', waitingFor: 'payment' },
      ]);
      // Live ones are in effect at once; the others are not, while the resident pays.
      expect(await pageSettings(url)).toMatchObject({ idle: { resetSec: 90 }, audio: { volume: 55 } });

      await post(`${url}/kiosk/api/payments/${qr.key}/cancel`, {});
      const done = await report(deviceId, 2);
      expect(done).toMatchObject({ targetVersion: 1, outcome: 'applied', pending: [] });
      expect(await pageSettings(url)).toMatchObject({
        idle: { resetSec: 60 },
        ui: { defaultLanguage: 'en' },
      });
    } finally {
      await runtime.stop();
    }
  });

  it('learns a rotated fleet key from the keyset, reports what it cannot apply live, sets the log level', async () => {
    const logs = captureLogger();
    const { runtime, url, info, make } = await startRuntime(cp, 'kiosk', {}, logs.log);
    const { deviceId } = info;
    let again: ReturnType<typeof make> | undefined;
    const profileWarnings = () =>
      logs.records().filter((r) => r.level === 40 && r.key === 'printer.profile').length;
    try {
      await online(deviceId);
      const key = cp.addFleetKey();
      cp.config.set(deviceId, { 'idle.resetSec': 75, 'printer.profile': 'epson-tm-t88' }, { key });
      const r = await report(deviceId, 1);
      expect(cp.requests).toContain('GET /api/v1/device/keyset');
      expect(r).toMatchObject({ targetVersion: 1, outcome: 'partial', applied: ['idle.resetSec'] });
      expect(r.failed).toEqual([
        expect.objectContaining({ key: 'printer.profile', code: ErrorCode.CONFIG_RESTART_REQUIRED }),
      ]);
      expect(r.current['printer.profile']).toBe('cn-80mm');
      expect((await pageSettings(url)).idle.resetSec).toBe(75);
      expect(profileWarnings()).toBe(1);

      // log.level is live: at `error`, the same failure tried again logs no warning any more.
      cp.config.set(deviceId, {
        'idle.resetSec': 75,
        'printer.profile': 'epson-tm-t88',
        'log.level': 'error',
      });
      expect(await report(deviceId, 2)).toMatchObject({ targetVersion: 2, outcome: 'partial' });
      expect(profileWarnings()).toBe(1);

      // The restart the error asks for (the `reboot` command): the printer opens with the target's profile,
      // and the setting applies.
      await runtime.stop();
      again = make();
      await again.start();
      const r3 = await report(deviceId, 3);
      expect(r3).toMatchObject({ targetVersion: 2, outcome: 'applied', failed: [] });
      expect(r3.current['printer.profile']).toBe('epson-tm-t88');
    } finally {
      await runtime.stop();
      await again?.stop();
    }
  });

  it('an LED sign takes a new brightness schedule and poll interval live', async () => {
    const { runtime, url, info } = await startRuntime(cp, 'led');
    try {
      await online(info.deviceId);
      const state = () => json<{ brightness: number }>(fetch(`${url}/led/state.json`));
      await expect.poll(async () => (await state()).brightness).toBeGreaterThan(2);
      cp.config.set(info.deviceId, {
        'led.brightness': [{ from: '00:00', level: 2 }],
        'content.pollIntervalOnlineSec': 600,
      });
      expect(await report(info.deviceId, 1)).toMatchObject({ outcome: 'applied' });
      expect((await state()).brightness).toBe(2);
      const health = await json<{ contentPollMs: { onlineMs: number } }>(fetch(`${url}/healthz`));
      expect(health.contentPollMs.onlineMs).toBe(600_000);
    } finally {
      await runtime.stop();
    }
  });

  it('a lobby screen turns its page for a rotated mounting, pushed to the open page', async () => {
    const { runtime, url, info } = await startRuntime(cp, 'lobby');
    const ws = new WebSocket(`${url.replace('http', 'ws')}/screen/ws`);
    const orientations: string[] = [];
    ws.on('message', (m) => {
      const msg = JSON.parse(m.toString()) as { type: string; state?: { orientation?: string } };
      if (msg.type === 'state' && msg.state?.orientation) orientations.push(msg.state.orientation);
    });
    try {
      await online(info.deviceId);
      await expect.poll(() => orientations[0]).toBe('landscape');
      cp.config.set(info.deviceId, { 'screen.orientation': 'portrait-flipped' });
      expect(await report(info.deviceId, 1)).toMatchObject({
        outcome: 'applied',
        applied: ['screen.orientation'],
      });
      await expect.poll(() => orientations.at(-1)).toBe('portrait-flipped');
      const state = await json<{ orientation: string }>(fetch(`${url}/screen/state.json`));
      expect(state.orientation).toBe('portrait-flipped');
      expect(await (await fetch(`${url}/screen/player.css`)).text()).toContain(
        'html[data-orientation="portrait-flipped"] body',
      );
    } finally {
      ws.close();
      await runtime.stop();
    }
  });
});
