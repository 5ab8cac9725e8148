import { Listeners } from '../core/listeners.js';
import { libusbBackend, type UsbBackend, type UsbDeviceRef } from './usb-backend.js';
import { type KnownUsbDevice, matchUsb } from './usb-ids.js';

export interface UsbPresence {
  readonly event: 'attached' | 'detached';
  readonly device: KnownUsbDevice;
  readonly ref: UsbDeviceRef;
}

export interface UsbDiscoveryOptions {
  /** Default: libusb, with hotplug only where /sys/bus/usb exists. */
  readonly backend?: UsbBackend;
  /** Poll interval when hotplug events are unavailable. Default 5 s. */
  readonly pollMs?: number;
}

/**
 * Watches USB for devices that match a profile: on hotplug events where the backend has them, else by polling
 * (containers, CI: no /sys/bus/usb). Reports `attached`/`detached` for matches only; a failing backend is
 * treated as "nothing plugged in", never as a crash.
 */
export class UsbDiscovery {
  readonly #backend: UsbBackend;
  readonly #pollMs: number;
  readonly #events = new Listeners<[UsbPresence]>();
  #present = new Map<string, { device: KnownUsbDevice; ref: UsbDeviceRef }>();
  #timer: NodeJS.Timeout | undefined;
  #stopWatch: (() => void) | undefined;
  #scanning: Promise<void> | undefined;
  #rescan = false;
  mode: 'hotplug' | 'poll' | 'stopped' = 'stopped';

  constructor(opts: UsbDiscoveryOptions = {}) {
    this.#backend = opts.backend ?? libusbBackend();
    this.#pollMs = opts.pollMs ?? 5000;
  }

  get backend(): UsbBackend {
    return this.#backend;
  }

  on(listener: (p: UsbPresence) => void): () => void {
    return this.#events.add(listener);
  }

  get present(): { device: KnownUsbDevice; ref: UsbDeviceRef }[] {
    return [...this.#present.values()];
  }

  async start(): Promise<void> {
    if (this.mode !== 'stopped') return;
    this.mode = 'poll';
    let stop: (() => void) | undefined;
    try {
      stop = await this.#backend.watch(() => void this.scan());
    } catch {
      stop = undefined; // hotplug unavailable: polling still finds devices
    }
    if (this.#stopped()) {
      stop?.();
      return;
    }
    if (stop) {
      this.#stopWatch = stop;
      this.mode = 'hotplug';
    } else {
      this.#timer = setInterval(() => void this.scan(), this.#pollMs);
      this.#timer.unref();
    }
    await this.scan();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stopWatch?.();
    this.#stopWatch = undefined;
    this.mode = 'stopped';
    // A later start() reports what is present afresh.
    this.#present = new Map();
  }

  /**
   * Compares what is plugged in now with what was, and reports the differences. Scans never overlap: a change
   * during a scan schedules one more, so a quick unplug-replug is not lost between two listings.
   */
  scan(): Promise<void> {
    if (this.#scanning) {
      this.#rescan = true;
      return this.#scanning;
    }
    this.#scanning = (async () => {
      do {
        this.#rescan = false;
        await this.#scanOnce();
      } while (this.#rescan && this.mode !== 'stopped');
    })().finally(() => {
      this.#scanning = undefined;
    });
    return this.#scanning;
  }

  /** A method, not an inline check: TypeScript would narrow `mode` across the awaits above. */
  #stopped(): boolean {
    return this.mode === 'stopped';
  }

  async #scanOnce(): Promise<void> {
    let refs: UsbDeviceRef[];
    try {
      refs = await this.#backend.list();
    } catch {
      return; // libusb unavailable: nothing to report, never a crash
    }
    if (this.#stopped()) return;
    const now = new Map<string, { device: KnownUsbDevice; ref: UsbDeviceRef }>();
    for (const ref of refs) {
      const device = matchUsb(ref.vendorId, ref.productId);
      if (device) now.set(`${ref.vendorId}:${ref.productId}@${ref.location}`, { device, ref });
    }
    const before = this.#present;
    this.#present = now;
    for (const [k, p] of before) if (!now.has(k)) this.#events.emit({ event: 'detached', ...p });
    for (const [k, p] of now) if (!before.has(k)) this.#events.emit({ event: 'attached', ...p });
  }
}
