import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FakeUsbBus } from '../testing/fake-usb.js';
import { generateUdevRules, UDEV_RULES_FILE } from './udev-rules.js';
import { libusbBackend } from './usb-backend.js';
import { UsbDiscovery } from './usb-discovery.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('udev rules', () => {
  it('the committed file is exactly what the generator makes from the profiles', () => {
    expect(readFileSync(join(root, UDEV_RULES_FILE), 'utf8')).toBe(generateUdevRules());
  });

  it('gives every device the group, mode and ModemManager ignore, and printers a stable symlink', () => {
    const rules = generateUdevRules();
    expect(rules).toContain('ATTRS{idVendor}=="0416", ATTRS{idProduct}=="5011"');
    for (const line of rules.split('\n').filter((l) => l.startsWith('SUBSYSTEM'))) {
      expect(line).toContain('GROUP="linli"');
      expect(line).toContain('MODE="0660"');
    }
    expect(rules).toMatch(/SUBSYSTEM=="usbmisc".*SYMLINK\+="linli-printer"/);
    expect(rules).toMatch(/SUBSYSTEM=="tty".*1a86.*ID_MM_DEVICE_IGNORE/);
  });
});

describe('USB discovery', () => {
  it('reports attach and detach of devices that match a profile, ignoring others', async () => {
    const bus = new FakeUsbBus();
    const printer = bus.plug({ vendorId: 0x0416, productId: 0x5011 });
    bus.plug({ vendorId: 0x1234, productId: 0x5678 });
    const d = new UsbDiscovery({
      backend: libusbBackend({ load: async () => bus.module, sysfsPath: '/nonexistent' }),
      pollMs: 60_000,
    });
    const seen: string[] = [];
    d.on((p) => seen.push(`${p.event}:${p.device.profile ?? p.device.label}@${p.ref.location}`));
    await d.start();
    expect(d.mode).toBe('poll');
    bus.pull(printer);
    await d.scan();
    d.stop();
    expect(seen).toEqual(['attached:cn-80mm@1-1', 'detached:cn-80mm@1-1']);
  });

  it('falls back to polling without crashing when /sys/bus/usb is missing, and installs no hotplug listener', async () => {
    const bus = new FakeUsbBus();
    const d = new UsbDiscovery({
      backend: libusbBackend({ load: async () => bus.module, sysfsPath: '/nonexistent/sys/bus/usb' }),
      pollMs: 60_000,
    });
    await d.start();
    expect(d.mode).toBe('poll');
    expect(bus.hotplugListeners).toBe(0);
    d.stop();
  });

  it('runs on this machine with the real libusb binding', async () => {
    const d = new UsbDiscovery({ pollMs: 60_000 });
    await d.start();
    expect(['poll', 'hotplug']).toContain(d.mode);
    d.stop();
  });
});
