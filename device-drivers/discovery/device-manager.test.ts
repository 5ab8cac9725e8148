import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceiptJob, ReceiptPrinter } from '../contracts/receipt-printer.js';
import { createDeviceManager, type DeviceManager, type ManagerErrorEvent } from '../index.js';
import { CN_80MM } from '../receipt-printer/profiles.js';
import { PrinterSimulator } from '../receipt-printer/sim/printer-simulator.js';
import { FakeUsbBus, type FakeUsbDevice } from '../testing/fake-usb.js';
import { libusbBackend } from './usb-backend.js';

const CN = { vendorId: 0x0416, productId: 0x5011 };
const job = (id: string): ReceiptJob => ({
  id,
  blocks: [{ kind: 'text', text: `热插拔 ${id}` }, { kind: 'cut' }],
});

/** A printer simulator behind the fake device's bulk endpoints, as if the printer were powered and plugged. */
function withPrinter(sims: PrinterSimulator[]): (d: FakeUsbDevice) => void {
  return (d) => {
    const sim = new PrinterSimulator({ profile: CN_80MM, render: false });
    sim.attach(d.port);
    sims.push(sim);
  };
}

function record(m: DeviceManager): string[] {
  const log: string[] = [];
  m.on('attached', (e) => log.push(`attached ${e.id} ${e.address}`));
  m.on('detached', (e) => log.push(`detached ${e.id} ${e.address}`));
  m.on('error', (e) => log.push(`error ${e.id} ${e.error.code}${e.willRetry ? ' retry' : ''}`));
  return log;
}

let manager: DeviceManager | undefined;
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
});

describe('DeviceManager with USB printers (fake libusb)', () => {
  const hotplugDir = mkdtempSync(join(tmpdir(), 'linli-sysfs-')); // stands in for /sys/bus/usb

  it('opens the driver on plug, closes it on pull, opens a fresh one on replug', async () => {
    const bus = new FakeUsbBus();
    manager = createDeviceManager(
      { peripherals: [{ id: 'printer', kind: 'receipt-printer', usb: { profile: 'cn-80mm' } }] },
      { usb: libusbBackend({ load: async () => bus.module, sysfsPath: hotplugDir }) },
    );
    const log = record(manager);
    await manager.start();
    expect(manager.usbMode).toBe('hotplug');
    expect(manager.status()).toEqual([{ id: 'printer', kind: 'receipt-printer', state: 'waiting' }]);

    bus.plug({ vendorId: 0x046d, productId: 0xc077 }); // a mouse: no profile, ignored
    const sims: PrinterSimulator[] = [];
    const first = bus.plug({ ...CN, busNumber: 1, portNumbers: [3] }, withPrinter(sims));
    await expect.poll(() => manager!.get('printer')).toBeDefined();
    const printer = manager.get<ReceiptPrinter>('printer')!;
    expect(printer).toMatchObject({ state: 'idle', power: 'online' });
    expect(printer.info).toMatchObject({ name: 'printer', address: 'usb:0416:5011@1-3' });
    await expect(printer.print(job('usb-1'))).resolves.toMatchObject({ outcome: 'printed' });

    bus.pull(first);
    await expect.poll(() => manager!.get('printer')).toBeUndefined();
    expect(printer.state).toBe('closed');

    bus.plug({ ...CN, busNumber: 1, portNumbers: [4] }, withPrinter(sims));
    await expect.poll(() => manager!.get('printer')).toBeDefined();
    const again = manager.get<ReceiptPrinter>('printer')!;
    expect(again).not.toBe(printer);
    await expect(again.print(job('usb-2'))).resolves.toMatchObject({ outcome: 'printed' });
    await sims[1]!.flush();
    expect(sims[1]!.receipts.map((r) => r.text[0])).toEqual(['热插拔 usb-2']);
    expect(log).toEqual([
      'attached printer usb:0416:5011@1-3',
      'detached printer usb:0416:5011@1-3',
      'attached printer usb:0416:5011@1-4',
    ]);
    await manager.stop();
    expect(again.state).toBe('closed');
    expect(bus.hotplugListeners).toBe(0);
  });

  it('stop() closes every driver, start() again reopens what is still plugged in (idempotent both ways)', async () => {
    const bus = new FakeUsbBus();
    manager = createDeviceManager(
      { peripherals: [{ id: 'printer', kind: 'receipt-printer', usb: {} }] },
      { usb: libusbBackend({ load: async () => bus.module, sysfsPath: hotplugDir }) },
    );
    const log = record(manager);
    bus.plug(CN, withPrinter([]));
    await manager.start();
    await manager.start();
    const first = manager.get<ReceiptPrinter>('printer')!;
    expect(first.state).toBe('idle');
    await manager.stop();
    await manager.stop();
    expect(first.state).toBe('closed');
    expect(manager.status()[0]!.state).toBe('stopped');
    await manager.start();
    expect(manager.get<ReceiptPrinter>('printer')?.state).toBe('idle');
    expect(log).toEqual([
      'attached printer usb:0416:5011@1-1',
      'detached printer usb:0416:5011@1-1',
      'attached printer usb:0416:5011@1-1',
    ]);
  });

  it('polls without crashing when /sys/bus/usb is missing, and never installs a hotplug listener', async () => {
    const bus = new FakeUsbBus();
    manager = createDeviceManager(
      { peripherals: [{ id: 'printer', kind: 'receipt-printer', usb: {} }], usbPollMs: 50 },
      { usb: libusbBackend({ load: async () => bus.module, sysfsPath: '/nonexistent/sys/bus/usb' }) },
    );
    await manager.start();
    expect(manager.usbMode).toBe('poll');
    const d = bus.plug(CN, withPrinter([]));
    await expect.poll(() => manager!.get('printer')).toBeDefined();
    bus.pull(d);
    await expect.poll(() => manager!.get('printer')).toBeUndefined();
    expect(bus.hotplugListeners).toBe(0);
  });

  it('starts with the real libusb binding on this machine and finds nothing, without crashing', async () => {
    manager = createDeviceManager({ peripherals: [{ id: 'printer', kind: 'receipt-printer', usb: {} }] });
    await manager.start();
    expect(['poll', 'hotplug']).toContain(manager.usbMode);
    expect(manager.get('printer')).toBeUndefined();
  });

  it('retries a plugged printer that does not answer yet, and attaches once it does', async () => {
    const bus = new FakeUsbBus();
    manager = createDeviceManager(
      {
        peripherals: [{ id: 'printer', kind: 'receipt-printer', usb: {}, options: { statusTimeoutMs: 100 } }],
        retryBaseMs: 20,
        retryCapMs: 100,
      },
      { usb: libusbBackend({ load: async () => bus.module, sysfsPath: hotplugDir }) },
    );
    const errors: ManagerErrorEvent[] = [];
    manager.on('error', (e) => errors.push(e));
    await manager.start();
    const d = bus.plug(CN); // powered, but still booting: no answer to DLE EOT
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ id: 'printer', willRetry: true, error: { code: 'DEVICE_TIMEOUT' } });
    // Failed, or already retrying: either way the cause is on record for a status report.
    expect(manager.status()[0]).toMatchObject({ lastError: { code: 'DEVICE_TIMEOUT' } });
    withPrinter([])(d);
    await expect.poll(() => manager!.get('printer'), { timeout: 5000 }).toBeDefined();
    expect(manager.status()[0]).toMatchObject({ state: 'attached', address: 'usb:0416:5011@1-1' });
  });

  it('reports permission denied with the udev fix and does not hammer the device', async () => {
    const bus = new FakeUsbBus();
    manager = createDeviceManager(
      { peripherals: [{ id: 'printer', kind: 'receipt-printer', usb: {} }], retryBaseMs: 10 },
      { usb: libusbBackend({ load: async () => bus.module, sysfsPath: hotplugDir }) },
    );
    const errors: ManagerErrorEvent[] = [];
    manager.on('error', (e) => errors.push(e));
    await manager.start();
    bus.plug({ ...CN, openError: 'LIBUSB_ERROR_ACCESS' });
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]!.willRetry).toBe(false);
    expect(errors[0]!.error.code).toBe('DEVICE_PERMISSION_DENIED');
    expect(errors[0]!.error.message).toContain('99-linli-devices.rules');
    await new Promise((r) => setTimeout(r, 100));
    expect(errors).toHaveLength(1);
  });

  it('the fake throws on anything it does not implement (so new libusb use cannot pass silently)', () => {
    const bus = new FakeUsbBus();
    const d = bus.plug(CN);
    expect(() => (bus.module as unknown as Record<string, unknown>).setDebugLevel).toThrow(
      'Not implemented: usb.setDebugLevel',
    );
    expect(() => (d.handle as Record<string, unknown>).controlTransfer).toThrow(
      'Not implemented: Device.controlTransfer',
    );
  });
});

describe('DeviceManager config', () => {
  const bad = (cfg: unknown) => () => createDeviceManager(cfg);
  it('refuses a bad config at creation, naming the field', () => {
    expect(bad({ peripherals: [{ id: 'p', kind: 'receipt-printer' }] })).toThrow(
      'exactly one of path (a stable serial name) or usb',
    );
    expect(
      bad({
        peripherals: [
          { id: 'p', kind: 'receipt-printer', usb: {} },
          { id: 'p', kind: 'card-reader', path: '/dev/serial/by-id/x' },
        ],
      }),
    ).toThrow('for peripherals.1.id');
    expect(bad({ peripherals: [{ id: 't', kind: 'payment-terminal', usb: {} }] })).toThrow(
      'for peripherals.0.usb',
    );
    expect(
      bad({
        peripherals: [
          { id: 'p', kind: 'receipt-printer', path: '/dev/x', options: { statusTimeoutMs: 'soon' } },
        ],
      }),
    ).toThrow('for statusTimeoutMs but received "soon"');
    expect(
      bad({
        peripherals: [{ id: 'p', kind: 'receipt-printer', path: '/dev/x', options: { profile: 'tm' } }],
      }),
    ).toThrow("expected one of 'epson-tm-t88', 'cn-80mm' for peripherals.0.options.profile");
    expect(bad({ peripherals: [{ id: 'p', kind: 'led-controller', path: 'ttyUSB0' }] })).toThrow(
      'peripherals.0.path',
    );
    const err = (() => {
      try {
        createDeviceManager({ peripherals: [], serialPollMs: 0 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ code: 'DEVICE_INVALID_ARGUMENT', details: { param: 'serialPollMs' } });
  });
});
