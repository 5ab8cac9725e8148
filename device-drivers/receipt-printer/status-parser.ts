import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';

/**
 * Splits the printer's back-channel into replies. Three kinds share the wire and are told apart by bit pattern
 * (Epson TM-T88 App. G): a DLE EOT reply is one byte `0xx1xx10`; an ASB frame is four bytes whose first is
 * `0xx1xx00` and the rest `0xx0xxxx`; a GS r reply is one byte `0xx0xxxx`. XON/XOFF are flow control. Anything
 * else (bit 7 set, a truncated ASB frame) is reported as a coded PROTOCOL error and skipped; the parser never
 * throws.
 */
export type PrinterReply =
  | { readonly kind: 'realtime'; readonly byte: number }
  | { readonly kind: 'asb'; readonly bytes: readonly [number, number, number, number] }
  | { readonly kind: 'sensor'; readonly byte: number }
  | { readonly kind: 'error'; readonly error: DeviceError };

const XON = 0x11;
const XOFF = 0x13;

const isRealtime = (b: number): boolean => (b & 0x93) === 0x12;
const isAsbHead = (b: number): boolean => (b & 0x93) === 0x10;
const isTail = (b: number): boolean => (b & 0x90) === 0x00;

export class PrinterReplyParser {
  #asb: number[] = [];

  push(chunk: Uint8Array): PrinterReply[] {
    const out: PrinterReply[] = [];
    for (const b of chunk) {
      if (this.#asb.length > 0) {
        if (isTail(b) && b !== XON && b !== XOFF) {
          this.#asb.push(b);
          if (this.#asb.length === 4) {
            out.push({ kind: 'asb', bytes: this.#asb as unknown as [number, number, number, number] });
            this.#asb = [];
          }
          continue;
        }
        out.push(bad(`truncated ASB frame ${hex(this.#asb)} followed by ${hex([b])}`));
        this.#asb = [];
        // fall through: the byte may start something valid
      }
      if (b === XON || b === XOFF) continue;
      if (isRealtime(b)) out.push({ kind: 'realtime', byte: b });
      else if (isAsbHead(b)) this.#asb = [b];
      else if (isTail(b)) out.push({ kind: 'sensor', byte: b });
      else out.push(bad(`byte ${hex([b])} is no ESC/POS status reply`));
    }
    return out;
  }

  reset(): void {
    this.#asb = [];
  }
}

function bad(message: string): PrinterReply {
  return {
    kind: 'error',
    error: new DeviceError(
      DeviceErrorCode.PROTOCOL,
      `Printer sent ${message}; check the baud rate and cable.`,
    ),
  };
}

const hex = (bytes: readonly number[]): string => bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');

export interface StatusBits {
  offline?: boolean;
  coverOpen?: boolean;
  paperOut?: boolean;
  paperNearEnd?: boolean;
  error?: boolean;
}

/** DLE EOT n reply → the flags that n reports (Epson bit assignments). */
export function decodeRealtime(n: 1 | 2 | 3 | 4, b: number): StatusBits {
  switch (n) {
    case 1:
      return { offline: (b & 0x08) !== 0 };
    case 2:
      return { coverOpen: (b & 0x04) !== 0, paperOut: (b & 0x20) !== 0, error: (b & 0x40) !== 0 };
    case 3:
      return { error: (b & 0x6c) !== 0 };
    case 4:
      return { paperNearEnd: (b & 0x0c) === 0x0c, paperOut: (b & 0x60) === 0x60 };
  }
}

export function decodeAsb(bytes: readonly [number, number, number, number]): Required<StatusBits> {
  const [b1, b2, b3] = bytes;
  return {
    offline: (b1 & 0x08) !== 0,
    coverOpen: (b1 & 0x20) !== 0,
    error: (b2 & 0x6c) !== 0,
    paperNearEnd: (b3 & 0x03) !== 0,
    paperOut: (b3 & 0x0c) !== 0,
  };
}

export function decodeSensor(b: number): StatusBits {
  return { paperNearEnd: (b & 0x03) !== 0, paperOut: (b & 0x0c) !== 0 };
}
