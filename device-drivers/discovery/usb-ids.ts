import { PRINTER_PROFILES } from '../receipt-printer/profiles.js';

/** Something discovery and udev should recognise: a printer profile's USB id or a USB-serial bridge. */
export interface KnownUsbDevice {
  readonly vendorId: number;
  readonly productId: number;
  readonly role: 'receipt-printer' | 'serial-adapter';
  readonly label: string;
  /** Printer profile id when the id identifies a printer model. */
  readonly profile?: string;
  /** Stable /dev name; serial bridges carry none because several peripherals share the same chip. */
  readonly symlink?: string;
}

/** USB-serial bridges found in kiosks (card readers, terminals, LED cards sit behind them). */
const SERIAL_BRIDGES: readonly KnownUsbDevice[] = [
  { vendorId: 0x1a86, productId: 0x7523, role: 'serial-adapter', label: 'WCH CH340' },
  { vendorId: 0x0403, productId: 0x6001, role: 'serial-adapter', label: 'FTDI FT232R' },
  { vendorId: 0x067b, productId: 0x2303, role: 'serial-adapter', label: 'Prolific PL2303' },
  { vendorId: 0x10c4, productId: 0xea60, role: 'serial-adapter', label: 'Silicon Labs CP210x' },
];

export function knownUsbDevices(): KnownUsbDevice[] {
  const printers = PRINTER_PROFILES.flatMap((p) =>
    p.usb.map((id) => ({
      ...id,
      role: 'receipt-printer' as const,
      label: `${p.vendor} ${p.model}`,
      profile: p.id,
      symlink: p.symlink,
    })),
  );
  return [...printers, ...SERIAL_BRIDGES];
}

export function matchUsb(vendorId: number, productId: number): KnownUsbDevice | undefined {
  return knownUsbDevices().find((d) => d.vendorId === vendorId && d.productId === productId);
}

export const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
