import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CardLineFramer, parseCardText } from './card-reader/card-parser.js';
import { isDeviceError } from './contracts/device-error.js';
import { AlphaParser } from './led-controller/alpha-parser.js';
import { packet } from './led-controller/alpha-protocol.js';
import { encodeFrame, FrameParser } from './payment-terminal/frame.js';
import { parseTerminalMessage } from './payment-terminal/messages.js';
import { EscPosDecoder } from './receipt-printer/sim/escpos-decoder.js';
import { PrinterReplyParser } from './receipt-printer/status-parser.js';

/** Property: whatever bytes arrive, no parser throws, and every complaint is a coded DeviceError. */
const chunks = fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 });
const coded = (e: unknown): boolean => isDeviceError(e) && /^DEVICE_/.test(e.code);

describe('parsers under fuzzing', () => {
  it('ESC/POS status replies (DLE EOT, ASB, GS r)', () => {
    fc.assert(
      fc.property(chunks, (cs) => {
        const p = new PrinterReplyParser();
        for (const c of cs)
          for (const r of p.push(c)) if (r.kind === 'error') expect(coded(r.error)).toBe(true);
      }),
    );
  });

  it('tells DLE EOT replies and ASB frames apart in one stream', () => {
    const p = new PrinterReplyParser();
    const out = p.push(Uint8Array.of(0x12, 0x10, 0x00, 0x0c, 0x00, 0x16, 0x0c, 0xff));
    expect(out.map((r) => r.kind)).toEqual(['realtime', 'asb', 'realtime', 'sensor', 'error']);
  });

  it('terminal link frames: garbage, truncation and bit flips', () => {
    const good = encodeFrame('{"a":1}');
    fc.assert(
      fc.property(chunks, fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (cs, at, flip) => {
        const p = new FrameParser();
        const bad = Uint8Array.from(good);
        bad[at]! ^= flip;
        for (const c of [...cs, bad, good]) {
          for (const ev of p.push(c)) if (ev.kind === 'error') expect(coded(ev.error)).toBe(true);
        }
      }),
    );
  });

  it('terminal messages: any JSON-ish body gives a message or a coded error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (body) => {
        try {
          parseTerminalMessage(body);
        } catch (e) {
          expect(coded(e)).toBe(true);
        }
      }),
    );
  });

  it('card tracks and UIDs', () => {
    const trackish = fc.stringMatching(/^[%;+?=0-9A-Z^ E]{0,80}$/);
    fc.assert(
      fc.property(fc.oneof(fc.string(), trackish), (s) => {
        try {
          const r = parseCardText(s);
          expect(['ic', 'magstripe']).toContain(r.kind);
        } catch (e) {
          expect(coded(e)).toBe(true);
        }
      }),
    );
    fc.assert(
      fc.property(chunks, (cs) => {
        const f = new CardLineFramer();
        for (const c of cs)
          for (const it of f.push(c)) if (it.kind === 'error') expect(coded(it.error)).toBe(true);
      }),
    );
  });

  it('Alpha packets: the sign side rejects corrupted packets with a code', () => {
    const good = packet('00', Uint8Array.from(Buffer.from('AA\x1b0bHELLO')));
    fc.assert(
      fc.property(chunks, fc.nat(good.length - 1), (cs, at) => {
        const p = new AlphaParser();
        const bad = Uint8Array.from(good);
        bad[at] = (bad[at]! + 1) & 0xff;
        const events = [...cs, bad, good].flatMap((c) => p.push(c));
        for (const ev of events) if (ev.kind === 'error') expect(coded(ev.error)).toBe(true);
        expect(events.at(-1)?.kind).toBe('packet');
      }),
    );
  });

  it('the simulator ESC/POS decoder never throws and always makes progress', () => {
    fc.assert(
      fc.property(chunks, (cs) => {
        const d = new EscPosDecoder();
        for (const c of cs) {
          d.push(c);
          for (let i = 0; i < 10_000 && d.next(); i++);
        }
      }),
    );
  });
});

describe('card parser specifics', () => {
  it('accepts 4/7/10-byte hex UIDs and 10-digit decimal', () => {
    expect(parseCardText('a1b2c3d4')).toMatchObject({ uid: 'A1B2C3D4' });
    expect(parseCardText('\x0204A224B2C35E80\x03\r\n')).toMatchObject({ uid: '04A224B2C35E80' });
    expect(parseCardText('4294967295')).toMatchObject({ uid: 'FFFFFFFF' });
    expect(() => parseCardText('4294967296')).toThrow();
  });

  it('parses ISO 7811 tracks and refuses Luhn-valid PANs', () => {
    expect(parseCardText('%LINLI^RESIDENT 0305?;0305=99?').kind).toBe('magstripe');
    expect(() => parseCardText(';4111111111111111=2512?')).toThrow(
      expect.objectContaining({ code: 'DEVICE_UNSUPPORTED' }),
    );
    expect(() => parseCardText('%bad?char?')).toThrow(
      expect.objectContaining({ code: 'DEVICE_PROTOCOL_ERROR' }),
    );
  });
});
