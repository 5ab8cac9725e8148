import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type { LedFrame } from '../contracts/led-controller.js';

/**
 * Alpha Sign Communications Protocol (Adaptive Micro Systems, public "M-Protocol" document):
 *
 *   NUL×5 (baud sync) SOH 'Z' (all sign types) AA (2 ASCII hex address, 00 = broadcast)
 *   STX command data ETX CCCC (checksum: 4 ASCII hex of the byte sum from STX through ETX) EOT
 *
 * Commands used here: 'I' write SMALL DOTS PICTURE (label, height and width as 2 ASCII hex, rows of '0'–'3'
 * = off/red/green/amber each ended by CR), 'A' write TEXT file (label, ESC, position, mode, text; 0x14 + label
 * calls a picture), 'E' special functions: '$' memory configuration, '/' dimming, 's' ACK/NAK responses on.
 * With ACK/NAK on, the sign answers ACK 0x06 or NAK 0x15 to every packet.
 */
export const NUL = 0x00;
export const SOH = 0x01;
export const STX = 0x02;
export const ETX = 0x03;
export const EOT = 0x04;
export const ACK = 0x06;
export const NAK = 0x15;
const CALL_PICTURE = 0x14;

export function packet(address: string, body: Uint8Array): Uint8Array {
  const head = [NUL, NUL, NUL, NUL, NUL, SOH, 0x5a, address.charCodeAt(0), address.charCodeAt(1)];
  const out = new Uint8Array(head.length + body.length + 7);
  out.set(head);
  let o = head.length;
  out[o++] = STX;
  out.set(body, o);
  o += body.length;
  out[o++] = ETX;
  const sum = checksum(out.subarray(head.length, o));
  out.set(Buffer.from(sum, 'ascii'), o);
  out[o + 4] = EOT;
  return out;
}

export function checksum(stxToEtx: Uint8Array): string {
  let s = 0;
  for (const b of stxToEtx) s = (s + b) & 0xffff;
  return s.toString(16).toUpperCase().padStart(4, '0');
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

/** Rows of '0'–'3'; out-of-range pixel values are refused rather than guessed. */
export function dotsPicture(label: string, frame: LedFrame): Uint8Array {
  const { width, height, pixels } = frame;
  const max = frame.colors === 2 ? 3 : 1;
  const rows = new Uint8Array(2 + 4 + height * (width + 1) + 1);
  rows.set(ascii(`I${label}${hex2(height)}${hex2(width)}`), 0);
  let o = 6;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = pixels[y * width + x]!;
      if (v > max) {
        throw new DeviceError(
          DeviceErrorCode.INVALID_ARGUMENT,
          `Expected pixel values 0–${max} for frame.pixels but received ${v} at (${x},${y})`,
        );
      }
      rows[o++] = 0x30 + v;
    }
    rows[o++] = 0x0d;
  }
  return rows.subarray(0, o);
}

export type DisplayMode = 'hold' | 'rotate';
const MODE = { hold: 0x62, rotate: 0x61 } as const;

/** A TEXT file: the display position fill ('0'), a mode, an optional speed, then the content. */
export function textFile(
  label: string,
  mode: DisplayMode,
  content: Uint8Array,
  speed?: 1 | 2 | 3 | 4 | 5,
): Uint8Array {
  const head = [0x41, label.charCodeAt(0), 0x1b, 0x30, MODE[mode]];
  if (speed) head.push(0x14 + speed);
  const out = new Uint8Array(head.length + content.length);
  out.set(head);
  out.set(content, head.length);
  return out;
}

export const callPicture = (label: string): Uint8Array => Uint8Array.of(CALL_PICTURE, label.charCodeAt(0));

/** Printable ASCII only: the sign's fonts have nothing else. */
export function signText(text: string): Uint8Array {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c > 0x7e) {
      throw new DeviceError(
        DeviceErrorCode.UNSUPPORTED,
        `The sign's built-in fonts are ASCII only and cannot show ${JSON.stringify(ch)}; render the text to a bitmap (signage LED renderer) and call showFrame().`,
      );
    }
  }
  return ascii(text);
}

/**
 * E $: memory configuration, one 11-byte entry per file: label, type ('A' text / 'D' dots picture), 'U'
 * (unlocked), then for text the size in 4 hex + 'FF00' (always shown), for pictures height and width in 2 hex each
 * + colour status ('1000' monochrome, '2000' three-colour).
 */
export function memoryConfig(
  files: readonly (
    | { label: string; type: 'text'; size: number }
    | { label: string; type: 'dots'; width: number; height: number; colors: 1 | 2 }
  )[],
): Uint8Array {
  let s = 'E$';
  for (const f of files) {
    if (f.type === 'text') s += `${f.label}AU${f.size.toString(16).toUpperCase().padStart(4, '0')}FF00`;
    else s += `${f.label}DU${hex2(f.height)}${hex2(f.width)}${f.colors === 2 ? '2000' : '1000'}`;
  }
  return ascii(s);
}

/** E /: dimming. Five steps on the sign (100, 86, 72, 58, 44 %); our 1–16 scale maps onto them. */
export function dimming(level: number): Uint8Array {
  const index = level >= 13 ? 0 : level >= 10 ? 1 : level >= 7 ? 2 : level >= 4 ? 3 : 4;
  return ascii(`E/00${String(index).padStart(2, '0')}`);
}

export const ackNakOn = (): Uint8Array => ascii('Es1');
