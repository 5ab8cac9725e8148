import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { brightnessAt } from '../../signage/src/led/brightness.js';
import { hasCjkFont, missing } from '../../tests/helpers/requirements.js';
import type { LedFrame } from './led-frame.js';
import { colourFor, renderStrip, scrollRange, scrolls, stripFrame } from './led-strip.js';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const ACTUAL = join(process.cwd(), 'test-results', 'led-golden');
const font = 'Noto Sans CJK SC';

/** Pixel values 0–3 as grey 0/85/170/255: lossless, and readable when opened as an image. */
async function encode(f: LedFrame): Promise<Buffer> {
  const raw = Buffer.alloc(f.width * f.height);
  for (let i = 0; i < raw.length; i++) raw[i] = (f.pixels[i] ?? 0) * 85;
  return sharp(raw, { raw: { width: f.width, height: f.height, channels: 1 } })
    .png()
    .toBuffer();
}

async function decode(png: Buffer): Promise<Uint8Array> {
  const { data } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  return Uint8Array.from(data, (v) => Math.round(v / 85));
}

/** Compares with signage/src/led/golden/<name>.png; UPDATE_GOLDEN=1 writes it, a mismatch saves the actual. */
async function golden(name: string, frame: LedFrame): Promise<void> {
  const file = join(GOLDEN, `${name}.png`);
  const png = await encode(frame);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, png);
  if (!existsSync(file))
    throw new Error(`no golden frame ${file}; run with UPDATE_GOLDEN=1 once and look at it`);
  const want = await decode(readFileSync(file));
  const got = Uint8Array.from(frame.pixels);
  if (Buffer.compare(Buffer.from(want), Buffer.from(got)) !== 0) {
    mkdirSync(ACTUAL, { recursive: true });
    writeFileSync(join(ACTUAL, `${name}.png`), png);
  }
  expect(
    Buffer.from(got).equals(Buffer.from(want)),
    `${name} differs from its golden frame (actual in ${ACTUAL})`,
  ).toBe(true);
}

const PANELS = [
  { width: 64, height: 16 },
  { width: 128, height: 32 },
  { width: 192, height: 64 },
] as const;

describe.skipIf(missing('fonts-noto-cjk', hasCjkFont()))('LED golden frames', () => {
  it.each(PANELS)('renders Chinese on a $width×$height panel, single and dual colour', async (p) => {
    const strip = await renderStrip('停水通知', { height: p.height, font });
    expect(strip.height).toBe(p.height);
    for (const colors of [1, 2] as const) {
      const frame = stripFrame(strip, { ...p, colors }, colourFor('important', colors));
      expect(frame).toMatchObject({ width: p.width, height: p.height, colors });
      await golden(`stop-water-${p.width}x${p.height}-c${colors}`, frame);
    }
  });

  it('scrolls long text: it enters from the right, passes, and leaves on the left', async () => {
    const p = { width: 64, height: 16, colors: 2 as const };
    const strip = await renderStrip('明日8:00至14:00停水，请提前储水', { height: p.height, font });
    expect(scrolls(strip, p.width)).toBe(true);
    const { from, to } = scrollRange(strip, p.width);
    expect([from, to]).toEqual([-64, strip.width]);
    const lit = (f: LedFrame) => f.pixels.reduce((n, v) => n + (v ? 1 : 0), 0);
    expect(lit(stripFrame(strip, p, 1, from))).toBe(0);
    expect(lit(stripFrame(strip, p, 1, to))).toBe(0);
    await golden('scroll-64x16-c2-x0', stripFrame(strip, p, colourFor('emergency', 2), 0));
    await golden('scroll-64x16-c2-x40', stripFrame(strip, p, colourFor('emergency', 2), 40));
  });

  it('dual colour: emergency red, important amber, normal green; single colour lights everything 1', () => {
    expect([colourFor('emergency', 2), colourFor('important', 2), colourFor('normal', 2)]).toEqual([1, 3, 2]);
    expect([colourFor('emergency', 1), colourFor('normal', 1)]).toEqual([1, 1]);
  });

  it('refuses an impossible panel size precisely', async () => {
    await expect(renderStrip('x', { height: 0, font })).rejects.toThrow('LED height must be an integer');
  });
});

describe('LED brightness by time of day', () => {
  const bands = [
    { from: '06:30', level: 12 },
    { from: '19:00', level: 8 },
    { from: '23:00', level: 3 },
  ];
  it.each([
    [0, 3],
    [6 * 60 + 29, 3],
    [6 * 60 + 30, 12],
    [18 * 60 + 59, 12],
    [19 * 60, 8],
    [23 * 60 + 30, 3],
  ])('at minute %i the level is %i', (minute, level) => {
    expect(brightnessAt(bands, minute)).toBe(level);
  });
  it('is full brightness without a schedule', () => expect(brightnessAt([], 600)).toBe(16));
});
