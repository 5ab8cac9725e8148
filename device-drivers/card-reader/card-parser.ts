import type { CardRead } from '../contracts/card-reader.js';
import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';

/**
 * One strict parser for every way a resident card arrives: a 13.56 MHz IC/NFC reader reporting the UID as hex
 * (4, 7 or 10 bytes) or as the 10-digit decimal many readers print, a magnetic-stripe reader reporting ISO 7811
 * tracks, and keyboard-wedge readers typing either into the kiosk page. Anything else is a coded error. A bank
 * card is refused and its data dropped: cards identify accounts, and the host never handles bank card numbers.
 */
const MAX_INPUT = 256;
const HEX_UID = /^(?:[0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$/;
const DEC_UID = /^[0-9]{10}$/;
// ISO 7811-2: track 1 is 6-bit alphanumeric (0x20–0x5F without the sentinels), tracks 2 and 3 are 4-bit BCD.
const TRACK1 = /^%([\x20-\x24\x26-\x3E\x40-\x5F]{1,76})\?/;
const TRACK2 = /^;([0-9:<=>]{1,37})\?/;
const TRACK3 = /^[;+]([0-9:<=>]{1,104})\?/;
const TRACK_ERROR = /^[%;+]E\?/;

function protocol(message: string, input: string): DeviceError {
  return new DeviceError(DeviceErrorCode.PROTOCOL, message, { input: input.slice(0, 40) });
}

export function parseCardText(raw: string, at: number = Date.now()): CardRead {
  if (typeof raw !== 'string') throw protocol('Card input must be text', String(raw));
  if (raw.length > MAX_INPUT)
    throw protocol(`Card input of ${raw.length} characters is longer than any card`, raw);
  const text = raw
    .replace(/[\r\n]+$/, '')
    .replace(/^\x02|\x03$/g, '')
    .trim();
  if (text.length === 0) throw protocol('Empty card read; present the card again', raw);
  if (/^[%;+]/.test(text)) return { kind: 'magstripe', tracks: parseTracks(text), at };
  const upper = text.toUpperCase();
  if (HEX_UID.test(upper)) return { kind: 'ic', uid: upper, at };
  if (DEC_UID.test(text)) {
    const n = Number(text);
    if (n <= 0xffffffff) return { kind: 'ic', uid: n.toString(16).toUpperCase().padStart(8, '0'), at };
  }
  throw protocol(
    'Card reader sent something that is neither a card UID nor magnetic-stripe tracks; present the card again',
    raw,
  );
}

function parseTracks(text: string): (string | null)[] {
  const tracks: (string | null)[] = [null, null, null];
  let rest = text;
  let slot = 0; // next track the data may belong to
  while (rest.length > 0) {
    const err = TRACK_ERROR.exec(rest);
    if (err) {
      const t = rest[0] === '%' ? 0 : rest[0] === '+' ? 2 : Math.max(slot, 1);
      if (t < slot) throw protocol('Magnetic-stripe tracks out of order', text);
      slot = t + 1;
      rest = rest.slice(err[0].length);
      continue;
    }
    const m1 = rest[0] === '%' && slot === 0 ? TRACK1.exec(rest) : null;
    const m2 = !m1 && rest[0] === ';' && slot <= 1 ? TRACK2.exec(rest) : null;
    const m3 = !m1 && !m2 && (rest[0] === ';' || rest[0] === '+') && slot <= 2 ? TRACK3.exec(rest) : null;
    const m = m1 ?? m2 ?? m3;
    if (!m)
      throw protocol('Malformed magnetic-stripe data (bad sentinel, character or length); swipe again', text);
    const t = m1 ? 0 : m2 ? 1 : 2;
    tracks[t] = m[1]!;
    slot = t + 1;
    rest = rest.slice(m[0].length);
  }
  if (tracks.every((t) => t === null)) throw protocol('No readable track on the card; swipe again', text);
  if (isBankCard(tracks)) {
    throw new DeviceError(
      DeviceErrorCode.UNSUPPORTED,
      'A bank card was swiped: pay at the payment terminal. The kiosk does not read bank cards and discarded the data.',
    );
  }
  return tracks;
}

/** ISO 7813 format code B on track 1, or a Luhn-valid 13–19 digit PAN before '=' on track 2. */
function isBankCard(tracks: readonly (string | null)[]): boolean {
  if (tracks[0]?.startsWith('B')) return true;
  const pan = /^([0-9]{13,19})=/.exec(tracks[1] ?? '')?.[1];
  return pan !== undefined && luhn(pan);
}

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Splits a serial byte stream into reports: CR and/or LF terminated, optionally wrapped in STX/ETX. Non-printable
 * bytes or an over-long line become a coded error for that line; the framer resynchronises at the next terminator.
 */
export class CardLineFramer {
  #line: number[] = [];
  #bad: string | undefined;

  push(chunk: Uint8Array): ({ kind: 'line'; text: string } | { kind: 'error'; error: DeviceError })[] {
    const out: ({ kind: 'line'; text: string } | { kind: 'error'; error: DeviceError })[] = [];
    for (const b of chunk) {
      if (b === 0x0d || b === 0x0a || b === 0x03) {
        if (this.#bad)
          out.push({
            kind: 'error',
            error: protocol(this.#bad, String.fromCharCode(...this.#line.slice(0, 40))),
          });
        else if (this.#line.length > 0) out.push({ kind: 'line', text: String.fromCharCode(...this.#line) });
        this.#line = [];
        this.#bad = undefined;
        continue;
      }
      if (b === 0x02) {
        this.#line = [];
        this.#bad = undefined;
        continue;
      }
      if (b < 0x20 || b > 0x7e)
        this.#bad ??= `Card reader sent byte 0x${b.toString(16).padStart(2, '0')}; check the baud rate`;
      if (this.#line.length >= MAX_INPUT) this.#bad ??= 'Card reader line too long; check the reader mode';
      else this.#line.push(b);
    }
    return out;
  }
}
