import { existsSync } from 'node:fs';
import type { Transport } from '../contracts/transport.js';
import { HOTPLUG_SYSFS, type UsbModule, UsbTransport, usbLocation } from '../transports/usb-transport.js';

/** One USB device as discovery sees it: its ids and where it sits (two identical printers differ by location). */
export interface UsbDeviceRef {
  readonly vendorId: number;
  readonly productId: number;
  /** `busNumber-port.port…` as in sysfs, e.g. `1-1.4`. */
  readonly location: string;
}

/**
 * What discovery and the device manager need from USB, and nothing more: list, watch, and a transport for a
 * device. The production backend is libusb (`usb`); tests pass a fake built on the same seam.
 */
export interface UsbBackend {
  list(): Promise<UsbDeviceRef[]>;
  /** Starts hotplug notifications and returns how to stop them, or undefined when there are none (poll). */
  watch(onChange: () => void): Promise<(() => void) | undefined>;
  transport(ref: UsbDeviceRef): Transport;
}

export interface LibusbBackendOptions {
  /** Loads the binding; default `import('usb')`, so machines without USB peripherals never load the addon. */
  readonly load?: () => Promise<UsbModule>;
  /** Hotplug is used only where the kernel exposes this path; elsewhere (containers, CI) the caller polls. */
  readonly sysfsPath?: string;
}

export function libusbBackend(opts: LibusbBackendOptions = {}): UsbBackend {
  const load = opts.load ?? (() => import('usb'));
  const hotplug = (): boolean => existsSync(opts.sysfsPath ?? HOTPLUG_SYSFS);
  return {
    async list() {
      const usb = await load();
      return usb.getDeviceList().map((d) => ({
        vendorId: d.deviceDescriptor.idVendor,
        productId: d.deviceDescriptor.idProduct,
        location: usbLocation(d),
      }));
    },
    async watch(onChange) {
      // usb 2.x starts a libusb hotplug thread on the first listener; without sysfs it cannot see anything and
      // has crashed in containers, so no listener is ever installed there.
      if (!hotplug()) return undefined;
      const usb = await load();
      const handler = (): void => onChange();
      usb.usb.on('attach', handler);
      usb.usb.on('detach', handler);
      return () => {
        usb.usb.off('attach', handler);
        usb.usb.off('detach', handler);
      };
    },
    transport(ref) {
      return new UsbTransport({ ...ref, load, hotplug: hotplug() });
    },
  };
}
