import iconv from 'iconv-lite';

/**
 * What has been printed on the current receipt, as the simulator's print head laid it down: text lines with
 * their style, QR symbols (re-encoded from the GS ( k data when rendered) and raster images.
 */
export interface Glyph {
  readonly ch: string;
  readonly cols: 1 | 2;
  readonly bold: boolean;
  readonly w: number;
  readonly h: number;
}

export type PaperItem =
  | { readonly kind: 'text'; readonly glyphs: readonly Glyph[]; readonly align: number }
  | {
      readonly kind: 'qr';
      readonly data: string;
      readonly module: number;
      readonly ecc: number;
      readonly align: number;
    }
  | {
      readonly kind: 'raster';
      readonly widthBytes: number;
      readonly height: number;
      readonly bits: Uint8Array;
      readonly align: number;
    }
  | { readonly kind: 'feed'; readonly dots: number };

export interface PrintStyle {
  align: number;
  bold: boolean;
  w: number;
  h: number;
  chinese: boolean;
  codePage: number;
}

export const defaultStyle = (): PrintStyle => ({
  align: 0,
  bold: false,
  w: 1,
  h: 1,
  chinese: false,
  codePage: 0,
});

/** ESC t numbers the simulator can show (Epson table); others print as cp437. */
const CODE_PAGES: Record<number, string> = { 0: 'cp437', 2: 'cp850', 16: 'cp1252', 17: 'cp866', 19: 'cp858' };

export class Paper {
  readonly items: PaperItem[] = [];
  #line: Glyph[] = [];
  #lineAlign = 0;
  /** Lines of text so far, for tests and for "paper runs out after N lines". */
  lines = 0;

  addText(bytes: Uint8Array, style: PrintStyle): void {
    if (this.#line.length === 0) this.#lineAlign = style.align;
    const text = style.chinese
      ? iconv.decode(Buffer.from(bytes), 'gbk')
      : iconv.decode(Buffer.from(bytes), CODE_PAGES[style.codePage] ?? 'cp437');
    for (const ch of text) {
      const cols: 1 | 2 = (ch.codePointAt(0) ?? 0) >= 0x80 && style.chinese ? 2 : 1;
      this.#line.push({ ch, cols, bold: style.bold, w: style.w, h: style.h });
    }
  }

  lineFeed(style: PrintStyle): void {
    this.items.push({
      kind: 'text',
      glyphs: this.#line,
      align: this.#line.length ? this.#lineAlign : style.align,
    });
    this.#line = [];
    this.lines++;
  }

  feed(dots: number): void {
    this.flushLine();
    this.items.push({ kind: 'feed', dots });
  }

  qr(data: string, module: number, ecc: number, align: number): void {
    this.flushLine();
    this.items.push({ kind: 'qr', data, module, ecc, align });
  }

  raster(widthBytes: number, height: number, bits: Uint8Array, align: number): void {
    this.flushLine();
    this.items.push({ kind: 'raster', widthBytes, height, bits: Uint8Array.from(bits), align });
    this.lines++;
  }

  /** A partial line is printed when the paper is cut or a graphic follows (as on a real printer's buffer). */
  flushLine(): void {
    if (this.#line.length > 0) this.lineFeed({ ...defaultStyle(), align: this.#lineAlign });
  }

  get isEmpty(): boolean {
    return this.items.length === 0 && this.#line.length === 0;
  }

  /** The text content, one string per printed text line (what a test or a person reads). */
  text(): string[] {
    return this.items.filter((i) => i.kind === 'text').map((i) => i.glyphs.map((g) => g.ch).join(''));
  }
}
