import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CardLineFramer, parseCardText } from './card-reader/card-parser.js';
import { isDeviceError } from './contracts/device-error.js';
import { AlphaParser } from './led-controller/alpha-parser.js';
import { packet } from './led-controller/alpha-protocol.js';
import { encodeFrame, FrameParser } from './payment-terminal/frame.js';
import { parseTerminalMessage } from './payment-terminal/messages.js';
import { type EscPosCommand, EscPosDecoder } from './receipt-printer/sim/escpos-decoder.js';
import { PrinterReplyParser } from './receipt-printer/status-parser.js';

/**
 * Properties: whatever bytes arrive, no parser throws, every complaint is a coded DeviceError, and a good frame
 * sent after the garbage still decodes (a parser that stays out of sync after noise loses the next real message).
 */
const chunks = fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 });
const coded = (e: unknown): boolean => isDeviceError(e) && /^DEVICE_/.test(e.code);
const concat = (parts: readonly Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

describe('parsers under fuzzing', () => {
  it('ESC/POS status replies (DLE EOT, ASB, GS r)', () => {
    fc.assert(
      fc.property(chunks, (cs) => {
        const p = new PrinterReplyParser();
        for (const c of cs)
          for (const r of p.push(c)) if (r.kind === 'error') expect(coded(r.error)).toBe(true);
        // Then a good ASB frame (paper out) and a DLE EOT reply: both decode, whatever came before.
        const after = p.push(Uint8Array.of(0x10, 0x00, 0x0c, 0x00, 0x12));
        expect(after.filter((r) => r.kind !== 'error')).toEqual([
          { kind: 'asb', bytes: [0x10, 0x00, 0x0c, 0x00] },
          { kind: 'realtime', byte: 0x12 },
        ]);
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
        const events = [...cs, bad, good].flatMap((c) => p.push(c));
        for (const ev of events) if (ev.kind === 'error') expect(coded(ev.error)).toBe(true);
        // The retransmitted good frame decodes even when the flip hit LEN and announced a longer frame.
        expect(events.at(-1)).toEqual({ kind: 'frame', body: '{"a":1}' });
      }),
    );
  });

  it('a frame whose LEN was corrupted upwards does not hold back the retransmission', () => {
    const good = encodeFrame('{"a":1}');
    const bad = Uint8Array.from(good);
    bad[1] = 0x01; // announces 263 body bytes; only the retransmission follows
    const events = new FrameParser().push(concat([bad, good]));
    expect(events.map((e) => e.kind)).toEqual(['error', 'frame']);
    expect(events[0]).toMatchObject({ nak: true, error: { code: 'DEVICE_PROTOCOL_ERROR' } });
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
        // A good STX-wrapped report after the noise is read as that UID.
        const after = f.push(Uint8Array.from(Buffer.from('\x02A1B2C3D4\x03\r\n')));
        expect(after.at(-1)).toEqual({ kind: 'line', text: 'A1B2C3D4' });
        expect(parseCardText((after.at(-1) as { text: string }).text)).toMatchObject({ uid: 'A1B2C3D4' });
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
        expect(events.at(-1)).toMatchObject({
          kind: 'packet',
          address: '00',
          body: Uint8Array.from(Buffer.from('AA\x1b0bHELLO')),
        });
      }),
    );
  });

  it('the simulator ESC/POS decoder never throws and always makes progress', () => {
    // A short receipt: init, Chinese mode, "水费" in GBK, line feed, partial cut.
    const receipt = Uint8Array.of(0x1b, 0x40, 0x1c, 0x26, 0xcb, 0xae, 0xb7, 0xd1, 0x0a, 0x1d, 0x56, 0x01);
    const decodeAll = (d: EscPosDecoder, bytes: Uint8Array): { cmds: EscPosCommand[]; raw: Uint8Array[] } => {
      d.push(bytes);
      const cmds: EscPosCommand[] = [];
      const raw: Uint8Array[] = [];
      for (let next = d.next(); next; next = d.next()) {
        // Progress: every command consumes at least one byte, so draining ends (no cap needed).
        expect(next.raw.length).toBeGreaterThan(0);
        cmds.push(next.cmd);
        raw.push(next.raw);
        expect(raw.length).toBeLessThanOrEqual(2 ** 20);
      }
      return { cmds, raw };
    };
    const alone = decodeAll(new EscPosDecoder(), receipt).cmds;
    expect(alone.map((c) => c.op)).toEqual(['init', 'chinese', 'text', 'lf', 'cut']);
    fc.assert(
      fc.property(chunks, (cs) => {
        const d = new EscPosDecoder();
        const used: Uint8Array[] = [];
        for (const c of cs) used.push(...decodeAll(d, c).raw);
        // Nothing lost or counted twice: decoded bytes followed by what waits are exactly the bytes sent.
        expect(Buffer.from(concat([...used, d.pending]))).toEqual(Buffer.from(concat(cs)));
        // What waits is one incomplete command at most; NULs (a no-op for a printer) complete it, bounded by
        // the largest command the decoder accepts (a raster of 72 × 4000 bytes plus its header).
        for (let sent = 0; d.pending.length > 0; sent += 4096) {
          expect(sent).toBeLessThan(72 * 4000 + 8 + 4096);
          decodeAll(d, new Uint8Array(4096));
        }
        // Then a good receipt decodes to the same commands as on a fresh printer.
        expect(decodeAll(d, receipt).cmds).toEqual(alone);
        expect(d.pending.length).toBe(0);
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
