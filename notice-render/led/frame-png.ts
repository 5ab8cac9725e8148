import type { LedFrame } from './led-frame.js';

/** sharp (libvips) loads on first use, so a process that never draws never maps it. */
const loadSharp = async () => (await import('sharp')).default;

/** The frame 1:1 as a greyscale PNG: lit pixels white, the rest black. */
export async function frameToPng(frame: LedFrame): Promise<Buffer> {
  const sharp = await loadSharp();
  const raw = Buffer.alloc(frame.width * frame.height);
  for (let i = 0; i < raw.length; i++) raw[i] = frame.pixels[i] ? 255 : 0;
  return sharp(raw, { raw: { width: frame.width, height: frame.height, channels: 1 } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** Lit colour per pixel value: single-colour panels are red; dual-colour 1 red, 2 green, 3 amber. */
const COLORS: Record<number, readonly [number, number, number]> = {
  1: [255, 40, 20],
  2: [40, 230, 60],
  3: [255, 180, 20],
};
const OFF: readonly [number, number, number] = [38, 10, 8];

/**
 * The frame as a person would see the panel: each pixel an LED dot `scale` px wide with a dark gap, unlit
 * dots faintly visible, so a preview in a browser reads like the real sign.
 */
export async function framePreviewPng(frame: LedFrame, scale = 8): Promise<Buffer> {
  const sharp = await loadSharp();
  if (!Number.isInteger(scale) || scale < 2 || scale > 32) {
    throw new RangeError(`preview scale must be an integer between 2 and 32, got ${scale}`);
  }
  const w = frame.width * scale;
  const h = frame.height * scale;
  const raw = Buffer.alloc(w * h * 3);
  const r = (scale - 1) / 2;
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const v = frame.pixels[y * frame.width + x] ?? 0;
      const [cr, cg, cb] = v ? (COLORS[v] ?? COLORS[1]!) : OFF;
      for (let j = 0; j < scale - 1; j++) {
        for (let i = 0; i < scale - 1; i++) {
          // A round dot: corners of the cell stay dark.
          if ((i - r + 0.5) ** 2 + (j - r + 0.5) ** 2 > r * r) continue;
          const o = ((y * scale + j) * w + (x * scale + i)) * 3;
          raw[o] = cr;
          raw[o + 1] = cg;
          raw[o + 2] = cb;
        }
      }
    }
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}
