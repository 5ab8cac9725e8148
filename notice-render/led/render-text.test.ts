import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hasCjkFont, missing } from '../../tests/helpers/requirements.js';
import { framePreviewPng, frameToPng } from './frame-png.js';
import { escapeMarkup, litPixels, renderLedText } from './render-text.js';

const opts = { width: 128, height: 32, font: 'Noto Sans CJK SC' };

function ascii(frame: { width: number; height: number; pixels: Uint8Array }): string {
  const rows: string[] = [];
  for (let y = 0; y < frame.height; y++) {
    let row = '';
    for (let x = 0; x < frame.width; x++) row += frame.pixels[y * frame.width + x] ? '#' : '.';
    rows.push(row);
  }
  return rows.join('\n');
}

describe.skipIf(missing('fonts-noto-cjk', hasCjkFont()))('LED text rendering', () => {
  it('renders Chinese into a 128×32 1-bit frame with real glyphs, not boxes', async () => {
    const { frame, textWidth } = await renderLedText('志愿者活动', opts);
    expect(frame).toMatchObject({ width: 128, height: 32, colors: 1 });
    expect(frame.pixels.length).toBe(128 * 32);
    expect([...new Set(frame.pixels)].sort()).toEqual([0, 1]);
    const lit = litPixels(frame);
    // Five 24 px CJK glyphs light roughly 15–40 % of their 120×24 box.
    expect(lit).toBeGreaterThan(300);
    expect(lit).toBeLessThan(1500);
    expect(textWidth).toBeGreaterThan(100);
    expect(textWidth).toBeLessThanOrEqual(128);
    // Tofu boxes would make every glyph identical; real glyphs differ.
    const [a, b] = await Promise.all([renderLedText('志', opts), renderLedText('愿', opts)]);
    expect(ascii(a.frame)).not.toBe(ascii(b.frame));
    // Golden-ish: '一' is a single horizontal stroke; its lit rows form one thin band near the middle.
    const one = (await renderLedText('一', opts)).frame;
    const rows = [...Array(32).keys()].filter((y) =>
      one.pixels.subarray(y * 128, y * 128 + 128).some(Boolean),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(4);
    expect(rows[0]).toBeGreaterThan(10);
    expect(rows.at(-1)).toBeLessThan(22);
  });

  it('centres short text and clips long text at the panel edge', async () => {
    const short = (await renderLedText('停水', opts)).frame;
    const cols = [...Array(128).keys()].filter((x) =>
      [...Array(32).keys()].some((y) => short.pixels[y * 128 + x]),
    );
    const left = cols[0]!;
    const right = 127 - cols.at(-1)!;
    expect(Math.abs(left - right)).toBeLessThanOrEqual(4);
    const long = await renderLedText('明天上午九点至下午五点停水，请提前储水', opts);
    expect(long.textWidth).toBeGreaterThan(128);
    expect(litPixels(long.frame)).toBeGreaterThan(0);
  });

  it('treats markup characters as text and renders an empty title as a blank frame', async () => {
    expect(escapeMarkup('<b>水 & 电</b>')).toBe('&lt;b&gt;水 &amp; 电&lt;/b&gt;');
    const tricky = await renderLedText('<span foreground="red">A&B</span>', opts);
    expect(litPixels(tricky.frame)).toBeGreaterThan(0);
    const blank = await renderLedText('   ', opts);
    expect(litPixels(blank.frame)).toBe(0);
  });

  it('encodes the frame 1:1 and as a scaled preview', async () => {
    const { frame } = await renderLedText('通知', opts);
    const png = await frameToPng(frame);
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([128, 32, 'png']);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    let white = 0;
    for (let i = 0; i < data.length; i += info.channels) if (data[i] === 255) white++;
    expect(white).toBe(litPixels(frame));
    const preview = await sharp(await framePreviewPng(frame, 8)).metadata();
    expect([preview.width, preview.height]).toEqual([1024, 256]);
  });

  it('names bad sizes precisely', async () => {
    await expect(renderLedText('x', { ...opts, width: 0 })).rejects.toThrow('LED width must be an integer');
    await expect(
      framePreviewPng({ width: 1, height: 1, colors: 1, pixels: new Uint8Array(1) }, 1),
    ).rejects.toThrow('preview scale');
  });
});
