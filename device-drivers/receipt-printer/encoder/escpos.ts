/** ESC/POS command bytes used by the encoder, the driver and the simulator (names as in Epson's reference). */
export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const ENQ = 0x05;
export const LF = 0x0a;

export const INIT = Uint8Array.of(ESC, 0x40);
/** FS & / FS .: Chinese (two-byte GB) character mode on / off. */
export const CHINESE_ON = Uint8Array.of(FS, 0x26);
export const CHINESE_OFF = Uint8Array.of(FS, 0x2e);

export const ALIGN = { left: 0, center: 1, right: 2 } as const;
export const align = (a: keyof typeof ALIGN): Uint8Array => Uint8Array.of(ESC, 0x61, ALIGN[a]);
export const bold = (on: boolean): Uint8Array => Uint8Array.of(ESC, 0x45, on ? 1 : 0);
/** GS ! n: width multiplier in the high nibble, height in the low nibble (1–8 each). */
export const size = (w: number, h: number): Uint8Array => Uint8Array.of(GS, 0x21, ((w - 1) << 4) | (h - 1));
export const codePage = (n: number): Uint8Array => Uint8Array.of(ESC, 0x74, n);
export const feedLines = (n: number): Uint8Array => Uint8Array.of(ESC, 0x64, n);

/** DLE EOT n: real-time status (1 printer, 2 offline cause, 3 error cause, 4 paper roll). */
export const realtimeStatus = (n: 1 | 2 | 3 | 4): Uint8Array => Uint8Array.of(DLE, EOT, n);
/** DLE ENQ 2: recover from an error and clear the receive and print buffers (before a reprint). */
export const RECOVER_CLEAR = Uint8Array.of(DLE, ENQ, 2);
/** GS a n: Automatic Status Back for drawer(1), online(2), error(4), paper(8). */
export const asb = (n: number): Uint8Array => Uint8Array.of(GS, 0x61, n);
export const ASB_ALL = 0x0f;
/** GS r 1: paper sensor status, answered in sequence after everything before it printed: our job receipt. */
export const PAPER_SENSOR = Uint8Array.of(GS, 0x72, 1);

/**
 * The job id, carried in the byte stream where a printer prints nothing: GS ( k fn 80 stores data in the QR
 * symbol storage area, and only fn 81 prints it. Every QR block stores its own data before printing, so this
 * is overwritten before it could ever be printed; ESC/POS has no comment or job-name command (GS ( H fn 48
 * "process ID" takes four characters). The simulator reads it to name its output files after the job.
 */
export const JOB_TAG_PREFIX = 'LINLI-JOB:';
export function jobTag(jobId: string): Uint8Array {
  const data = Buffer.from(`${JOB_TAG_PREFIX}${jobId}`, 'utf8');
  const n = data.length + 3;
  return concat([Uint8Array.of(GS, 0x28, 0x6b, n & 0xff, n >> 8, 0x31, 0x50, 0x30), data]);
}

/** GS v 0: raster bit image, `widthBytes`×`height`, MSB = leftmost dot. */
export function raster(widthBytes: number, height: number, bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + bits.length);
  out.set([GS, 0x76, 0x30, 0, widthBytes & 0xff, widthBytes >> 8, height & 0xff, height >> 8]);
  out.set(bits, 8);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
