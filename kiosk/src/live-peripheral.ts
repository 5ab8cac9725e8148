import { EventEmitter } from 'node:events';
import type { DeviceInfo, PosDevice } from '../../device-drivers/contracts/device.js';
import { DeviceError, DeviceErrorCode } from '../../device-drivers/contracts/device-error.js';
import type { PeripheralEvents, PeripheralName, Peripherals } from './peripherals.js';

const KINDS: Record<PeripheralName, DeviceInfo['kind']> = {
  printer: 'receipt-printer',
  terminal: 'payment-terminal',
  cardReader: 'card-reader',
  led: 'led-controller',
};

/**
 * A stable handle on a peripheral that comes and goes (hotplug): every call goes to the device attached
 * now, and while none is, calls reject with DEVICE_OFFLINE ("not connected") and `state` is `closed`,
 * `power` `off`. Listeners given to `on` follow the device across unplug and replug, and a `status` event
 * is emitted whenever it appears or goes. Why a proxy: the payment flow, reprints and the session were
 * written against one driver object each; with this they keep that shape and a missing printer is simply
 * a print that fails, which the flow already turns into an e-receipt QR code.
 */
export function livePeripheral<D extends PosDevice>(
  name: PeripheralName,
  devices: Peripherals,
  events: PeripheralEvents | undefined,
  /** Plain values to answer while no device was ever seen (e.g. a printer's `columns`). */
  whileAbsent: Record<string, unknown> = {},
): D {
  const local = new EventEmitter();
  local.on('error', () => undefined);
  const forwarders = new Map<string, (...a: unknown[]) => void>();
  let current = devices[name] as D | undefined;
  let last = current;
  const absent = (prop: string) => async () => {
    throw new DeviceError(
      DeviceErrorCode.OFFLINE,
      `the ${name} is not connected (${prop} needs it); check its cable and power`,
      { peripheral: name },
    );
  };
  const rewire = () => {
    const next = devices[name] as D | undefined;
    if (next === current) return;
    for (const [ev, fn] of forwarders) {
      current?.off(ev as never, fn as never);
      next?.on(ev as never, fn as never);
    }
    current = next;
    if (next) last = next;
    local.emit('status', {
      state: next?.state ?? 'closed',
      power: next?.power ?? 'off',
      flags: { ...((next as { flags?: Record<string, boolean> } | undefined)?.flags ?? {}) },
      at: Date.now(),
    });
  };
  events?.on('change', (n) => {
    if (n === name) rewire();
  });
  const handle = new Proxy({} as D, {
    get(_t, prop) {
      if (prop === 'then') return undefined; // never look like a promise
      if (prop === 'on') {
        return (ev: string, fn: (...a: unknown[]) => void) => {
          local.on(ev, fn);
          if (!forwarders.has(ev)) {
            const fwd = (...a: unknown[]) => local.emit(ev, ...a);
            forwarders.set(ev, fwd);
            current?.on(ev as never, fwd as never);
          }
          return handle;
        };
      }
      if (prop === 'off') {
        return (ev: string, fn: (...a: unknown[]) => void) => {
          local.off(ev, fn);
          return handle;
        };
      }
      const dev = current as unknown as Record<PropertyKey, unknown> | undefined;
      if (dev) {
        const v = dev[prop];
        return typeof v === 'function' ? v.bind(dev) : v;
      }
      if (prop === 'state') return 'closed';
      if (prop === 'power') return 'off';
      if (prop === 'flags') return {};
      if (prop === 'info') return last?.info ?? { name, kind: KINDS[name], address: 'absent' };
      const seen = (last as unknown as Record<PropertyKey, unknown> | undefined)?.[prop];
      if (seen !== undefined && typeof seen !== 'function') return seen;
      if (typeof prop === 'string' && prop in whileAbsent) return whileAbsent[prop];
      return typeof prop === 'string' ? absent(prop) : undefined;
    },
  });
  return handle;
}

/** Whether a live handle's device is attached now (the `Peripherals` field is set). */
export const isPresent = (devices: Peripherals, name: PeripheralName): boolean => devices[name] !== undefined;
