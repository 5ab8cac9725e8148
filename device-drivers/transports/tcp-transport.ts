import { Socket } from 'node:net';
import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type { Transport, TransportInfo } from '../contracts/transport.js';
import { Listeners } from '../core/listeners.js';
import { mapOpenError } from '../core/os-errors.js';

export interface TcpTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs?: number;
}

/** Raw TCP (port 9100 "JetDirect" style for printers; LED cards on serial servers use the same shape). */
export class TcpTransport implements Transport {
  readonly info: TransportInfo;
  readonly #opts: TcpTransportOptions;
  #socket: Socket | undefined;
  #closing = false;
  readonly #data = new Listeners<[Uint8Array]>();
  readonly #close = new Listeners<[Error | undefined]>();

  constructor(opts: TcpTransportOptions) {
    this.#opts = opts;
    this.info = { kind: 'tcp', address: `tcp:${opts.host}:${opts.port}` };
  }

  get isOpen(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const socket = new Socket();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          mapOpenError(
            Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }),
            this.info.address,
          ),
        );
      }, this.#opts.connectTimeoutMs ?? 5000);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(mapOpenError(err, this.info.address));
      });
      socket.connect(this.#opts.port, this.#opts.host, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve();
      });
    });
    socket.setNoDelay(true);
    // Keepalive notices a printer that lost power without sending FIN.
    socket.setKeepAlive(true, 10_000);
    this.#closing = false;
    this.#socket = socket;
    let lastError: Error | undefined;
    socket.on('data', (chunk) => this.#data.emit(new Uint8Array(chunk)));
    socket.on('error', (err) => {
      lastError = err;
    });
    socket.once('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
      this.#close.emit(
        this.#closing
          ? undefined
          : new DeviceError(DeviceErrorCode.OFFLINE, `${this.info.address} closed the connection`, {
              address: this.info.address,
              cause: lastError?.message,
            }),
      );
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.destroyed) {
      throw new DeviceError(DeviceErrorCode.CLOSED, `${this.info.address} is not open; call open() first`);
    }
    await new Promise<void>((resolve, reject) => {
      socket.write(bytes, (err) =>
        err
          ? reject(
              new DeviceError(
                DeviceErrorCode.OFFLINE,
                `write to ${this.info.address} failed: ${err.message}`,
              ),
            )
          : resolve(),
      );
    });
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.#close.add(listener);
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    this.#closing = true;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 500).unref();
    });
  }
}
