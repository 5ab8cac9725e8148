import QRCode from 'qrcode';
import type { Paper, PaperItem } from './paper.js';

/** sharp (libvips) loads on first use, so a process that never draws never maps it. */
const loadSharp = async () => (await import('sharp')).default;

const MARGIN = 16;
const CELL_W = 12;
const CELL_H = 24;
const LINE_GAP = 6;
const FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', sans-serif";
const ECC: Record<number, QRCode.QRCodeErrorCorrectionLevel> = { 48: 'L', 49: 'M', 50: 'Q', 51: 'H' };

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function xFor(align: number, width: number, paperDots: number): number {
  if (align === 1) return MARGIN + Math.max(0, Math.floor((paperDots - width) / 2));
  if (align === 2) return MARGIN + Math.max(0, paperDots - width);
  return MARGIN;
}

/**
 * Draws the receipt as the printer would: font A cells of 12×24 dots (24×24 for GB glyphs), QR modules at the
 * GS ( k module size with a quiet zone, raster images dot for dot. SVG through sharp/librsvg, so CJK glyphs
 * come from fontconfig's 'Noto Sans CJK SC'.
 */
export async function renderReceiptPng(paper: Paper, paperDots: number): Promise<Buffer> {
  const sharp = await loadSharp();
  const body: string[] = [];
  let y = MARGIN;
  for (const item of paper.items) y = draw(item, y, paperDots, body);
  const height = y + MARGIN;
  const width = paperDots + 2 * MARGIN;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${body.join('')}</svg>`;
  return sharp(Buffer.from(svg), { limitInputPixels: 576 * 100_000 })
    .flatten({ background: '#fff' })
    .png({ palette: true, colours: 16 })
    .toBuffer();
}

function draw(item: PaperItem, y: number, paperDots: number, out: string[]): number {
  switch (item.kind) {
    case 'feed':
      return y + item.dots;
    case 'text': {
      const h = Math.max(1, ...item.glyphs.map((g) => g.h));
      const lineH = CELL_H * h + LINE_GAP;
      const width = item.glyphs.reduce((s, g) => s + g.cols * CELL_W * g.w, 0);
      let x = xFor(item.align, width, paperDots);
      for (const g of item.glyphs) {
        const cw = g.cols * CELL_W * g.w;
        if (g.ch.trim() !== '') {
          const size = CELL_H * g.h * 0.92;
          const sx = g.w / g.h;
          // Width and height multiply independently on a printer; scale x to match.
          out.push(
            `<text transform="translate(${x},${y + CELL_H * h * 0.86}) scale(${sx},1)" font-family="${FONT}" font-size="${size}" font-weight="${g.bold ? 700 : 400}" fill="#000">${esc(g.ch)}</text>`,
          );
        }
        x += cw;
      }
      return y + lineH;
    }
    case 'qr': {
      let qr: QRCode.QRCode;
      try {
        qr = QRCode.create(item.data, { errorCorrectionLevel: ECC[item.ecc] ?? 'M' });
      } catch {
        // Data the QR encoder cannot hold prints nothing on a real printer either.
        return y;
      }
      const n = qr.modules.size;
      const m = Math.max(1, item.module);
      const quiet = 4 * m;
      const size = n * m + 2 * quiet;
      const x0 = xFor(item.align, size, paperDots) + quiet;
      const y0 = y + quiet;
      let d = '';
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++)
          if (qr.modules.get(r, c)) d += `M${x0 + c * m} ${y0 + r * m}h${m}v${m}h-${m}z`;
      }
      out.push(`<path d="${d}" fill="#000" shape-rendering="crispEdges"/>`);
      return y + size;
    }
    case 'raster': {
      const w = item.widthBytes * 8;
      const x0 = xFor(item.align, w, paperDots);
      let d = '';
      for (let r = 0; r < item.height; r++) {
        let run = -1;
        for (let c = 0; c <= w; c++) {
          const on = c < w && ((item.bits[r * item.widthBytes + (c >> 3)] ?? 0) & (0x80 >> (c & 7))) !== 0;
          if (on && run < 0) run = c;
          if (!on && run >= 0) {
            d += `M${x0 + run} ${y + r}h${c - run}v1h-${c - run}z`;
            run = -1;
          }
        }
      }
      if (d) out.push(`<path d="${d}" fill="#000" shape-rendering="crispEdges"/>`);
      return y + item.height + LINE_GAP;
    }
  }
}
