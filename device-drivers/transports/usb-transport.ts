import { existsSync } from 'node:fs';
import type { Device, InEndpoint, Interface, OutEndpoint } from 'usb';
import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type { Transport, TransportInfo } from '../contracts/transport.js';
import { Listeners } from '../core/listeners.js';
import { mapOpenError } from '../core/os-errors.js';

export type UsbModule = typeof import('usb');

export interface UsbTransportOptions {
  readonly vendorId: number;
  readonly productId: number;
  /** Interface number to claim; printer-class devices use 0. */
  readonly interface?: number;
  /** Bus and port path (`1-1.4`, as in sysfs): tells two identical printers apart. Default: the first match. */
  readonly location?: string;
  /** Loads the libusb binding; injected by tests (a fake that throws on anything it does not implement). */
  readonly load?: () => Promise<UsbModule>;
  /** Listen for libusb detach events. Default: only where the kernel exposes /sys/bus/usb. */
  readonly hotplug?: boolean;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** Where libusb can watch hotplug; without it (containers, CI) `usb.on('detach')` is not trusted. */
export const HOTPLUG_SYSFS = '/sys/bus/usb';

/** `busNumber-port.port…`, the name sysfs gives a USB device's position. */
export function usbLocation(d: Pick<Device, 'busNumber' | 'portNumbers'>): string {
  return `${d.busNumber}-${(d.portNumbers ?? []).join('.')}`;
}

/**
 * USB bulk transport through `usb` 2.18 (libusb). Loaded with import() so machines without USB peripherals
 * never load the native addon. The kernel's usblp driver is detached because it would own the bulk endpoint.
 */
export class UsbTransport implements Transport {
  readonly info: TransportInfo;
  readonly #opts: UsbTransportOptions;
  #device: Device | undefined;
  #iface: Interface | undefined;
  #in: InEndpoint | undefined;
  #out: OutEndpoint | undefined;
  #unsubDetach: (() => void) | undefined;
  readonly #data = new Listeners<[Uint8Array]>();
  readonly #close = new Listeners<[Error | undefined]>();

  constructor(opts: UsbTransportOptions) {
    this.#opts = opts;
    const at = opts.location ? `@${opts.location}` : '';
    this.info = { kind: 'usb', address: `usb:${hex4(opts.vendorId)}:${hex4(opts.productId)}${at}` };
  }

  get isOpen(): boolean {
    return this.#out !== undefined;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const o = this.#opts;
    const usbMod = await (o.load ?? (() => import('usb')))();
    const device = o.location
      ? usbMod
          .getDeviceList()
          .find(
            (d) =>
              d.deviceDescriptor.idVendor === o.vendorId &&
              d.deviceDescriptor.idProduct === o.productId &&
              usbLocation(d) === o.location,
          )
      : usbMod.findByIds(o.vendorId, o.productId);
    if (!device) {
      throw new DeviceError(
        DeviceErrorCode.NOT_FOUND,
        `No USB device ${this.info.address}: check the cable, the printer's power and \`lsusb\`.`,
        { address: this.info.address },
      );
    }
    try {
      device.open();
      const iface = device.interface(this.#opts.interface ?? 0);
      if (iface.isKernelDriverActive()) iface.detachKernelDriver();
      iface.claim();
      const bulk = usbMod.usb.LIBUSB_TRANSFER_TYPE_BULK;
      const out = iface.endpoints.find((e) => e.direction === 'out' && e.transferType === bulk) as
        | OutEndpoint
        | undefined;
      const inp = iface.endpoints.find((e) => e.direction === 'in' && e.transferType === bulk) as
        | InEndpoint
        | undefined;
      if (!out) {
        throw new DeviceError(DeviceErrorCode.UNSUPPORTED, `${this.info.address} has no bulk OUT endpoint`);
      }
      this.#device = device;
      this.#iface = iface;
      this.#out = out;
      this.#in = inp;
      if (inp) {
        inp.on('data', (buf: Buffer) => {
          if (buf.length > 0) this.#data.emit(new Uint8Array(buf));
        });
        inp.on('error', (err: Error) => this.#lose(err));
        inp.startPoll(2, 64);
      }
      if (o.hotplug ?? existsSync(HOTPLUG_SYSFS)) {
        const onDetach = (d: Device): void => {
          if (d === device) this.#lose(new Error('USB device detached'));
        };
        usbMod.usb.on('detach', onDetach);
        this.#unsubDetach = () => usbMod.usb.off('detach', onDetach);
      }
    } catch (err) {
      try {
        device.close();
      } catch {
        // Already closed or never opened: nothing to undo.
      }
      throw mapOpenError(err, this.info.address);
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    const out = this.#out;
    if (!out)
      throw new DeviceError(DeviceErrorCode.CLOSED, `${this.info.address} is not open; call open() first`);
    await new Promise<void>((resolve, reject) => {
      out.transfer(Buffer.from(bytes), (err) => {
        if (!err) return resolve();
        reject(
          new DeviceError(
            DeviceErrorCode.OFFLINE,
            `USB write to ${this.info.address} failed: ${err.message}`,
          ),
        );
        this.#lose(err);
      });
    });
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.#close.add(listener);
  }

  async close(): Promise<void> {
    if (!this.isOpen) return;
    await this.#teardown();
    this.#close.emit(undefined);
  }

  #lose(err: Error): void {
    if (!this.isOpen) return;
    void this.#teardown().then(() =>
      this.#close.emit(
        new DeviceError(DeviceErrorCode.OFFLINE, `${this.info.address} was disconnected`, {
          cause: err.message,
        }),
      ),
    );
  }

  async #teardown(): Promise<void> {
    const { device } = { device: this.#device };
    const iface = this.#iface;
    const inp = this.#in;
    this.#out = undefined;
    this.#in = undefined;
    this.#iface = undefined;
    this.#device = undefined;
    this.#unsubDetach?.();
    this.#unsubDetach = undefined;
    if (inp) await new Promise<void>((r) => inp.stopPoll(() => r())).catch(() => undefined);
    if (iface) await new Promise<void>((r) => iface.release(true, () => r()));
    try {
      device?.close();
    } catch {
      // Unplugged devices throw on close; the handle is gone either way.
    }
  }
}
