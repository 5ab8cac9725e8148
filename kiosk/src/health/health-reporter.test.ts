import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LedController } from '../../../device-drivers/contracts/led-controller.js';
import {
  createLedController,
  createReceiptPrinter,
  getSimulator,
  startDevice,
} from '../../../device-drivers/index.js';
import { DeviceHealth } from '../../../protocol/schemas/device-health.js';
import { isValid } from '../../../protocol/validate.js';
import { silentLogger } from '../logger.js';
import type { PeripheralEvents, Peripherals } from '../peripherals.js';
import { LiveSettings } from '../settings/live-settings.js';
import { EmergencyAcker } from './emergency-acks.js';
import { HealthReporter } from './health-reporter.js';
import { LedAckCounter, withLedAcks } from './led-acks.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function rig(
  peripherals: Peripherals,
  expected: ('printer' | 'terminal' | 'cardReader' | 'led')[],
  acks?: LedAckCounter,
) {
  const dir = mkdtempSync(join(tmpdir(), 'linli-health-'));
  const sent: DeviceHealth[] = [];
  const events = new EventEmitter() as PeripheralEvents;
  const settings = new LiveSettings();
  const reporter = new HealthReporter({
    role: expected.includes('led') ? 'led' : 'kiosk',
    expected,
    peripherals,
    events,
    settings,
    stateDir: dir,
    roleHealth: () => ({ unknownPayments: 2, browser: { alive: true, restarts: 1 } }),
    send: (m) => {
      sent.push(m);
      return true;
    },
    ...(acks ? { acks } : {}),
    log: silentLogger,
    debounceMs: 20,
  });
  reporter.start();
  cleanups.push(() => {
    reporter.stop();
    settings.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { reporter, sent, events, settings, last: () => sent.at(-1) };
}

const until = { timeout: 5_000, interval: 20 };

describe('HealthReporter with the drivers simulators', () => {
  it("reports the simulated printer's faults as they happen: paper low, out, cover open, unplugged, back", async () => {
    const printer = await createReceiptPrinter({ transport: { kind: 'sim' }, profile: 'cn-80mm' });
    cleanups.push(() => printer.close());
    await startDevice(printer);
    const sim = getSimulator(printer)!;
    const r = rig({ printer }, ['printer']);
    const printerNow = () => r.last()?.peripherals.printer;

    await vi.waitFor(
      () => expect(printerNow()).toEqual({ present: true, online: true, paper: 'ok', coverOpen: false }),
      until,
    );
    sim.printer!.setPaper('near-end');
    await vi.waitFor(() => expect(printerNow()?.paper).toBe('low'), until);
    sim.printer!.setPaper('out');
    await vi.waitFor(() => expect(printerNow()).toMatchObject({ online: true, paper: 'out' }), until);
    sim.printer!.setPaper('ok');
    sim.printer!.openCover();
    await vi.waitFor(
      () => expect(printerNow()).toMatchObject({ online: true, paper: 'ok', coverOpen: true }),
      until,
    );
    sim.printer!.closeCover();
    await vi.waitFor(() => expect(printerNow()?.coverOpen).toBe(false), until);
    sim.link.unplug();
    await vi.waitFor(
      () =>
        expect(printerNow()).toEqual({ present: true, online: false, paper: 'unknown', coverOpen: false }),
      until,
    );
    sim.link.replug();
    await vi.waitFor(() => expect(printerNow()).toMatchObject({ online: true, paper: 'ok' }), until);

    // Every message is what the control plane accepts, with the rest of the device's health.
    for (const m of r.sent) expect(isValid(DeviceHealth, m)).toBe(true);
    expect(r.last()).toMatchObject({
      type: 'health',
      unknownPayments: 2,
      browser: { alive: true, restarts: 1 },
      clockSkewMs: null,
    });
    expect(r.last()!.diskFreeBytes).toBeGreaterThan(0);
    expect(r.last()!.diskTotalBytes).toBeGreaterThanOrEqual(r.last()!.diskFreeBytes!);
  });

  it('a peripheral that goes from ctx.peripherals is reported absent, and present again when it comes back', async () => {
    const printer = await createReceiptPrinter({ transport: { kind: 'sim' }, profile: 'cn-80mm' });
    cleanups.push(() => printer.close());
    await startDevice(printer);
    const devices: Peripherals = { printer };
    const r = rig(devices, ['printer', 'cardReader']);
    await vi.waitFor(() => expect(r.last()?.peripherals.printer?.present).toBe(true), until);
    // Never configured-and-missing is still named: the card reader the role wants is absent.
    expect(r.last()?.peripherals.cardReader).toEqual({ present: false, online: false });
    delete devices.printer;
    r.events.emit('change', 'printer');
    await vi.waitFor(
      () =>
        expect(r.last()?.peripherals.printer).toEqual({
          present: false,
          online: false,
          paper: 'unknown',
          coverOpen: false,
        }),
      until,
    );
    devices.printer = printer;
    r.events.emit('change', 'printer');
    await vi.waitFor(
      () => expect(r.last()?.peripherals.printer).toMatchObject({ present: true, online: true }),
      until,
    );
  });

  it('debounces a burst of events into one report, beats on health.reportIntervalSec, and measures clock skew at welcome', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    cleanups.push(() => void vi.useRealTimers());
    const r = rig({}, []);
    // The report reads the disk (real I/O under fake timers): wait for it on the real event loop.
    const sentBecomes = async (n: number) => {
      // Bounded by real time (Date is not faked): a loaded machine may take a while over the disk read.
      const end = Date.now() + 10_000;
      while (Date.now() < end && r.sent.length < n) await new Promise((ok) => setImmediate(ok));
      expect(r.sent).toHaveLength(n);
    };
    for (let i = 0; i < 10; i++) r.reporter.changed();
    await vi.advanceTimersByTimeAsync(25);
    await sentBecomes(1);
    await r.settings.apply('health.reportIntervalSec', 10);
    await vi.advanceTimersByTimeAsync(10_000);
    await sentBecomes(2);
    await vi.advanceTimersByTimeAsync(9_000);
    await sentBecomes(2);
    await vi.advanceTimersByTimeAsync(1_000);
    await sentBecomes(3);
    r.reporter.welcomed(new Date(Date.now() - 5_000).toISOString());
    await vi.advanceTimersByTimeAsync(1);
    await sentBecomes(4);
    expect(r.last()!.clockSkewMs).toBeGreaterThanOrEqual(5_000);
    expect(r.last()!.clockSkewMs).toBeLessThan(6_000);
  });

  it("counts the LED controller's ACKs and NAKs through the role's calls", async () => {
    const led = await createLedController({
      transport: { kind: 'sim' },
      width: 64,
      height: 16,
      colors: 1,
      ackTimeoutMs: 100,
      retries: 0,
    });
    cleanups.push(() => led.close());
    await startDevice(led);
    const acks = new LedAckCounter();
    const role = withLedAcks({ led }, acks).led as LedController;
    const r = rig({ led }, ['led'], acks);
    await role.showText('WATER OFF');
    expect(acks.lastAckAt).not.toBeNull();
    getSimulator(led)!.led!.nakNext = Number.POSITIVE_INFINITY;
    await expect(role.showText('x')).rejects.toMatchObject({ code: 'DEVICE_NAK' });
    getSimulator(led)!.led!.nakNext = 0;
    getSimulator(led)!.link.unplug();
    await expect(role.showText('y')).rejects.toBeDefined();
    await r.reporter.report();
    expect(r.last()?.peripherals.led).toMatchObject({ present: true, naks: 1 });
    expect(r.last()?.peripherals.led?.lastAckAt).toMatch(/^\d{4}-/);
    // The wrapper is the same object for the same controller, and passes everything else through.
    expect(withLedAcks({ led }, acks).led?.width).toBe(64);
  });
});

describe('EmergencyAcker', () => {
  it('acks each shown emergency once, again after a reconnect, and retries what the closed channel did not take', () => {
    const shown = [{ alert: { seq: 7, noticeId: 'ntc_01JDK0000000000000000000AB', action: 'show' } }];
    const sent: number[] = [];
    let open = false;
    const acker = new EmergencyAcker({
      active: () => shown,
      send: (m) => {
        if (open) sent.push(m.seq);
        return open;
      },
    });
    acker.check();
    expect(sent).toEqual([]);
    open = true;
    acker.check();
    acker.check();
    expect(sent).toEqual([7]);
    acker.welcomed();
    expect(sent).toEqual([7, 7]);
  });
});
