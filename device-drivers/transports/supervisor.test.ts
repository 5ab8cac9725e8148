import { describe, expect, it } from 'vitest';
import { type DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type { Transport } from '../contracts/transport.js';
import { fullJitterDelay } from '../core/backoff.js';
import { mapOpenError } from '../core/os-errors.js';
import { createSimLink } from './sim-pair.js';
import { TransportSupervisor } from './supervisor.js';

describe('TransportSupervisor', () => {
  it('reopens after an unplug and reports detached then attached', async () => {
    const link = createSimLink('s');
    const sup = new TransportSupervisor(link.host, { backoffBaseMs: 5, backoffCapMs: 20 });
    const events: string[] = [];
    sup.onDetached(() => events.push('detached'));
    sup.onAttached(() => events.push('attached'));
    await sup.start(100);
    link.unplug();
    expect(sup.isOpen).toBe(false);
    await expect(sup.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'DEVICE_OFFLINE' });
    await new Promise((r) => setTimeout(r, 60));
    link.replug();
    await expect.poll(() => events).toEqual(['detached', 'attached']);
    expect(sup.isOpen).toBe(true);
    await sup.stop();
  });

  it('retries a port that cannot be locked yet until it can', async () => {
    let tries = 0;
    const link = createSimLink('busy');
    const busy: Transport = {
      ...link.host,
      info: link.host.info,
      get isOpen() {
        return link.host.isOpen;
      },
      open: async () => {
        if (++tries < 3) throw new Error('Error Resource temporarily unavailable Cannot lock port');
        await link.host.open();
      },
      write: (b) => link.host.write(b),
      onData: (l) => link.host.onData(l),
      onClose: (l) => link.host.onClose(l),
      close: () => link.host.close(),
    };
    const sup = new TransportSupervisor(busy, { backoffBaseMs: 5, backoffCapMs: 10 });
    await sup.start(2000);
    expect(tries).toBe(3);
    await sup.stop();
  });

  it('gives up at once on permission denied, with the udev fix in the message', async () => {
    const link = createSimLink('perm');
    const denied: Transport = {
      info: { kind: 'serial', address: 'serial:/dev/ttyUSB0' },
      isOpen: false,
      open: async () => {
        throw Object.assign(new Error('Error: Permission denied, cannot open /dev/ttyUSB0'), {
          code: 'EACCES',
        });
      },
      write: (b) => link.host.write(b),
      onData: (l) => link.host.onData(l),
      onClose: (l) => link.host.onClose(l),
      close: async () => undefined,
    };
    const sup = new TransportSupervisor(denied);
    const err = (await sup.start(5000).catch((e) => e)) as DeviceError;
    expect(err.code).toBe(DeviceErrorCode.PERMISSION_DENIED);
    expect(err.message).toContain('99-linli-devices.rules');
    expect(err.message).toContain('usermod -aG linli');
  });

  it('maps OS errors to codes', () => {
    expect(mapOpenError(Object.assign(new Error('x'), { code: 'ENOENT' }), 'a').code).toBe(
      'DEVICE_NOT_FOUND',
    );
    expect(mapOpenError(new Error('LIBUSB_ERROR_ACCESS'), 'a').code).toBe('DEVICE_PERMISSION_DENIED');
    expect(mapOpenError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'a').code).toBe(
      'DEVICE_OFFLINE',
    );
  });

  it('full-jitter backoff stays within [0, min(cap, base·2^n)]', () => {
    for (let n = 0; n < 20; n++) {
      const d = fullJitterDelay(n, { baseMs: 100, capMs: 5000, random: () => 0.999 });
      expect(d).toBeLessThanOrEqual(Math.min(5000, 100 * 2 ** n));
      expect(fullJitterDelay(n, { baseMs: 100, capMs: 5000, random: () => 0 })).toBe(0);
    }
  });
});
