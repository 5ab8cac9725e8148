import type { NoticePriority } from '../../protocol/schemas/notice.js';
import type { LedFrame } from './led-frame.js';
import { escapeMarkup } from './render-text.js';

/** sharp (libvips) loads on first use, so a process that never draws never maps it. */
const loadSharp = async () => (await import('sharp')).default;

/** One line of text rendered once, as wide as it needs: the panel shows a window onto it. */
export interface LedStrip {
  width: number;
  height: number;
  /** 1 where an LED is lit, row-major. */
  mask: Uint8Array;
}

export interface StripOptions {
  /** Panel height: the strip is exactly this tall. */
  height: number;
  /** Named explicitly: with several CJK fonts installed `sans` may pick one without the glyphs. */
  font: string;
  fontPx?: number;
  threshold?: number;
}

const MAX_STRIP = 16_384;

/** Renders text (CJK included) into a 1-bit strip the height of the panel. */
export async function renderStrip(text: string, o: StripOptions): Promise<LedStrip> {
  const sharp = await loadSharp();
  if (!Number.isInteger(o.height) || o.height < 1 || o.height > 4096) {
    throw new RangeError(`LED height must be an integer between 1 and 4096, got ${o.height}`);
  }
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length === 0) return { width: 0, height: o.height, mask: new Uint8Array(0) };
  const fontPx = o.fontPx ?? Math.max(6, Math.round(o.height * 0.75));
  const { data, info } = await sharp({
    text: { text: escapeMarkup(line), font: `${o.font} ${fontPx}px`, dpi: 72 },
  })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const width = Math.min(info.width, MAX_STRIP);
  const mask = new Uint8Array(width * o.height);
  const dy = Math.floor((o.height - info.height) / 2);
  const threshold = o.threshold ?? 128;
  for (let y = 0; y < info.height; y++) {
    const ty = y + dy;
    if (ty < 0 || ty >= o.height) continue;
    for (let x = 0; x < width; x++) {
      if ((data[(y * info.width + x) * info.channels] ?? 0) >= threshold) mask[ty * width + x] = 1;
    }
  }
  return { width, height: o.height, mask };
}

/** Pixel value per priority: single-colour panels light everything 1; dual-colour use red, amber, green. */
export function colourFor(priority: NoticePriority, colors: 1 | 2): number {
  if (colors === 1) return 1;
  return priority === 'emergency' ? 1 : priority === 'important' ? 3 : 2;
}

/**
 * The panel frame for a strip: centred when it fits, otherwise the window starting at strip column `x` (x may
 * be negative or past the end while the text scrolls in from the right and out to the left).
 */
export function stripFrame(
  strip: LedStrip,
  panel: { width: number; height: number; colors: 1 | 2 },
  colour: number,
  x?: number,
): LedFrame {
  const pixels = new Uint8Array(panel.width * panel.height);
  const start = x ?? (strip.width <= panel.width ? -Math.floor((panel.width - strip.width) / 2) : 0);
  const rows = Math.min(panel.height, strip.height);
  for (let y = 0; y < rows; y++) {
    for (let px = 0; px < panel.width; px++) {
      const sx = px + start;
      if (sx < 0 || sx >= strip.width) continue;
      if (strip.mask[y * strip.width + sx]) pixels[y * panel.width + px] = colour;
    }
  }
  return { width: panel.width, height: panel.height, colors: panel.colors, pixels };
}

/** Does this strip need to scroll on this panel? */
export const scrolls = (strip: LedStrip, panelWidth: number): boolean => strip.width > panelWidth;

/** Window positions for one pass: enters from the right edge, leaves past the left. */
export function scrollRange(strip: LedStrip, panelWidth: number): { from: number; to: number } {
  return { from: -panelWidth, to: strip.width };
}
