import type { Transport } from '../contracts/transport.js';
import { SerialTransport, type SerialTransportOptions } from './serial-transport.js';
import { TcpTransport } from './tcp-transport.js';
import { UsbTransport } from './usb-transport.js';

export type RealTransportConfig =
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate?: number }
  | { readonly kind: 'usb'; readonly vendorId: number; readonly productId: number }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export interface SerialDefaults {
  readonly baudRate: number;
  readonly dataBits?: SerialTransportOptions['dataBits'];
  readonly parity?: SerialTransportOptions['parity'];
  readonly stopBits?: SerialTransportOptions['stopBits'];
}

/** The one place that turns a validated transport config into a Transport; no I/O until open(). */
export function createTransport(cfg: RealTransportConfig, serial: SerialDefaults): Transport {
  switch (cfg.kind) {
    case 'serial':
      return new SerialTransport({ ...serial, path: cfg.path, baudRate: cfg.baudRate ?? serial.baudRate });
    case 'usb':
      return new UsbTransport({ vendorId: cfg.vendorId, productId: cfg.productId });
    case 'tcp':
      return new TcpTransport({ host: cfg.host, port: cfg.port });
  }
}
