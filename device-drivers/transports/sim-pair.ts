import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type { Transport, TransportInfo } from '../contracts/transport.js';
import { Listeners } from '../core/listeners.js';

/**
 * An in-process byte link between a driver (host end) and a simulator (device end). Bytes arrive
 * asynchronously and in order, like a real medium, so drivers cannot come to depend on synchronous replies.
 * The link itself carries the faults that belong to the medium: unplug, slow link, garbage bytes.
 */
export class SimLink {
  readonly name: string;
  #plugged = true;
  #bytesPerSec: number | undefined;
  readonly host: SimHostTransport;
  readonly device: SimDeviceEnd;

  constructor(name: string) {
    this.name = name;
    this.host = new SimHostTransport(this);
    this.device = new SimDeviceEnd(this);
  }

  get plugged(): boolean {
    return this.#plugged;
  }

  /** Pulls the cable: the host end closes with an error and cannot reopen until `replug()`. */
  unplug(): void {
    if (!this.#plugged) return;
    this.#plugged = false;
    this.host.lose(
      new DeviceError(DeviceErrorCode.OFFLINE, `sim:${this.name} was unplugged`, {
        address: this.host.info.address,
      }),
    );
  }

  replug(): void {
    this.#plugged = true;
  }

  /** Throttles both directions to this many bytes per second (undefined = as fast as the event loop). */
  setSlow(bytesPerSec: number | undefined): void {
    this.#bytesPerSec = bytesPerSec;
  }

  /** Delivery delay for a chunk, modelling the wire time of a slow link. */
  delayFor(bytes: number): number {
    return this.#bytesPerSec ? Math.ceil((bytes / this.#bytesPerSec) * 1000) : 0;
  }
}

/** Serialises deliveries so a slow chunk is never overtaken by a later fast one. */
class Pipe {
  #tail: Promise<void> = Promise.resolve();
  send(delayMs: number, deliver: () => void): Promise<void> {
    const done = this.#tail.then(
      () =>
        new Promise<void>((resolve) => {
          const go = (): void => {
            deliver();
            resolve();
          };
          if (delayMs > 0) setTimeout(go, delayMs);
          else setImmediate(go);
        }),
    );
    this.#tail = done;
    return done;
  }
}

export class SimHostTransport implements Transport {
  readonly info: TransportInfo;
  readonly #link: SimLink;
  #open = false;
  readonly #data = new Listeners<[Uint8Array]>();
  readonly #close = new Listeners<[Error | undefined]>();
  readonly pipe = new Pipe();

  constructor(link: SimLink) {
    this.#link = link;
    this.info = { kind: 'sim', address: `sim:${link.name}` };
  }

  get isOpen(): boolean {
    return this.#open;
  }

  async open(): Promise<void> {
    if (this.#open) return;
    if (!this.#link.plugged) {
      throw new DeviceError(DeviceErrorCode.NOT_FOUND, `${this.info.address} is unplugged`, {
        address: this.info.address,
      });
    }
    this.#open = true;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.#open) {
      throw new DeviceError(DeviceErrorCode.CLOSED, `${this.info.address} is not open; call open() first`);
    }
    const copy = Uint8Array.from(bytes);
    await this.#link.device.pipe.send(this.#link.delayFor(copy.length), () =>
      this.#link.device.deliver(copy),
    );
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.#close.add(listener);
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.#close.emit(undefined);
  }

  /** @internal bytes from the device end. */
  deliver(chunk: Uint8Array): void {
    if (this.#open) this.#data.emit(chunk);
  }

  /** @internal the medium went away. */
  lose(err: Error): void {
    if (!this.#open) return;
    this.#open = false;
    this.#close.emit(err);
  }
}

/** The simulator's side: always powered; what it sends while the host is closed is lost, as on a real wire. */
export class SimDeviceEnd {
  readonly #link: SimLink;
  readonly #data = new Listeners<[Uint8Array]>();
  readonly pipe = new Pipe();

  constructor(link: SimLink) {
    this.#link = link;
  }

  send(bytes: Uint8Array): Promise<void> {
    const copy = Uint8Array.from(bytes);
    return this.#link.host.pipe.send(this.#link.delayFor(copy.length), () => this.#link.host.deliver(copy));
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.add(listener);
  }

  /** @internal */
  deliver(chunk: Uint8Array): void {
    if (this.#link.plugged) this.#data.emit(chunk);
  }
}

/** What a simulator needs from its side of the wire: an in-process SimDeviceEnd or a serial port on a pty. */
export interface DevicePort {
  send(bytes: Uint8Array): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): () => void;
}

export function createSimLink(name: string): SimLink {
  return new SimLink(name);
}
