import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';

/**
 * Link layer between host and payment terminal (our design, in the shape of the ECR links terminals speak):
 *
 *   STX 0x02 | LEN 2 bytes big-endian (length of BODY) | BODY UTF-8 JSON | ETX 0x03 | LRC
 *
 * LRC is the XOR of LEN, BODY and ETX. The receiver answers ACK 0x06 for a good frame and NAK 0x15 for a bad
 * one; the sender retransmits up to 3 times on NAK or when no ACK arrives within 1 s. BODY is at most 8 KiB.
 */
export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;
export const MAX_BODY = 8192;

export function encodeFrame(body: string): Uint8Array {
  const payload = Buffer.from(body, 'utf8');
  if (payload.length > MAX_BODY) {
    throw new DeviceError(
      DeviceErrorCode.INVALID_ARGUMENT,
      `Terminal message of ${payload.length} bytes exceeds ${MAX_BODY}`,
    );
  }
  const out = new Uint8Array(payload.length + 5);
  out[0] = STX;
  out[1] = payload.length >> 8;
  out[2] = payload.length & 0xff;
  out.set(payload, 3);
  out[3 + payload.length] = ETX;
  out[4 + payload.length] = lrc(out.subarray(1, 4 + payload.length));
  return out;
}

export function lrc(bytes: Uint8Array): number {
  let x = 0;
  for (const b of bytes) x ^= b;
  return x;
}

export type LinkEvent =
  | { readonly kind: 'frame'; readonly body: string }
  | { readonly kind: 'ack' }
  | { readonly kind: 'nak' }
  | { readonly kind: 'error'; readonly error: DeviceError; readonly nak: boolean };

/** Incremental, resynchronising frame parser: never throws, every malformed frame becomes a coded error. */
export class FrameParser {
  #buf: number[] = [];

  push(chunk: Uint8Array): LinkEvent[] {
    const out: LinkEvent[] = [];
    for (const b of chunk) this.#buf.push(b);
    for (;;) {
      if (this.#buf.length === 0) break;
      const head = this.#buf[0]!;
      if (head === ACK || head === NAK) {
        this.#buf.shift();
        out.push({ kind: head === ACK ? 'ack' : 'nak' });
        continue;
      }
      if (head !== STX) {
        // Noise between frames: drop up to the next byte that can start something.
        let n = 1;
        while (n < this.#buf.length && ![STX, ACK, NAK].includes(this.#buf[n]!)) n++;
        const junk = this.#buf.splice(0, n);
        out.push(protocolError(`${junk.length} stray byte(s) before a frame`, false));
        continue;
      }
      if (this.#buf.length < 3) break;
      const len = (this.#buf[1]! << 8) | this.#buf[2]!;
      if (len > MAX_BODY) {
        this.#buf.shift();
        out.push(protocolError(`frame length ${len} exceeds ${MAX_BODY}`, true));
        continue;
      }
      if (this.#buf.length < len + 5) {
        // A flipped LEN byte would otherwise swallow every later frame (the sender's retransmissions too)
        // until len bytes arrive. A complete valid frame starting further on shows this start was noise.
        const next = this.#nextValidFrame();
        if (next < 0) break;
        this.#buf.splice(0, next);
        out.push(protocolError(`frame announcing ${len} bytes cut short by the next frame`, true));
        continue;
      }
      const frame = Uint8Array.from(this.#buf.slice(0, len + 5));
      if (frame[len + 3] !== ETX || lrc(frame.subarray(1, len + 4)) !== frame[len + 4]) {
        this.#buf.shift();
        out.push(protocolError(`frame with bad ${frame[len + 3] !== ETX ? 'ETX' : 'LRC'}`, true));
        continue;
      }
      this.#buf.splice(0, len + 5);
      const body = Buffer.from(frame.subarray(3, 3 + len)).toString('utf8');
      out.push({ kind: 'frame', body });
    }
    // A frame can never be longer than this; anything older is noise that only looked like a start.
    if (this.#buf.length > MAX_BODY + 5) {
      this.#buf = [];
      out.push(protocolError('receive buffer overflow', true));
    }
    return out;
  }

  /** Index of the first complete frame with good ETX and LRC after position 0, or -1. */
  #nextValidFrame(): number {
    const buf = this.#buf;
    for (let i = 1; i + 5 <= buf.length; i++) {
      if (buf[i] !== STX) continue;
      const len = (buf[i + 1]! << 8) | buf[i + 2]!;
      if (len > MAX_BODY || i + len + 5 > buf.length || buf[i + len + 3] !== ETX) continue;
      let x = 0;
      for (let j = i + 1; j < i + len + 4; j++) x ^= buf[j]!;
      if (x === buf[i + len + 4]) return i;
    }
    return -1;
  }
}

function protocolError(what: string, nak: boolean): LinkEvent {
  return {
    kind: 'error',
    nak,
    error: new DeviceError(
      DeviceErrorCode.PROTOCOL,
      `Payment terminal link: ${what}; check the cable and baud rate.`,
      {
        what,
      },
    ),
  };
}
