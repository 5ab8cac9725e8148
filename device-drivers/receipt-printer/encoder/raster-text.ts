/** sharp (libvips) loads on first use, so a process that never draws never maps it. */
const loadSharp = async () => (await import('sharp')).default;

/** A 1-bit image in ESC/POS raster order: rows of `widthBytes`, MSB first, 1 = black dot. */
export interface RasterImage {
  readonly widthBytes: number;
  readonly height: number;
  readonly bits: Uint8Array;
}

export type Rasterizer = (
  text: string,
  opts: { readonly maxWidthDots: number; readonly heightDots: number; readonly bold: boolean },
) => Promise<RasterImage>;

/**
 * The monospaced CJK face: half-width glyphs advance exactly 0.5 em and CJK glyphs 1 em, so at 24 px a raster
 * line keeps the 12/24-dot columns of the printer's own fonts and tables stay aligned.
 */
const FONT = 'Noto Sans Mono CJK SC';

/**
 * Renders a line the printer's fonts cannot print (no Chinese font on board, or glyphs outside GBK) with sharp,
 * thresholded to 1 bit. Slower than text (~ms), so only those lines pay for it.
 */
export const sharpRasterizer: Rasterizer = async (text, { maxWidthDots, heightDots, bold }) => {
  const sharp = await loadSharp();
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const markup = bold ? `<b>${escaped}</b>` : escaped;
  const pt = Math.max(6, heightDots);
  const { data, info } = await sharp({
    text: {
      text: `<span font_family="${FONT}" font_size="${pt * 1024}">${markup}</span>`,
      rgba: false,
      dpi: 72,
    },
  })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const width = Math.min(info.width, maxWidthDots);
  const widthBytes = Math.ceil(width / 8);
  const height = Math.max(heightDots, info.height);
  const bits = new Uint8Array(widthBytes * height);
  const top = Math.floor((height - info.height) / 2);
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < width; x++) {
      // Pango text comes out as coverage on black: bright = ink.
      if (data[y * info.width * info.channels + x * info.channels]! > 110) {
        bits[(y + top) * widthBytes + (x >> 3)]! |= 0x80 >> (x & 7);
      }
    }
  }
  return { widthBytes, height, bits };
};
