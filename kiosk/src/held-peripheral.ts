import type { PosDevice } from '../../device-drivers/contracts/device.js';
import { DeviceErrorCode } from '../../device-drivers/contracts/device-error.js';
import type { SimHandle } from '../../device-drivers/index.js';
import type { Logger } from './logger.js';
import type { PeripheralName } from './peripherals.js';

export interface HeldPeripheralOptions {
  name: PeripheralName;
  create: () => Promise<PosDevice>;
  /** The device is usable (claimed, enabled, attached), or it is not (undefined). */
  onChange: (device: PosDevice | undefined) => void;
  /** The simulator behind a driver (device-drivers' getSimulator, passed in so it loads with the factory). */
  simOf: (device: PosDevice) => SimHandle | undefined;
  log: Logger;
  retryBaseMs: number;
  retryCapMs: number;
}

/** The first claim at boot is short, so a missing device delays nothing; later attempts use the default. */
const BOOT_CLAIM_MS = 1_000;
/** A wrong config is a person's job: creating the driver again would only fail again. */
const FATAL = new Set<string>([DeviceErrorCode.INVALID_ARGUMENT, DeviceErrorCode.UNSUPPORTED]);

/**
 * One driver for a device that has no hotplug path (a simulator, a network terminal): created once, then
 * claimed until it answers (full-jitter backoff), and followed through the driver's own `detached` /
 * `attached` (its transport supervisor reopens the link after a drop). The same driver object lives on, so
 * a simulator keeps its paper roll and its ledger across an unplug.
 */
export class HeldPeripheral {
  readonly name: PeripheralName;
  readonly #o: HeldPeripheralOptions;
  #device: PosDevice | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #running = false;
  #usable = false;

  constructor(o: HeldPeripheralOptions) {
    this.name = o.name;
    this.#o = o;
  }

  get simulated(): boolean {
    return this.#device !== undefined && this.#o.simOf(this.#device) !== undefined;
  }

  /** Creates the driver (a bad config throws) and tries it once; a device that is not there is retried. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const device = await this.#o.create();
    this.#device = device;
    device.on('detached', () => this.#setUsable(false));
    device.on('attached', () => this.#setUsable(true));
    await this.#tryClaim(BOOT_CLAIM_MS);
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#timer);
    this.#setUsable(false);
    await this.#device?.close().catch(() => undefined);
  }

  /** Pulls or plugs the simulated cable (tests, the demo); false for a real device. */
  setPlugged(plugged: boolean): boolean {
    const sim = this.#device ? this.#o.simOf(this.#device) : undefined;
    if (!sim) return false;
    if (plugged) {
      sim.link.replug();
      // Not claimed yet (it was unplugged at boot): try now rather than at the end of the backoff.
      if (!this.#usable && this.#timer) {
        clearTimeout(this.#timer);
        this.#attempt = 0;
        void this.#tryClaim();
      }
    } else sim.link.unplug();
    return true;
  }

  async #tryClaim(timeoutMs?: number): Promise<void> {
    const d = this.#device;
    if (!d || !this.#running) return;
    this.#timer = undefined;
    try {
      await d.open();
      await d.claim(timeoutMs);
      await d.enable();
      this.#attempt = 0;
      this.#setUsable(true);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'unknown';
      if (FATAL.has(code)) {
        this.#o.log.error({ peripheral: this.name, code }, `peripherals: the ${this.name} cannot start`);
        return;
      }
      // Full jitter: a fleet that lost its terminals together does not retry together.
      const ceiling = Math.min(this.#o.retryCapMs, this.#o.retryBaseMs * 2 ** this.#attempt++);
      const wait = Math.max(this.#o.retryBaseMs, Math.random() * ceiling);
      if (this.#attempt === 1) {
        this.#o.log.warn(
          { peripheral: this.name, code, address: d.info.address },
          `peripherals: the ${this.name} is not there (${(err as Error).message}); running without it and retrying`,
        );
      }
      if (!this.#running) return;
      this.#timer = setTimeout(() => void this.#tryClaim(), wait);
      this.#timer.unref();
    }
  }

  #setUsable(usable: boolean): void {
    if (usable === this.#usable) return;
    this.#usable = usable && this.#running;
    this.#o.onChange(this.#usable ? this.#device : undefined);
  }
}
