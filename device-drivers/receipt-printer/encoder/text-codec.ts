import iconv from 'iconv-lite';
import type { PrinterProfile } from '../profiles.js';

/**
 * Text to printer bytes. Chinese printers take GBK double-byte text in Chinese mode; we never emit GB18030
 * four-byte sequences (firmware prints them as garbage), so `¥` becomes fullwidth `￥` (A3 A4) first.
 */
const SUBSTITUTIONS: Readonly<Record<string, string>> = { '¥': '￥', '\u00a0': ' ' };

export function normalise(text: string): string {
  let out = '';
  for (const ch of text) out += SUBSTITUTIONS[ch] ?? ch;
  return out;
}

export interface EncodedChar {
  readonly ch: string;
  /** Undefined when the printer cannot print the glyph from its fonts: the line goes out as raster. */
  readonly bytes: Uint8Array | undefined;
  /** Columns at normal size: 2 for double-byte (CJK) glyphs, 1 otherwise. */
  readonly cols: 1 | 2;
}

const cache = new Map<string, EncodedChar>();

/** Encodes one character for a profile; cached because receipts repeat the same few hundred glyphs. */
export function encodeChar(ch: string, profile: PrinterProfile): EncodedChar {
  const key = `${profile.chineseFont ? 'g' : profile.textCodePage}:${ch}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let result: EncodedChar;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f) {
    result = { ch, bytes: undefined, cols: 1 };
  } else if (cp < 0x80) {
    result = { ch, bytes: Uint8Array.of(cp), cols: 1 };
  } else if (profile.chineseFont) {
    const b = iconv.encode(ch, 'gbk');
    // iconv-lite writes '?' for characters outside GBK; a real '?' was handled above.
    const ok = b.length === 2 && b[0]! >= 0x81 && b[1]! >= 0x40;
    result = { ch, bytes: ok ? new Uint8Array(b) : undefined, cols: 2 };
  } else {
    const b = iconv.encode(ch, profile.textCodePage);
    const ok = b.length === 1 && b[0] !== 0x3f;
    result = { ch, bytes: ok ? new Uint8Array(b) : undefined, cols: isWide(cp) ? 2 : 1 };
  }
  if (cache.size < 20_000) cache.set(key, result);
  return result;
}

/** East Asian wide ranges, for layout of glyphs the printer cannot print natively (they go out as raster). */
export function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Printed width in columns at normal size. */
export function textColumns(text: string, profile: PrinterProfile): number {
  let n = 0;
  for (const ch of normalise(text)) n += encodeChar(ch, profile).cols;
  return n;
}

/** Splits text into lines of at most `cols` columns, never splitting a double-width glyph. */
export function wrap(text: string, cols: number, profile: PrinterProfile): string[] {
  const lines: string[] = [];
  for (const para of normalise(text).split(/\r?\n/)) {
    let line = '';
    let used = 0;
    for (const ch of para) {
      const w = encodeChar(ch, profile).cols;
      if (used + w > cols && line !== '') {
        lines.push(line);
        line = '';
        used = 0;
      }
      line += ch;
      used += w;
    }
    lines.push(line);
  }
  return lines;
}

/** Cuts or pads to exactly `cols` columns (a cut wide glyph becomes a space so columns stay aligned). */
export function fitColumns(
  text: string,
  cols: number,
  align: 'left' | 'right',
  profile: PrinterProfile,
): string {
  let out = '';
  let used = 0;
  for (const ch of normalise(text)) {
    const w = encodeChar(ch, profile).cols;
    if (used + w > cols) break;
    out += ch;
    used += w;
  }
  const pad = ' '.repeat(Math.max(0, cols - used));
  return align === 'right' ? pad + out : out + pad;
}
