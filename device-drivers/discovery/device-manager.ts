import { EventEmitter } from 'node:events';
import type {
  DeviceManagerConfig,
  PeripheralKind,
  WantedPeripheral,
} from '../config/device-manager-schema.js';
import type { TransportConfig } from '../config/schema.js';
import type { PosDevice } from '../contracts/device.js';
import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type { Transport } from '../contracts/transport.js';
import { fullJitterDelay } from '../core/backoff.js';
import { printerProfile } from '../receipt-printer/profiles.js';
import { SerialPathWatcher } from './serial-path-watcher.js';
import type { UsbBackend, UsbDeviceRef } from './usb-backend.js';
import { UsbDiscovery, type UsbPresence } from './usb-discovery.js';
import { hex4, type KnownUsbDevice } from './usb-ids.js';

/** Builds and starts (open → claim → enable) one driver; index.ts supplies it from the factory. */
export type OpenDriver = (
  kind: PeripheralKind,
  options: Record<string, unknown>,
  transport: Transport | undefined,
) => Promise<PosDevice>;

export interface AttachedEvent {
  readonly id: string;
  readonly kind: PeripheralKind;
  readonly address: string;
  readonly device: PosDevice;
}
export interface DetachedEvent {
  readonly id: string;
  readonly kind: PeripheralKind;
  readonly address: string;
}
export interface ManagerErrorEvent {
  readonly id: string;
  readonly kind: PeripheralKind;
  readonly address: string;
  readonly error: DeviceError;
  /** Whether the manager tries again by itself while the device stays plugged in. */
  readonly willRetry: boolean;
}
export interface DeviceManagerEvents {
  attached: [AttachedEvent];
  detached: [DetachedEvent];
  error: [ManagerErrorEvent];
}

export type ManagedState = 'waiting' | 'opening' | 'attached' | 'failed' | 'stopped';
export interface ManagedStatus {
  readonly id: string;
  readonly kind: PeripheralKind;
  readonly state: ManagedState;
  readonly address?: string;
  readonly lastError?: { readonly code: string; readonly message: string };
}

/** Where a wanted peripheral was found, and how to reach it. */
interface Target {
  readonly address: string;
  readonly transport: TransportConfig;
  readonly make?: () => Transport;
  readonly profile?: string;
  readonly usbKey?: string;
}

interface Slot {
  readonly wanted: WantedPeripheral;
  target: Target | undefined;
  device: PosDevice | undefined;
  deviceAddress: string | undefined;
  state: ManagedState;
  lastError: DeviceError | undefined;
  attempt: number;
  retry: NodeJS.Timeout | undefined;
  run: Promise<void>;
  queued: boolean;
}

/** Failures a person must fix (permissions, config): no automatic retry until the device is plugged in again. */
const NEEDS_A_PERSON = new Set<string>([
  DeviceErrorCode.PERMISSION_DENIED,
  DeviceErrorCode.INVALID_ARGUMENT,
  DeviceErrorCode.UNSUPPORTED,
]);

const usbKey = (r: UsbDeviceRef): string => `${r.vendorId}:${r.productId}@${r.location}`;

/**
 * Opens and closes drivers as their devices come and go (a balena-style reconcile loop: per peripheral, the
 * target is "what is plugged in now", the current state is "which driver is open", and one serialised pass
 * converges the two). Serial peripherals are addressed by stable paths (/dev/serial/by-id, udev symlinks) and
 * watched for appearing and disappearing; USB printers are matched against the printer profiles on hotplug (or
 * polling where there is no /sys/bus/usb). A device that appears gets a fresh driver, started; one that
 * disappears has its driver closed; a replug opens a new one. Consumers follow `attached`/`detached` or ask
 * `get(id)` at the moment of use.
 */
export class DeviceManager {
  readonly #cfg: DeviceManagerConfig;
  readonly #open: OpenDriver;
  readonly #events = new EventEmitter();
  readonly #slots: Slot[];
  readonly #serial: SerialPathWatcher;
  readonly #usb: UsbDiscovery | undefined;
  #unsubs: (() => void)[] = [];
  #running = false;

  constructor(cfg: DeviceManagerConfig, open: OpenDriver, usb: { backend?: UsbBackend } = {}) {
    this.#cfg = cfg;
    this.#open = open;
    this.#slots = cfg.peripherals.map((wanted) => ({
      wanted,
      target: undefined,
      device: undefined,
      deviceAddress: undefined,
      state: 'stopped',
      lastError: undefined,
      attempt: 0,
      retry: undefined,
      run: Promise.resolve(),
      queued: false,
    }));
    const paths = cfg.peripherals.flatMap((w) => (w.path ? [w.path] : []));
    this.#serial = new SerialPathWatcher(paths, { pollMs: cfg.serialPollMs });
    this.#usb = cfg.peripherals.some((w) => w.usb)
      ? new UsbDiscovery({ ...(usb.backend ? { backend: usb.backend } : {}), pollMs: cfg.usbPollMs })
      : undefined;
    this.#events.on('error', () => undefined);
  }

  on<K extends keyof DeviceManagerEvents>(event: K, l: (...a: DeviceManagerEvents[K]) => void): this {
    this.#events.on(event, l as (...a: unknown[]) => void);
    return this;
  }

  off<K extends keyof DeviceManagerEvents>(event: K, l: (...a: DeviceManagerEvents[K]) => void): this {
    this.#events.off(event, l as (...a: unknown[]) => void);
    return this;
  }

  /** The open, enabled driver for a peripheral id, or undefined while it is not plugged in. */
  get<D extends PosDevice = PosDevice>(id: string): D | undefined {
    return this.#slots.find((s) => s.wanted.id === id)?.device as D | undefined;
  }

  /** How USB is watched: `hotplug`, `poll`, or `off` when no USB peripheral is wanted. */
  get usbMode(): 'hotplug' | 'poll' | 'stopped' | 'off' {
    return this.#usb?.mode ?? 'off';
  }

  status(): ManagedStatus[] {
    return this.#slots.map((s) => ({
      id: s.wanted.id,
      kind: s.wanted.kind,
      state: s.state,
      ...((s.deviceAddress ?? s.target?.address) ? { address: s.deviceAddress ?? s.target?.address } : {}),
      ...(s.lastError ? { lastError: { code: s.lastError.code, message: s.lastError.message } } : {}),
    }));
  }

  /** Starts watching and opens whatever is already plugged in. Idempotent. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    for (const s of this.#slots) s.state = 'waiting';
    this.#unsubs.push(this.#serial.on((path, present) => this.#onSerial(path, present)));
    if (this.#usb) this.#unsubs.push(this.#usb.on((p) => this.#onUsb(p)));
    await this.#serial.start();
    await this.#usb?.start();
    await this.settled();
  }

  /** Stops watching and closes every driver it opened. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const u of this.#unsubs.splice(0)) u();
    this.#serial.stop();
    this.#usb?.stop();
    for (const s of this.#slots) {
      clearTimeout(s.retry);
      s.target = undefined;
      this.#kick(s);
    }
    await this.settled();
    for (const s of this.#slots) s.state = 'stopped';
  }

  /** Resolves when every pending open/close has finished (tests, orderly shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.run));
  }

  #onSerial(path: string, present: boolean): void {
    for (const s of this.#slots) {
      if (s.wanted.path !== path) continue;
      const transport: TransportConfig = {
        kind: 'serial',
        path,
        ...(s.wanted.baudRate ? { baudRate: s.wanted.baudRate } : {}),
      };
      this.#retarget(s, present ? { address: `serial:${path}`, transport } : undefined);
    }
  }

  #onUsb(p: UsbPresence): void {
    if (p.event === 'detached') {
      for (const s of this.#slots) if (s.target?.usbKey === usbKey(p.ref)) this.#retarget(s, undefined);
    }
    this.#bindUsb();
  }

  /** Gives each unbound USB slot the first present, unclaimed device that matches it. */
  #bindUsb(): void {
    const usb = this.#usb;
    if (!usb) return;
    const taken = new Set(this.#slots.flatMap((s) => (s.target?.usbKey ? [s.target.usbKey] : [])));
    for (const s of this.#slots) {
      if (!s.wanted.usb || s.target) continue;
      const found = usb.present.find((p) => !taken.has(usbKey(p.ref)) && usbMatches(s.wanted, p.device));
      if (!found) continue;
      const { ref, device } = found;
      taken.add(usbKey(ref));
      this.#retarget(s, {
        address: `usb:${hex4(ref.vendorId)}:${hex4(ref.productId)}@${ref.location}`,
        transport: { kind: 'usb', vendorId: ref.vendorId, productId: ref.productId },
        make: () => usb.backend.transport(ref),
        ...(device.profile ? { profile: device.profile } : {}),
        usbKey: usbKey(ref),
      });
    }
  }

  #retarget(s: Slot, target: Target | undefined): void {
    if (s.target?.address === target?.address) return;
    s.target = target;
    s.attempt = 0;
    s.lastError = undefined;
    if (s.state === 'failed') s.state = 'waiting';
    clearTimeout(s.retry);
    this.#kick(s);
  }

  /** Queues one reconcile pass; passes of one slot never overlap, and a queued pass is not queued twice. */
  #kick(s: Slot): void {
    if (s.queued) return;
    s.queued = true;
    s.run = s.run
      .then(async () => {
        s.queued = false;
        await this.#reconcile(s);
      })
      .catch((err) =>
        queueMicrotask(() => {
          throw err;
        }),
      );
  }

  async #reconcile(s: Slot): Promise<void> {
    for (;;) {
      const want = this.#running ? s.target : undefined;
      if (s.device && s.deviceAddress !== want?.address) {
        const device = s.device;
        const address = s.deviceAddress!;
        s.device = undefined;
        s.deviceAddress = undefined;
        await device.close().catch(() => undefined);
        this.#emit('detached', { id: s.wanted.id, kind: s.wanted.kind, address });
        continue;
      }
      if (!s.device && want && s.state !== 'failed') {
        s.state = 'opening';
        let device: PosDevice;
        try {
          device = await this.#open(s.wanted.kind, this.#driverOptions(s.wanted, want), want.make?.());
        } catch (err) {
          this.#failed(s, want, err);
          continue;
        }
        if (!this.#running || s.target !== want) {
          // Unplugged or stopped while it was opening: never announce a driver that is already obsolete.
          await device.close().catch(() => undefined);
          s.state = 'waiting';
          continue;
        }
        s.device = device;
        s.deviceAddress = want.address;
        s.attempt = 0;
        s.lastError = undefined;
        s.state = 'attached';
        this.#emit('attached', {
          id: s.wanted.id,
          kind: s.wanted.kind,
          address: want.address,
          device: s.device,
        });
        continue;
      }
      if (s.state !== 'failed' || !want)
        s.state = s.device ? 'attached' : this.#running ? 'waiting' : 'stopped';
      return;
    }
  }

  #failed(s: Slot, target: Target, err: unknown): void {
    // Unplugged while it was opening: that is why it failed, and no error worth a report.
    if (s.target !== target) return;
    const error =
      err instanceof DeviceError
        ? err
        : new DeviceError(DeviceErrorCode.HARDWARE, `${s.wanted.id}: ${String(err)}`, { cause: String(err) });
    const willRetry = this.#running && !NEEDS_A_PERSON.has(error.code);
    s.state = 'failed';
    s.lastError = error;
    if (willRetry) {
      const delay = fullJitterDelay(s.attempt++, {
        baseMs: this.#cfg.retryBaseMs,
        capMs: this.#cfg.retryCapMs,
      });
      s.retry = setTimeout(
        () => {
          if (s.target !== target) return;
          s.state = 'waiting';
          this.#kick(s);
        },
        Math.max(delay, this.#cfg.retryBaseMs),
      );
      s.retry.unref();
    }
    this.#emit('error', { id: s.wanted.id, kind: s.wanted.kind, address: target.address, error, willRetry });
  }

  #driverOptions(w: WantedPeripheral, t: Target): Record<string, unknown> {
    const profile = (w.options.profile as string | undefined) ?? w.usb?.profile ?? t.profile;
    return { ...w.options, name: w.id, transport: t.transport, ...(profile ? { profile } : {}) };
  }

  #emit<K extends keyof DeviceManagerEvents>(event: K, ...args: DeviceManagerEvents[K]): void {
    try {
      this.#events.emit(event, ...args);
    } catch (err) {
      // A throwing listener must not stop the reconcile loop; report it where Node reports stray errors.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

/** USB bulk is for printers: serial bridges carry other peripherals and are addressed by their by-id path. */
function usbMatches(w: WantedPeripheral, d: KnownUsbDevice): boolean {
  const u = w.usb!;
  if (d.role !== 'receipt-printer') return false;
  if (u.vendorId !== undefined && u.vendorId !== d.vendorId) return false;
  if (u.productId !== undefined && u.productId !== d.productId) return false;
  if (u.profile) {
    const p = printerProfile(u.profile);
    return !!p?.usb.some((id) => id.vendorId === d.vendorId && id.productId === d.productId);
  }
  return true;
}
