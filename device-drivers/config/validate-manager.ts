import type { TSchema } from '@sinclair/typebox';
import { PRINTER_PROFILES } from '../receipt-printer/profiles.js';
import { DeviceManagerConfig, type PeripheralKind } from './device-manager-schema.js';
import {
  CardReaderConfig,
  LedControllerConfig,
  PaymentTerminalConfig,
  ReceiptPrinterConfig,
} from './schema.js';
import { invalidConfig, validateConfig, validatePlain } from './validate.js';

const DRIVER_SCHEMA: Record<PeripheralKind, TSchema> = {
  'receipt-printer': ReceiptPrinterConfig,
  'payment-terminal': PaymentTerminalConfig,
  'card-reader': CardReaderConfig,
  'led-controller': LedControllerConfig,
};

const PROFILES: Record<PeripheralKind, readonly string[]> = {
  'receipt-printer': PRINTER_PROFILES.map((p) => p.id),
  'payment-terminal': ['linli-ecr'],
  'card-reader': ['serial-card-reader'],
  'led-controller': ['alpha'],
};

const WHAT = 'device manager';
const oneOf = (ids: readonly string[]): string => `one of ${ids.map((i) => `'${i}'`).join(', ')}`;

/**
 * Checks the whole device manager config at start-up, driver options included, so a typo is refused when the
 * runtime starts (DeviceError INVALID_ARGUMENT naming `peripherals.N.field`), not when a device is plugged in.
 */
export function validateDeviceManagerConfig(input: unknown): DeviceManagerConfig {
  const cfg = validatePlain<DeviceManagerConfig>(WHAT, DeviceManagerConfig, input);
  const ids = new Set<string>();
  cfg.peripherals.forEach((w, i) => {
    const at = `peripherals.${i}`;
    if (ids.has(w.id)) invalidConfig(WHAT, `${at}.id`, 'an id not used by another peripheral', w.id);
    ids.add(w.id);
    if (!w.path === !w.usb) {
      invalidConfig(WHAT, at, 'exactly one of path (a stable serial name) or usb (a USB printer)', {
        path: w.path,
        usb: w.usb,
      });
    }
    if (w.usb && w.kind !== 'receipt-printer') {
      invalidConfig(
        WHAT,
        `${at}.usb`,
        'usb only for a receipt-printer (terminals, card readers and LED boards sit behind USB-serial bridges: give their /dev/serial/by-id path)',
        w.usb,
      );
    }
    if (w.usb?.profile && !PROFILES['receipt-printer'].includes(w.usb.profile))
      invalidConfig(WHAT, `${at}.usb.profile`, oneOf(PROFILES['receipt-printer']), w.usb.profile);
    for (const k of ['transport', 'name'] as const) {
      if (k in w.options)
        invalidConfig(
          WHAT,
          `${at}.options.${k}`,
          `no ${k} (the manager sets it from id, path or usb)`,
          w.options[k],
        );
    }
    const profile = w.options.profile;
    if (profile !== undefined && !PROFILES[w.kind].includes(profile as string))
      invalidConfig(WHAT, `${at}.options.profile`, oneOf(PROFILES[w.kind]), profile);
    const transport = w.path
      ? { kind: 'serial', path: w.path, ...(w.baudRate ? { baudRate: w.baudRate } : {}) }
      : { kind: 'usb', vendorId: 0, productId: 0 };
    validateConfig(`${w.kind} (${at}.options)`, DRIVER_SCHEMA[w.kind], { ...w.options, transport });
  });
  return cfg;
}
