import type { LedFrame } from './led-frame.js';

/** sharp (libvips) loads on first use, so a process that never draws never maps it. */
const loadSharp = async () => (await import('sharp')).default;

export interface LedTextOptions {
  width: number;
  height: number;
  /**
   * Font family, named explicitly: with several CJK fonts installed, the generic `sans` may pick one without
   * the glyphs or with bitmap strikes Pango ignores (see shared research, stack.md).
   */
  font: string;
  /** Glyph size in pixels; defaults to three quarters of the panel height. */
  fontPx?: number;
  /** Luminance at or above which an anti-aliased pixel is lit (0–255). */
  threshold?: number;
}

export interface RenderedText {
  /** The panel frame: text centred if it fits, otherwise its first `width` columns (scrolling comes later). */
  frame: LedFrame;
  /** Width of the whole rendered line, for a scroller. */
  textWidth: number;
}

/** Escapes Pango markup, which sharp's text input interprets: a notice title is text, never markup. */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Renders one line of text (CJK included) into a 1-bit, single-colour LED frame. */
export async function renderLedText(text: string, opts: LedTextOptions): Promise<RenderedText> {
  const sharp = await loadSharp();
  checkSize('width', opts.width);
  checkSize('height', opts.height);
  const pixels = new Uint8Array(opts.width * opts.height);
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length === 0) {
    return { frame: { width: opts.width, height: opts.height, colors: 1, pixels }, textWidth: 0 };
  }
  const fontPx = opts.fontPx ?? Math.max(6, Math.round(opts.height * 0.75));
  const { data, info } = await sharp({
    text: { text: escapeMarkup(line), font: `${opts.font} ${fontPx}px`, dpi: 72 },
  })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const threshold = opts.threshold ?? 128;
  const dx = info.width <= opts.width ? Math.floor((opts.width - info.width) / 2) : 0;
  const dy = Math.floor((opts.height - info.height) / 2);
  for (let y = 0; y < info.height; y++) {
    const ty = y + dy;
    if (ty < 0 || ty >= opts.height) continue;
    for (let x = 0; x < info.width; x++) {
      const tx = x + dx;
      if (tx >= opts.width) break;
      if ((data[(y * info.width + x) * info.channels] ?? 0) >= threshold) pixels[ty * opts.width + tx] = 1;
    }
  }
  return { frame: { width: opts.width, height: opts.height, colors: 1, pixels }, textWidth: info.width };
}

function checkSize(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > 4096) {
    throw new RangeError(`LED ${name} must be an integer between 1 and 4096, got ${v}`);
  }
}

export function litPixels(frame: LedFrame): number {
  let n = 0;
  for (const p of frame.pixels) if (p !== 0) n++;
  return n;
}
