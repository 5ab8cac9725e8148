import { existsSync } from 'node:fs';
import { Listeners } from '../core/listeners.js';
import { HOTPLUG_SYSFS } from '../transports/usb-transport.js';
import { type KnownUsbDevice, matchUsb } from './usb-ids.js';

export interface UsbPresence {
  readonly event: 'attached' | 'detached';
  readonly device: KnownUsbDevice;
}

export interface UsbDiscoveryOptions {
  /** Poll interval when hotplug events are unavailable (no /sys/bus/usb). Default 5 s. */
  readonly pollMs?: number;
  /** Injected for tests: list the (vendorId, productId) pairs present now. */
  readonly list?: () => Promise<{ vendorId: number; productId: number }[]>;
  readonly sysfsPath?: string;
}

type UsbModule = typeof import('usb');

/**
 * Watches USB for devices that match a profile. libusb hotplug is used where the kernel exposes /sys/bus/usb;
 * elsewhere (containers, CI) `usb` 2.x cannot watch safely, so presence is polled instead and no hotplug
 * listener is ever installed. Reports `attached`/`detached` for matches only.
 */
export class UsbDiscovery {
  readonly #opts: UsbDiscoveryOptions;
  readonly #events = new Listeners<[UsbPresence]>();
  #present = new Map<string, KnownUsbDevice>();
  #timer: NodeJS.Timeout | undefined;
  #usb: UsbModule | undefined;
  #stopHotplug: (() => void) | undefined;
  mode: 'hotplug' | 'poll' | 'stopped' = 'stopped';

  constructor(opts: UsbDiscoveryOptions = {}) {
    this.#opts = opts;
  }

  on(listener: (p: UsbPresence) => void): () => void {
    return this.#events.add(listener);
  }

  get present(): KnownUsbDevice[] {
    return [...this.#present.values()];
  }

  async start(): Promise<void> {
    if (this.mode !== 'stopped') return;
    const hotplug = !this.#opts.list && existsSync(this.#opts.sysfsPath ?? HOTPLUG_SYSFS);
    if (hotplug) {
      this.#usb = await import('usb');
      const onChange = (): void => void this.scan();
      this.#usb.usb.on('attach', onChange);
      this.#usb.usb.on('detach', onChange);
      this.#stopHotplug = () => {
        this.#usb?.usb.off('attach', onChange);
        this.#usb?.usb.off('detach', onChange);
      };
      this.mode = 'hotplug';
    } else {
      this.mode = 'poll';
      this.#timer = setInterval(() => void this.scan(), this.#opts.pollMs ?? 5000);
      this.#timer.unref();
    }
    await this.scan();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#stopHotplug?.();
    this.mode = 'stopped';
  }

  /** Compares what is plugged in now with what was, and reports the differences. */
  async scan(): Promise<void> {
    let ids: { vendorId: number; productId: number }[];
    try {
      ids = await this.#list();
    } catch {
      return; // libusb unavailable: nothing to report, never a crash
    }
    const now = new Map<string, KnownUsbDevice>();
    for (const id of ids) {
      const d = matchUsb(id.vendorId, id.productId);
      if (d) now.set(`${id.vendorId}:${id.productId}`, d);
    }
    for (const [k, d] of now) if (!this.#present.has(k)) this.#events.emit({ event: 'attached', device: d });
    for (const [k, d] of this.#present) if (!now.has(k)) this.#events.emit({ event: 'detached', device: d });
    this.#present = now;
  }

  async #list(): Promise<{ vendorId: number; productId: number }[]> {
    if (this.#opts.list) return this.#opts.list();
    this.#usb ??= await import('usb');
    return this.#usb
      .getDeviceList()
      .map((d) => ({ vendorId: d.deviceDescriptor.idVendor, productId: d.deviceDescriptor.idProduct }));
  }
}
