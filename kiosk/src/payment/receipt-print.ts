import type { PrintResult, ReceiptPrinter } from '../../../device-drivers/contracts/receipt-printer.js';
import type { Receipt } from '../../../protocol/schemas/receipt.js';
import { buildReceiptJob, type ReceiptLines } from './receipt-document.js';

/** Prints a verified receipt; `reprint` marks it 补打 REPRINT. Rejects with the driver's DeviceError. */
export function printReceipt(
  printer: ReceiptPrinter,
  receipt: Receipt,
  opts: { timeZone: string; reprint: boolean; jobId?: string; lines?: ReceiptLines },
): Promise<PrintResult> {
  const job = buildReceiptJob(receipt, {
    columns: printer.columns,
    timeZone: opts.timeZone,
    reprint: opts.reprint,
    ...(opts.lines ? { lines: opts.lines } : {}),
  });
  return printer.print(opts.jobId ? { ...job, id: opts.jobId } : job);
}
