import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import { SerialQueue } from '../core/reply-queue.js';
import { ACK, encodeFrame, FrameParser, NAK } from './frame.js';

export interface FramedLinkOptions {
  readonly send: (bytes: Uint8Array) => Promise<void>;
  readonly onFrame: (body: string) => void;
  readonly onError: (err: DeviceError) => void;
  readonly ackTimeoutMs?: number;
  readonly retries?: number;
  /** Fault hook for simulators: return false to withhold the ACK of a good frame. */
  readonly shouldAck?: (body: string) => boolean;
}

/** Both ends of the terminal link: ACK/NAK, retransmission, one outstanding frame at a time. */
export class FramedLink {
  readonly #opts: FramedLinkOptions;
  readonly #parser = new FrameParser();
  readonly #queue = new SerialQueue();
  #waiting: ((r: 'ack' | 'nak') => void) | undefined;

  constructor(opts: FramedLinkOptions) {
    this.#opts = opts;
  }

  push(chunk: Uint8Array): void {
    for (const ev of this.#parser.push(chunk)) {
      if (ev.kind === 'ack' || ev.kind === 'nak') {
        const w = this.#waiting;
        this.#waiting = undefined;
        w?.(ev.kind);
      } else if (ev.kind === 'frame') {
        if (this.#opts.shouldAck?.(ev.body) === false) continue;
        void this.#opts.send(Uint8Array.of(ACK)).catch(() => undefined);
        this.#opts.onFrame(ev.body);
      } else {
        if (ev.nak) void this.#opts.send(Uint8Array.of(NAK)).catch(() => undefined);
        this.#opts.onError(ev.error);
      }
    }
  }

  send(body: string): Promise<void> {
    const frame = encodeFrame(body);
    return this.#queue.run(async () => {
      const retries = this.#opts.retries ?? 3;
      const timeout = this.#opts.ackTimeoutMs ?? 1000;
      let last = 'no ACK';
      for (let attempt = 0; attempt <= retries; attempt++) {
        const answer = new Promise<'ack' | 'nak' | 'timeout'>((resolve) => {
          const t = setTimeout(() => {
            this.#waiting = undefined;
            resolve('timeout');
          }, timeout);
          this.#waiting = (r) => {
            clearTimeout(t);
            resolve(r);
          };
        });
        await this.#opts.send(frame);
        const r = await answer;
        if (r === 'ack') return;
        last = r === 'nak' ? 'NAK' : 'no ACK';
      }
      throw new DeviceError(
        last === 'NAK' ? DeviceErrorCode.NAK : DeviceErrorCode.TIMEOUT,
        `Frame not acknowledged after ${retries + 1} tries (${last}); check the terminal's cable and baud rate.`,
      );
    });
  }
}
