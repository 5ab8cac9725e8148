import type { SerialPort, SerialPortMock } from 'serialport';
import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type { Transport, TransportInfo } from '../contracts/transport.js';
import { Listeners } from '../core/listeners.js';
import { mapOpenError } from '../core/os-errors.js';

export interface SerialTransportOptions {
  /** Prefer `/dev/serial/by-id/...` or a udev symlink (`/dev/linli-printer`): ttyUSB numbers move on replug. */
  readonly path: string;
  readonly baudRate: number;
  readonly dataBits?: 7 | 8;
  readonly parity?: 'none' | 'even' | 'odd';
  readonly stopBits?: 1 | 2;
  /** Hardware flow control: receipt printers on RS-232 usually need it to avoid overrunning their buffer. */
  readonly rtscts?: boolean;
  /** Use serialport's mock binding (node-serialport's own test double): same stream class, no hardware. */
  readonly mock?: boolean;
}

type Port = SerialPort | SerialPortMock;

/** serialport 13 behind the Transport interface; `lock: true` so two processes never interleave bytes. */
export class SerialTransport implements Transport {
  readonly info: TransportInfo;
  readonly #opts: SerialTransportOptions;
  #port: Port | undefined;
  readonly #data = new Listeners<[Uint8Array]>();
  readonly #close = new Listeners<[Error | undefined]>();

  constructor(opts: SerialTransportOptions) {
    this.#opts = opts;
    this.info = { kind: 'serial', address: `serial:${opts.path}` };
  }

  get isOpen(): boolean {
    return this.#port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const o = this.#opts;
    const common = {
      path: o.path,
      baudRate: o.baudRate,
      dataBits: o.dataBits ?? 8,
      parity: o.parity ?? 'none',
      stopBits: o.stopBits ?? 1,
      rtscts: o.rtscts ?? false,
      autoOpen: false,
    } as const;
    // serialport (and its native binding) loads on the first open: a process with no serial device never maps it.
    const serialport = await import('serialport');
    const port: Port = o.mock
      ? new serialport.SerialPortMock(common)
      : new serialport.SerialPort({ ...common, lock: true });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => (err ? reject(mapOpenError(err, this.info.address)) : resolve()));
    });
    this.#port = port;
    port.on('data', (chunk: Buffer) => this.#data.emit(new Uint8Array(chunk)));
    // 'error' after open is reported through 'close' (disconnect) or the write callback; keep Node from
    // treating it as unhandled.
    port.on('error', () => undefined);
    port.once('close', (err?: Error & { disconnected?: boolean }) => {
      if (this.#port === port) this.#port = undefined;
      this.#close.emit(
        err
          ? new DeviceError(DeviceErrorCode.OFFLINE, `${this.info.address} was disconnected`, {
              address: this.info.address,
              cause: err.message,
            })
          : undefined,
      );
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    const port = this.#port;
    if (!port?.isOpen) {
      throw new DeviceError(DeviceErrorCode.CLOSED, `${this.info.address} is not open; call open() first`);
    }
    await new Promise<void>((resolve, reject) => {
      const flushed = port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (err) => {
        if (err)
          reject(
            new DeviceError(DeviceErrorCode.OFFLINE, `write to ${this.info.address} failed: ${err.message}`),
          );
        else if (flushed) resolve();
      });
      if (!flushed) port.once('drain', () => resolve());
    });
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.#close.add(listener);
  }

  async close(): Promise<void> {
    const port = this.#port;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
