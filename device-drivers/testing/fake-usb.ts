import type { DevicePort } from '../transports/sim-pair.js';
import type { UsbModule } from '../transports/usb-transport.js';

/**
 * A fake of the `usb` (libusb) module for tests, in the spirit of balena-supervisor's mockerode: it implements
 * only what our code is meant to touch, and every other property of every object throws `Not implemented`, so
 * a driver that starts using more of libusb fails loudly in tests instead of passing against a silent stub.
 * Devices carry a DevicePort, so a simulator (printer, ...) sits behind the fake bulk endpoints.
 */
export class NotImplementedError extends Error {}

function strict<T extends object>(name: string, impl: T): T {
  return new Proxy(impl, {
    get(target, prop, receiver) {
      if (typeof prop === 'symbol' || prop in target) return Reflect.get(target, prop, receiver);
      // Probed by `await` and by printers of values; absent on the real objects too.
      if (prop === 'then' || prop === 'toJSON') return undefined;
      throw new NotImplementedError(`Not implemented: ${name}.${prop}`);
    },
  });
}

class Emitter {
  readonly #l = new Map<string, Set<(...a: unknown[]) => void>>();
  on(event: string, fn: (...a: unknown[]) => void): void {
    if (!this.#l.has(event)) this.#l.set(event, new Set());
    this.#l.get(event)!.add(fn);
  }
  off(event: string, fn: (...a: unknown[]) => void): void {
    this.#l.get(event)?.delete(fn);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.#l.get(event) ?? [])]) fn(...args);
  }
  count(event: string): number {
    return this.#l.get(event)?.size ?? 0;
  }
}

const BULK = 2;
const noDevice = (): Error => Object.assign(new Error('LIBUSB_ERROR_NO_DEVICE'), { errno: -4 });

export interface FakeUsbDeviceSpec {
  readonly vendorId: number;
  readonly productId: number;
  readonly busNumber?: number;
  readonly portNumbers?: number[];
  /** libusb error that open() throws, e.g. LIBUSB_ERROR_ACCESS (no udev rule yet). */
  readonly openError?: string;
}

/** One plugged device: the host talks to it through libusb-shaped objects, a simulator through `port`. */
export class FakeUsbDevice {
  readonly spec: Required<Omit<FakeUsbDeviceSpec, 'openError'>> & FakeUsbDeviceSpec;
  readonly handle: object;
  /** Attach a simulator here: bytes the host sends to the bulk OUT endpoint arrive on onData. */
  readonly port: DevicePort;
  gone = false;
  opened = false;
  claimed = false;
  readonly #toDevice = new Set<(b: Uint8Array) => void>();
  readonly #inEvents = new Emitter();
  #polling = false;

  constructor(spec: FakeUsbDeviceSpec) {
    this.spec = { busNumber: 1, portNumbers: [1], ...spec };
    const self = this;
    const outEp = strict('OutEndpoint', {
      direction: 'out',
      transferType: BULK,
      transfer(buf: Buffer, cb: (err?: Error) => void): void {
        if (self.gone || !self.claimed) return void setImmediate(() => cb(noDevice()));
        const bytes = new Uint8Array(buf);
        setImmediate(() => {
          for (const l of self.#toDevice) l(bytes);
          cb(undefined);
        });
      },
    });
    const inEp = strict('InEndpoint', {
      direction: 'in',
      transferType: BULK,
      on: (e: string, fn: (...a: unknown[]) => void) => this.#inEvents.on(e, fn),
      startPoll: () => {
        this.#polling = true;
      },
      stopPoll: (cb?: () => void) => {
        this.#polling = false;
        setImmediate(() => cb?.());
      },
    });
    const iface = strict('Interface', {
      endpoints: [outEp, inEp],
      isKernelDriverActive: () => true,
      detachKernelDriver: () => undefined,
      claim: () => {
        if (!this.opened) throw new Error('LIBUSB_ERROR_IO');
        this.claimed = true;
      },
      release: (_closeEndpoints: boolean, cb: (err?: Error) => void) => {
        this.claimed = false;
        setImmediate(() => cb(undefined));
      },
    });
    this.handle = strict('Device', {
      deviceDescriptor: strict('DeviceDescriptor', {
        idVendor: spec.vendorId,
        idProduct: spec.productId,
      }),
      busNumber: this.spec.busNumber,
      portNumbers: this.spec.portNumbers,
      open: () => {
        if (this.gone) throw noDevice();
        if (spec.openError) throw new Error(spec.openError);
        this.opened = true;
      },
      close: () => {
        this.opened = false;
      },
      interface: (n: number) => {
        if (n !== 0) throw new Error('LIBUSB_ERROR_NOT_FOUND');
        return iface;
      },
    });
    this.port = {
      send: async (bytes) => {
        if (this.gone) throw noDevice();
        // Only what the host polls for arrives, like a real IN endpoint.
        if (this.#polling) setImmediate(() => this.#inEvents.emit('data', Buffer.from(bytes)));
      },
      onData: (l) => {
        this.#toDevice.add(l);
        return () => this.#toDevice.delete(l);
      },
    };
  }

  /** The host's IN poll fails with NO_DEVICE, as libusb reports a pulled cable. */
  pull(): void {
    this.gone = true;
    if (this.#polling) this.#inEvents.emit('error', noDevice());
    this.#polling = false;
  }
}

/** A USB bus: plug and pull devices; `module` is what `load()` hands to the backend and UsbTransport. */
export class FakeUsbBus {
  readonly module: UsbModule;
  readonly #hub = new Emitter();
  readonly #devices: FakeUsbDevice[] = [];

  constructor() {
    const hub = this.#hub;
    this.module = strict('usb', {
      getDeviceList: () => this.#devices.map((d) => d.handle),
      findByIds: (v: number, p: number) =>
        this.#devices.find((d) => d.spec.vendorId === v && d.spec.productId === p)?.handle,
      usb: strict('usb.usb', {
        LIBUSB_TRANSFER_TYPE_BULK: BULK,
        on: (e: string, fn: (...a: unknown[]) => void) => hub.on(e, fn),
        off: (e: string, fn: (...a: unknown[]) => void) => hub.off(e, fn),
      }),
    }) as unknown as UsbModule;
  }

  /** How many hotplug listeners are installed (none may be when there is no /sys/bus/usb). */
  get hotplugListeners(): number {
    return this.#hub.count('attach') + this.#hub.count('detach');
  }

  /** `before` runs ahead of the hotplug event: put the simulator behind the device, as it is when plugged in. */
  plug(spec: FakeUsbDeviceSpec, before?: (d: FakeUsbDevice) => void): FakeUsbDevice {
    const d = new FakeUsbDevice(spec);
    before?.(d);
    this.#devices.push(d);
    this.#hub.emit('attach', d.handle);
    return d;
  }

  pull(d: FakeUsbDevice): void {
    const i = this.#devices.indexOf(d);
    if (i >= 0) this.#devices.splice(i, 1);
    d.pull();
    this.#hub.emit('detach', d.handle);
  }
}
