import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type { Transport } from '../contracts/transport.js';
import { fullJitterDelay, sleep } from '../core/backoff.js';
import { Listeners } from '../core/listeners.js';
import { mapOpenError } from '../core/os-errors.js';

export interface SupervisorOptions {
  /** First backoff ceiling; doubles per failed attempt (full jitter). Default 200 ms. */
  readonly backoffBaseMs?: number;
  /** Backoff ceiling. Default 10 s: a replugged printer is back within seconds, a dead one costs nothing. */
  readonly backoffCapMs?: number;
  readonly random?: () => number;
  /** Default for claim(): how long a busy or missing port is retried before claim fails. Default 5 s. */
  readonly claimTimeoutMs?: number;
}

/** Retrying helps only when the cause can go away by itself; a permission error needs a person. */
function retryable(err: DeviceError): boolean {
  return (
    err.code === DeviceErrorCode.BUSY ||
    err.code === DeviceErrorCode.NOT_FOUND ||
    err.code === DeviceErrorCode.OFFLINE ||
    err.code === DeviceErrorCode.HARDWARE
  );
}

/**
 * Keeps one transport open: the first open retries a port that cannot be locked yet (ModemManager probing, a
 * previous process still exiting) until the claim timeout; after an unplug it reopens forever with full-jitter
 * backoff until `stop()`, reporting `detached` / `attached` so drivers can re-handshake.
 */
export class TransportSupervisor {
  readonly transport: Transport;
  readonly #opts: Required<Omit<SupervisorOptions, 'random'>> & { random?: () => number };
  #running = false;
  #abort: AbortController | undefined;
  #reconnecting: Promise<void> | undefined;
  #unsubClose: (() => void) | undefined;
  readonly #attached = new Listeners<[]>();
  readonly #detached = new Listeners<[Error]>();
  /** Set while a reconnect is in progress; the last open failure, for status reports. */
  lastError: DeviceError | undefined;

  constructor(transport: Transport, opts: SupervisorOptions = {}) {
    this.transport = transport;
    this.#opts = {
      backoffBaseMs: opts.backoffBaseMs ?? 200,
      backoffCapMs: opts.backoffCapMs ?? 10_000,
      claimTimeoutMs: opts.claimTimeoutMs ?? 5000,
      ...(opts.random ? { random: opts.random } : {}),
    };
  }

  get isOpen(): boolean {
    return this.transport.isOpen;
  }

  get claimTimeoutMs(): number {
    return this.#opts.claimTimeoutMs;
  }

  onAttached(l: () => void): () => void {
    return this.#attached.add(l);
  }

  onDetached(l: (err: Error) => void): () => void {
    return this.#detached.add(l);
  }

  /** Opens, retrying retryable failures until `timeoutMs`; rejects with the last coded error. Idempotent. */
  async start(timeoutMs: number): Promise<void> {
    if (this.#running && this.transport.isOpen) return;
    this.#running = true;
    this.#abort = new AbortController();
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#openOnce();
        return;
      } catch (err) {
        const e = err as DeviceError;
        const wait = fullJitterDelay(attempt, this.#backoff());
        if (!retryable(e) || Date.now() + wait >= deadline || !this.#running) {
          this.#running = false;
          throw e;
        }
        await sleep(Math.max(wait, 10), this.#abort.signal);
      }
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#abort?.abort();
    this.#unsubClose?.();
    this.#unsubClose = undefined;
    await this.#reconnecting?.catch(() => undefined);
    await this.transport.close();
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.transport.isOpen) {
      throw new DeviceError(
        DeviceErrorCode.OFFLINE,
        `${this.transport.info.address} is detached; the driver reconnects by itself when it comes back.`,
        { address: this.transport.info.address, lastError: this.lastError?.message },
      );
    }
    await this.transport.write(bytes);
  }

  #backoff() {
    return {
      baseMs: this.#opts.backoffBaseMs,
      capMs: this.#opts.backoffCapMs,
      ...(this.#opts.random ? { random: this.#opts.random } : {}),
    };
  }

  async #openOnce(): Promise<void> {
    try {
      await this.transport.open();
    } catch (err) {
      this.lastError = mapOpenError(err, this.transport.info.address);
      throw this.lastError;
    }
    this.lastError = undefined;
    this.#unsubClose?.();
    this.#unsubClose = this.transport.onClose((error) => {
      if (!error || !this.#running) return;
      this.#detached.emit(error);
      this.#reconnecting = this.#reconnectLoop();
    });
  }

  async #reconnectLoop(): Promise<void> {
    for (let attempt = 0; this.#running; attempt++) {
      await sleep(fullJitterDelay(attempt, this.#backoff()), this.#abort?.signal);
      if (!this.#running) return;
      try {
        await this.#openOnce();
        this.#attached.emit();
        return;
      } catch {
        // Keep trying: the technician may be swapping the cable; lastError says why for status reports.
      }
    }
  }
}
