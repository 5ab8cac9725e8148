/**
 * The simulator's own ESC/POS parser (deliberately independent of the encoder, so a test of one against the other
 * means something). It decodes one command at a time from an internal buffer and waits for more bytes when a
 * command is incomplete; unknown commands are reported, never thrown.
 */
export type EscPosCommand =
  | { readonly op: 'text'; readonly bytes: Uint8Array }
  | { readonly op: 'lf' }
  | { readonly op: 'cr' }
  | { readonly op: 'init' }
  | { readonly op: 'align'; readonly n: number }
  | { readonly op: 'bold'; readonly on: boolean }
  | { readonly op: 'size'; readonly w: number; readonly h: number }
  | { readonly op: 'mode'; readonly n: number }
  | { readonly op: 'chinese'; readonly on: boolean }
  | { readonly op: 'codepage'; readonly n: number }
  | { readonly op: 'feed'; readonly lines: number }
  | { readonly op: 'feed-dots'; readonly dots: number }
  | { readonly op: 'qr'; readonly fn: number; readonly params: Uint8Array }
  | { readonly op: 'raster'; readonly widthBytes: number; readonly height: number; readonly bits: Uint8Array }
  | { readonly op: 'cut'; readonly partial: boolean }
  | { readonly op: 'status'; readonly n: number }
  | { readonly op: 'recover'; readonly n: number }
  | { readonly op: 'asb'; readonly n: number }
  | { readonly op: 'sensor'; readonly n: number }
  | { readonly op: 'ignored'; readonly name: string }
  | { readonly op: 'unknown'; readonly bytes: Uint8Array };

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
/** A raster larger than this is refused (a bomb, not a receipt): 576 dots × 4000 lines. */
const MAX_RASTER = 72 * 4000;

export class EscPosDecoder {
  #buf = new Uint8Array(0);
  #pos = 0;
  /** Chinese mode changes how printable bytes pair up; mirrors FS & / FS . as the decoder sees them. */
  chinese = false;

  push(bytes: Uint8Array): void {
    const rest = this.#buf.subarray(this.#pos);
    const next = new Uint8Array(rest.length + bytes.length);
    next.set(rest);
    next.set(bytes, rest.length);
    this.#buf = next;
    this.#pos = 0;
  }

  /** Bytes received but not yet decoded (an incomplete command, or what waits while the printer is offline). */
  get pending(): Uint8Array {
    return this.#buf.subarray(this.#pos);
  }

  clear(): void {
    this.#buf = new Uint8Array(0);
    this.#pos = 0;
  }

  /** The next complete command, or undefined when more bytes are needed. Also returns how many bytes it used. */
  next(): { cmd: EscPosCommand; raw: Uint8Array } | undefined {
    const start = this.#pos;
    const cmd = this.#decode();
    if (!cmd) {
      this.#pos = start;
      return undefined;
    }
    return { cmd, raw: this.#buf.subarray(start, this.#pos) };
  }

  #avail(n: number): boolean {
    return this.#pos + n <= this.#buf.length;
  }

  #at(i: number): number {
    return this.#buf[this.#pos + i] ?? 0;
  }

  #take(n: number): Uint8Array {
    const s = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return s;
  }

  #decode(): EscPosCommand | undefined {
    if (!this.#avail(1)) return undefined;
    const b = this.#at(0);
    if (b === 0x0a) return this.#take(1) && { op: 'lf' };
    if (b === 0x0d) return this.#take(1) && { op: 'cr' };
    if (b === ESC) return this.#esc();
    if (b === GS) return this.#gs();
    if (b === FS) return this.#fs();
    if (b === DLE) return this.#dle();
    if (b < 0x20) return { op: 'unknown', bytes: this.#take(1) };
    return this.#text();
  }

  #text(): EscPosCommand | undefined {
    let end = this.#pos;
    const buf = this.#buf;
    while (end < buf.length) {
      const c = buf[end]!;
      if (c < 0x20) break;
      if (this.chinese && c >= 0x81 && c <= 0xfe) {
        if (end + 1 >= buf.length) {
          if (end === this.#pos) return undefined; // half a double-byte glyph: wait for the rest
          break;
        }
        end += 2;
      } else end += 1;
    }
    return { op: 'text', bytes: this.#take(end - this.#pos) };
  }

  #esc(): EscPosCommand | undefined {
    if (!this.#avail(2)) return undefined;
    const c = this.#at(1);
    const one = (op: (n: number) => EscPosCommand): EscPosCommand | undefined => {
      if (!this.#avail(3)) return undefined;
      const n = this.#at(2);
      this.#take(3);
      return op(n);
    };
    switch (c) {
      case 0x40:
        this.#take(2);
        return { op: 'init' };
      case 0x61:
        return one((n) => ({ op: 'align', n: n % 48 }));
      case 0x45:
        return one((n) => ({ op: 'bold', on: (n & 1) === 1 }));
      case 0x21:
        return one((n) => ({ op: 'mode', n }));
      case 0x74:
        return one((n) => ({ op: 'codepage', n }));
      case 0x64:
        return one((n) => ({ op: 'feed', lines: n }));
      case 0x4a:
        return one((n) => ({ op: 'feed-dots', dots: n }));
      case 0x2d:
      case 0x4d:
      case 0x33:
      case 0x20:
      case 0x7b:
      case 0x47:
      case 0x52:
        return one(() => ({ op: 'ignored', name: `ESC ${String.fromCharCode(c)}` }));
      case 0x32:
        this.#take(2);
        return { op: 'ignored', name: 'ESC 2' };
      default:
        return { op: 'unknown', bytes: this.#take(2) };
    }
  }

  #gs(): EscPosCommand | undefined {
    if (!this.#avail(2)) return undefined;
    const c = this.#at(1);
    switch (c) {
      case 0x21: {
        if (!this.#avail(3)) return undefined;
        const n = this.#at(2);
        this.#take(3);
        return { op: 'size', w: ((n >> 4) & 7) + 1, h: (n & 7) + 1 };
      }
      case 0x56: {
        if (!this.#avail(3)) return undefined;
        const m = this.#at(2);
        // GS V 65/66 carry a feed amount byte; GS V 0/1/48/49 do not.
        if (m === 65 || m === 66) {
          if (!this.#avail(4)) return undefined;
          this.#take(4);
        } else this.#take(3);
        return { op: 'cut', partial: m === 1 || m === 49 || m === 66 };
      }
      case 0x61: {
        if (!this.#avail(3)) return undefined;
        const n = this.#at(2);
        this.#take(3);
        return { op: 'asb', n };
      }
      case 0x72: {
        if (!this.#avail(3)) return undefined;
        const n = this.#at(2);
        this.#take(3);
        return { op: 'sensor', n };
      }
      case 0x28: {
        // GS ( X pL pH data: length-prefixed; only 'k' (2D codes) matters here.
        if (!this.#avail(5)) return undefined;
        const fnClass = this.#at(2);
        const len = this.#at(3) | (this.#at(4) << 8);
        if (!this.#avail(5 + len)) return undefined;
        const data = this.#take(5 + len).subarray(5);
        if (fnClass === 0x6b && len >= 2 && data[0] === 0x31) {
          return { op: 'qr', fn: data[1]!, params: data.subarray(2) };
        }
        return { op: 'ignored', name: `GS ( ${String.fromCharCode(fnClass)}` };
      }
      case 0x76: {
        if (!this.#avail(8)) return undefined;
        if (this.#at(2) !== 0x30) return { op: 'unknown', bytes: this.#take(3) };
        const widthBytes = this.#at(4) | (this.#at(5) << 8);
        const height = this.#at(6) | (this.#at(7) << 8);
        const n = widthBytes * height;
        if (n > MAX_RASTER) return { op: 'unknown', bytes: this.#take(8) };
        if (!this.#avail(8 + n)) return undefined;
        const bits = this.#take(8 + n).subarray(8);
        return { op: 'raster', widthBytes, height, bits };
      }
      case 0x42:
      case 0x4c:
      case 0x57:
      case 0x66:
      case 0x68:
      case 0x77:
        if (!this.#avail(3)) return undefined;
        this.#take(c === 0x4c || c === 0x57 ? 4 : 3);
        return { op: 'ignored', name: `GS ${String.fromCharCode(c)}` };
      default:
        return { op: 'unknown', bytes: this.#take(2) };
    }
  }

  #fs(): EscPosCommand | undefined {
    if (!this.#avail(2)) return undefined;
    const c = this.#at(1);
    if (c === 0x26) {
      this.#take(2);
      this.chinese = true;
      return { op: 'chinese', on: true };
    }
    if (c === 0x2e) {
      this.#take(2);
      this.chinese = false;
      return { op: 'chinese', on: false };
    }
    if (c === 0x43 || c === 0x21 || c === 0x2d || c === 0x57) {
      if (!this.#avail(3)) return undefined;
      this.#take(3);
      return { op: 'ignored', name: `FS ${String.fromCharCode(c)}` };
    }
    return { op: 'unknown', bytes: this.#take(2) };
  }

  #dle(): EscPosCommand | undefined {
    if (!this.#avail(3)) return undefined;
    const c = this.#at(1);
    const n = this.#at(2);
    if (c === 0x04) return this.#take(3) && { op: 'status', n };
    if (c === 0x05) return this.#take(3) && { op: 'recover', n };
    return { op: 'unknown', bytes: this.#take(1) };
  }
}

/**
 * Real-time commands act on arrival, before anything buffered ahead of them and even while the printer is offline
 * with its buffer held. Epson's DLE EOT note shows how: the bytes are also stored in the receive buffer as
 * ordinary data (an `ESC 3` interrupted by DLE EOT 3 takes its 0x10 as n), so this scanner only watches the
 * stream; it never removes bytes. It keeps the last two bytes, so a sequence split across reads (any pty or
 * USB packet boundary) is still seen, and it reports where in the chunk each sequence completes so the caller
 * can act on it in byte order: a DLE ENQ 2 clears what came before it, never what follows.
 */
export interface RealtimeHit {
  readonly op: 'status' | 'recover';
  readonly n: number;
  /** Index just past the sequence's last byte in the chunk given to push(). */
  readonly end: number;
}

export class RealtimeScanner {
  #prev2 = -1;
  #prev1 = -1;

  push(chunk: Uint8Array): RealtimeHit[] {
    const out: RealtimeHit[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#prev2 === DLE && this.#prev1 === 0x04 && b >= 1 && b <= 4) {
        out.push({ op: 'status', n: b, end: i + 1 });
        this.reset();
        continue;
      }
      if (this.#prev2 === DLE && this.#prev1 === 0x05 && (b === 1 || b === 2)) {
        out.push({ op: 'recover', n: b, end: i + 1 });
        this.reset();
        continue;
      }
      this.#prev2 = this.#prev1;
      this.#prev1 = b;
    }
    return out;
  }

  reset(): void {
    this.#prev2 = -1;
    this.#prev1 = -1;
  }
}
