import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { DeviceError, DeviceErrorCode } from '../../contracts/device-error.js';
import type { ReceiptBlock, ReceiptJob } from '../../contracts/receipt-printer.js';
import type { PrinterProfile } from '../profiles.js';
import * as cmd from './escpos.js';
import { type Rasterizer, sharpRasterizer } from './raster-text.js';
import { encodeChar, fitColumns, wrap } from './text-codec.js';

export interface EncodeOptions {
  /** Prints a REPRINT mark on top: the job was interrupted (paper out) and is printed again in full. */
  readonly reprint?: boolean;
  readonly rasterizer?: Rasterizer;
}

type Align = 'left' | 'center' | 'right';
const DOT_HEIGHT = 24;
const QR_MAX_BYTES = 7089;
const JOB_ID_MAX = 128;

/** One output line before it becomes bytes: text if every glyph is in the printer's fonts, else raster. */
interface Line {
  readonly text: string;
  readonly align: Align;
  readonly bold: boolean;
  readonly w: number;
  readonly h: number;
}

function invalid(param: string, expected: string, actual: unknown): DeviceError {
  return new DeviceError(
    DeviceErrorCode.INVALID_ARGUMENT,
    `Expected ${expected} for ${param} but received ${JSON.stringify(actual)}`,
    { param, expected, actual },
  );
}

function checkMagnification(param: string, v: unknown): number {
  if (v === undefined) return 1;
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 8)
    throw invalid(param, 'an integer 1–8', v);
  return v as number;
}

/**
 * Turns a declarative ReceiptJob into ESC/POS for one printer profile. QR codes and the cut come from
 * @point-of-sale/receipt-printer-encoder; text is ours because that library knows neither GBK Chinese mode nor
 * double-width layout.
 */
export async function encodeReceipt(
  job: ReceiptJob,
  profile: PrinterProfile,
  opts: EncodeOptions = {},
): Promise<Uint8Array> {
  if (typeof job?.id !== 'string' || job.id.length === 0 || job.id.length > JOB_ID_MAX)
    throw invalid('job.id', `a string of 1–${JOB_ID_MAX} characters`, job?.id);
  const parts: Uint8Array[] = [cmd.INIT, cmd.jobTag(job.id)];
  parts.push(profile.chineseFont ? cmd.CHINESE_ON : cmd.CHINESE_OFF);
  const cp = profile.codePages[profile.textCodePage];
  if (!profile.chineseFont && cp !== undefined) parts.push(cmd.codePage(cp));
  const rasterizer = opts.rasterizer ?? sharpRasterizer;
  if (opts.reprint) {
    const mark = profile.chineseFont ? '*** 重印 REPRINT ***' : '*** REPRINT ***';
    await emitLine(parts, { text: mark, align: 'center', bold: true, w: 1, h: 2 }, profile, rasterizer);
  }
  if (!Array.isArray(job.blocks)) throw invalid('job.blocks', 'an array of blocks', job.blocks);
  for (const [i, block] of job.blocks.entries()) {
    await emitBlock(parts, block, `job.blocks[${i}]`, profile, rasterizer);
  }
  parts.push(cmd.align('left'), cmd.bold(false), cmd.size(1, 1));
  return cmd.concat(parts);
}

async function emitBlock(
  parts: Uint8Array[],
  block: ReceiptBlock,
  at: string,
  profile: PrinterProfile,
  rasterizer: Rasterizer,
): Promise<void> {
  switch (block?.kind) {
    case 'text': {
      if (typeof block.text !== 'string') throw invalid(`${at}.text`, 'a string', block.text);
      const w = checkMagnification(`${at}.width`, block.width);
      const h = checkMagnification(`${at}.height`, block.height);
      const align = block.align ?? 'left';
      for (const text of wrap(block.text, Math.floor(profile.columns / w), profile)) {
        await emitLine(parts, { text, align, bold: block.bold ?? false, w, h }, profile, rasterizer);
      }
      return;
    }
    case 'table': {
      const cols = block.columns;
      if (!Array.isArray(cols) || cols.length === 0)
        throw invalid(`${at}.columns`, 'a non-empty array', cols);
      const total = cols.reduce((s, c) => s + c.width, 0);
      if (cols.some((c) => !Number.isInteger(c.width) || c.width < 1) || total > profile.columns) {
        throw invalid(`${at}.columns`, `integer widths adding up to at most ${profile.columns}`, cols);
      }
      for (const [r, row] of block.rows.entries()) {
        if (!Array.isArray(row)) throw invalid(`${at}.rows[${r}]`, 'an array of strings', row);
        const text = cols
          .map((c, j) => fitColumns(String(row[j] ?? ''), c.width, c.align ?? 'left', profile))
          .join('');
        await emitLine(
          parts,
          { text: text.trimEnd(), align: 'left', bold: false, w: 1, h: 1 },
          profile,
          rasterizer,
        );
      }
      return;
    }
    case 'qr': {
      if (typeof block.data !== 'string' || block.data.length === 0)
        throw invalid(`${at}.data`, 'a non-empty string', block.data);
      if (Buffer.byteLength(block.data) > QR_MAX_BYTES)
        throw invalid(`${at}.data`, `at most ${QR_MAX_BYTES} bytes`, block.data.length);
      const sizeDots = block.size ?? 6;
      if (!Number.isInteger(sizeDots) || sizeDots < 1 || sizeDots > 16)
        throw invalid(`${at}.size`, 'an integer 1–16', block.size);
      const qr = new ReceiptPrinterEncoder({ language: 'esc-pos', newline: '\n' })
        .qrcode(block.data, { model: 2, size: sizeDots, errorlevel: 'm' })
        .encode();
      parts.push(cmd.align(block.align ?? 'center'), qr, cmd.align('left'));
      return;
    }
    case 'rule': {
      const ch = block.char ?? '-';
      const w = encodeChar(ch, profile).cols;
      const text = ch.repeat(Math.floor(profile.columns / w));
      await emitLine(parts, { text, align: 'left', bold: false, w: 1, h: 1 }, profile, rasterizer);
      return;
    }
    case 'feed': {
      const n = block.lines ?? 1;
      if (!Number.isInteger(n) || n < 0 || n > 255)
        throw invalid(`${at}.lines`, 'an integer 0–255', block.lines);
      parts.push(cmd.feedLines(n));
      return;
    }
    case 'cut': {
      const cut = new ReceiptPrinterEncoder({ language: 'esc-pos', newline: '\n', feedBeforeCut: 0 })
        .cut(block.partial ? 'partial' : 'full')
        .encode();
      // The cutter sits a few lines above the print head: feed so the last line clears the blade.
      parts.push(cmd.feedLines(4), stripTrailingNewline(cut));
      return;
    }
    default:
      throw invalid(
        `${at}.kind`,
        "one of 'text', 'table', 'qr', 'rule', 'feed', 'cut'",
        (block as { kind?: unknown })?.kind,
      );
  }
}

function stripTrailingNewline(b: Uint8Array): Uint8Array {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x0a || b[end - 1] === 0x0d)) end--;
  return b.subarray(0, end);
}

async function emitLine(
  parts: Uint8Array[],
  line: Line,
  profile: PrinterProfile,
  rasterizer: Rasterizer,
): Promise<void> {
  const glyphs = [...line.text].map((ch) => encodeChar(ch, profile));
  parts.push(cmd.align(line.align), cmd.bold(line.bold), cmd.size(line.w, line.h));
  if (glyphs.every((g) => g.bytes)) {
    for (const g of glyphs) parts.push(g.bytes!);
    parts.push(Uint8Array.of(cmd.LF));
    return;
  }
  // Raster fallback: the whole line as an image so the glyphs keep their order and spacing.
  const img = await rasterizer(line.text, {
    maxWidthDots: profile.dotsPerLine,
    heightDots: DOT_HEIGHT * line.h,
    bold: line.bold,
  });
  parts.push(cmd.raster(img.widthBytes, img.height, img.bits));
}
