import type { DeviceEvents, PosDevice } from './device.js';

/**
 * A receipt as a document, not bytes: the driver turns it into ESC/POS for its printer profile (GBK or raster
 * for Chinese, QR via GS ( k, cut), so callers never handle code pages.
 */
export type ReceiptBlock =
  | {
      kind: 'text';
      text: string;
      align?: 'left' | 'center' | 'right';
      bold?: boolean;
      /** Character magnification, 1–8 (GS !). */
      width?: number;
      height?: number;
    }
  | {
      kind: 'table';
      columns: readonly { width: number; align?: 'left' | 'right' }[];
      rows: readonly (readonly string[])[];
    }
  | { kind: 'qr'; data: string; size?: number; align?: 'left' | 'center' | 'right' }
  | { kind: 'rule'; char?: string }
  | { kind: 'feed'; lines?: number }
  | { kind: 'cut'; partial?: boolean };

export interface ReceiptJob {
  /** Stable id, so a job interrupted by paper-out is resumed or reprinted, never printed twice unmarked. */
  readonly id: string;
  readonly blocks: readonly ReceiptBlock[];
}

export interface PrinterStatusFlags {
  readonly online: boolean;
  readonly coverOpen: boolean;
  readonly paperOut: boolean;
  readonly paperNearEnd: boolean;
  readonly error: boolean;
}

export interface PrintResult {
  readonly jobId: string;
  /** `printed` normally; `reprinted` when the job was restarted with a REPRINT mark after paper-out. */
  readonly outcome: 'printed' | 'reprinted';
  readonly bytes: number;
}

export interface ReceiptPrinterEvents extends DeviceEvents {}

export interface ReceiptPrinter extends PosDevice<ReceiptPrinterEvents> {
  /** Paper width in characters at normal size (e.g. 48 for 80 mm, 32 for 58 mm). */
  readonly columns: number;
  /** Prints a job; rejects with DeviceError PAPER_OUT / COVER_OPEN / OFFLINE / TIMEOUT if it cannot. */
  print(job: ReceiptJob): Promise<PrintResult>;
  /** Asks the printer now (DLE EOT) rather than trusting cached state. */
  queryStatus(): Promise<PrinterStatusFlags>;
}
