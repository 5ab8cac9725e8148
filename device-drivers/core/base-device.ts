import { EventEmitter } from 'node:events';
import type {
  DeviceEvents,
  DeviceInfo,
  DeviceState,
  ErrorLocus,
  ErrorResponse,
  PosDevice,
  PowerState,
} from '../contracts/device.js';
import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type { Transport } from '../contracts/transport.js';
import { type SupervisorOptions, TransportSupervisor } from '../transports/supervisor.js';

export interface BaseDeviceOptions {
  readonly info: DeviceInfo;
  readonly transport: Transport;
  readonly supervisor?: SupervisorOptions;
}

/**
 * The UnifiedPOS lifecycle shared by every driver: `open` loads the service object, `claim` opens and locks the
 * transport (retrying a port that is not lockable yet), `enable` runs the device handshake. After an unplug the
 * supervisor reopens the transport and the driver re-runs its handshake, reporting `detached` / `attached`.
 */
export abstract class BaseDevice<E extends DeviceEvents> implements PosDevice<E> {
  readonly info: DeviceInfo;
  protected readonly link: TransportSupervisor;
  readonly #events = new EventEmitter();
  #state: DeviceState = 'closed';
  #power: PowerState = 'unknown';
  #flags: Record<string, boolean> = {};
  #opened = false;
  #claimed = false;
  #enabled = false;
  #unsubs: (() => void)[] = [];

  constructor(opts: BaseDeviceOptions) {
    this.info = opts.info;
    this.link = new TransportSupervisor(opts.transport, opts.supervisor);
    // An 'error' event without listeners would throw in EventEmitter; errors here are reports, not crashes.
    this.#events.on('error', () => undefined);
  }

  get state(): DeviceState {
    return this.#state;
  }

  get power(): PowerState {
    return this.#power;
  }

  get flags(): Readonly<Record<string, boolean>> {
    return this.#flags;
  }

  get claimed(): boolean {
    return this.#claimed;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  async open(): Promise<void> {
    if (this.#opened) return;
    this.#opened = true;
    this.setState('idle');
  }

  async claim(timeoutMs = this.link.claimTimeoutMs): Promise<void> {
    this.#require('open');
    if (this.#claimed) return;
    await this.link.start(timeoutMs);
    this.#claimed = true;
    this.#unsubs.push(
      this.link.transport.onData((chunk) => this.#safeBytes(chunk)),
      this.link.onDetached((err) => this.#onDetached(err)),
      this.link.onAttached(() => void this.#onAttached()),
    );
  }

  async enable(): Promise<void> {
    this.#require('claimed');
    if (this.#enabled) return;
    await this.onEnable();
    this.#enabled = true;
    this.setPower('online');
  }

  async disable(): Promise<void> {
    if (!this.#enabled) return;
    this.#enabled = false;
    await this.onDisable().catch(() => undefined);
  }

  async release(): Promise<void> {
    await this.disable();
    if (!this.#claimed) return;
    this.#claimed = false;
    for (const u of this.#unsubs.splice(0)) u();
    await this.link.stop();
    this.setPower('unknown');
  }

  async close(): Promise<void> {
    await this.release();
    if (!this.#opened) return;
    this.#opened = false;
    this.setState('closed');
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K] & unknown[]) => void): this {
    this.#events.on(event, listener as (...a: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K] & unknown[]) => void): this {
    this.#events.off(event, listener as (...a: unknown[]) => void);
    return this;
  }

  /** The device handshake run by enable() and after every re-attach. */
  protected abstract onEnable(): Promise<void>;
  protected async onDisable(): Promise<void> {}
  /** Raw bytes from the device; must never throw (the base catches anyway and reports a PROTOCOL error). */
  protected abstract onBytes(chunk: Uint8Array): void;

  protected emit<K extends keyof E & string>(event: K, ...args: E[K] & unknown[]): void {
    this.#events.emit(event, ...args);
  }

  protected setState(state: DeviceState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emitStatus();
  }

  protected setPower(power: PowerState): void {
    if (this.#power === power) return;
    this.#power = power;
    this.emitStatus();
  }

  protected setFlags(flags: Record<string, boolean>): void {
    const next = { ...this.#flags, ...flags };
    if (Object.entries(next).every(([k, v]) => this.#flags[k] === v)) return;
    this.#flags = next;
    this.emitStatus();
  }

  protected emitStatus(): void {
    this.emit('status', {
      state: this.#state,
      power: this.#power,
      flags: { ...this.#flags },
      at: Date.now(),
    } as never);
  }

  /**
   * Reports an error event and returns what the application chose. UnifiedPOS semantics: the handler answers
   * synchronously with `respond`; without an answer the preset `defaultResponse` applies.
   */
  protected raiseError(error: DeviceError, locus: ErrorLocus, defaultResponse: ErrorResponse): ErrorResponse {
    let chosen: ErrorResponse | undefined;
    this.emit('error', {
      error,
      locus,
      defaultResponse,
      respond(r: ErrorResponse) {
        if (r === 'retry' || r === 'clear') chosen ??= r;
      },
    } as never);
    return chosen ?? defaultResponse;
  }

  protected requireEnabled(): void {
    this.#require('enabled');
  }

  #require(step: 'open' | 'claimed' | 'enabled'): void {
    if (!this.#opened) {
      throw new DeviceError(DeviceErrorCode.CLOSED, `${this.info.name} is closed; call open() first`);
    }
    if (step !== 'open' && !this.#claimed) {
      throw new DeviceError(
        DeviceErrorCode.NOT_CLAIMED,
        `${this.info.name} is not claimed; call claim() first`,
      );
    }
    if (step === 'enabled' && !this.#enabled) {
      throw new DeviceError(
        DeviceErrorCode.NOT_ENABLED,
        `${this.info.name} is not enabled; call enable() first`,
      );
    }
  }

  #safeBytes(chunk: Uint8Array): void {
    try {
      this.onBytes(chunk);
    } catch (err) {
      // Parsers are written not to throw; this is the last guard so bad serial bytes never crash the kiosk.
      const e =
        err instanceof DeviceError
          ? err
          : new DeviceError(DeviceErrorCode.PROTOCOL, `${this.info.name}: unexpected bytes from the device`, {
              cause: String(err),
            });
      this.raiseError(e, 'input', 'clear');
    }
  }

  #onDetached(err: Error): void {
    this.setPower('off');
    this.emit('detached', ...([] as never));
    this.onDetach(err);
  }

  /** Hook for drivers to fail pending requests when the device disappears. */
  protected onDetach(_err: Error): void {}

  async #onAttached(): Promise<void> {
    this.emit('attached', ...([] as never));
    if (!this.#enabled) return;
    try {
      await this.onEnable();
      this.setPower('online');
    } catch (err) {
      this.setPower('offline');
      this.raiseError(
        err instanceof DeviceError
          ? err
          : new DeviceError(DeviceErrorCode.HARDWARE, `${this.info.name} did not answer after re-attach`),
        'output',
        'clear',
      );
    }
  }
}
