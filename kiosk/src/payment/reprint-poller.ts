import type { ReceiptPrinter } from '../../../device-drivers/contracts/receipt-printer.js';
import { verifyEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { Signed } from '../../../protocol/schemas/common.js';
import { Receipt } from '../../../protocol/schemas/receipt.js';
import type { DeviceApiClient } from '../api-client.js';
import type { Trust } from '../identity/trust.js';
import type { Logger } from '../logger.js';
import type { PaymentJournal } from './payment-journal.js';
import type { ReceiptLines } from './receipt-document.js';
import { printReceipt } from './receipt-print.js';

export interface ReprintsOptions {
  api: Pick<DeviceApiClient, 'getReprints' | 'reprintDone'>;
  trust: Pick<Trust, 'keyring'>;
  printer: ReceiptPrinter;
  journal: PaymentJournal;
  timeZone: string;
  log: Logger;
  intervalMs: number;
  /** True while a resident is paying: staff reprints wait, so nobody's receipt lands in another's hand. */
  busy: () => boolean;
  /** The receipt's header and footer lines in effect now (remote settings). */
  receiptLines?: () => ReceiptLines;
}

/**
 * Receipt reprints: the resident's "print my last receipt again" at the kiosk, and reprints staff ask for
 * from the admin side (fetched when the control plane pushes, and on a timer). Every receipt is verified
 * before it prints, and is marked 补打 REPRINT. A printer that cannot print never touches the payment.
 */
export class Reprints {
  readonly #o: ReprintsOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(opts: ReprintsOptions) {
    this.#o = opts;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.poke(), this.#o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Fetch and print pending staff reprints now (after a channel push). */
  poke(): void {
    this.#running ??= this.#staffReprints().finally(() => {
      this.#running = undefined;
    });
  }

  /** Prints the newest receipt again. Rejects with PRINTER_UNAVAILABLE (details: the receipt's verify URL). */
  async reprintLast(): Promise<Receipt> {
    const env = this.#o.journal.lastReceipt;
    if (!env)
      throw new LinliError(
        ErrorCode.RECEIPT_NOT_FOUND,
        '本机还没有可补打的凭证。There is no receipt on this kiosk to print again.',
      );
    const receipt = this.#verify(env);
    await this.#print(receipt, receipt.id);
    return receipt;
  }

  async #staffReprints(): Promise<void> {
    if (this.#o.busy()) return;
    let list: Awaited<ReturnType<ReprintsOptions['api']['getReprints']>>['reprints'];
    try {
      list = (await this.#o.api.getReprints()).reprints;
    } catch (err) {
      this.#o.log.warn({ err: (err as Error).message }, 'reprints: could not fetch; retrying later');
      return;
    }
    for (const r of list) {
      if (this.#o.busy()) return;
      let outcome: 'printed' | 'failed' = 'printed';
      let error: string | undefined;
      try {
        await this.#print(this.#verify(r.receipt), r.id);
      } catch (err) {
        outcome = 'failed';
        error = `${(err as { code?: string }).code ?? ErrorCode.INTERNAL}: ${(err as Error).message}`;
      }
      await this.#o.api.reprintDone(r.id, outcome, error).catch((err: unknown) => {
        this.#o.log.warn(
          { reprintId: r.id, err: (err as Error).message },
          'reprints: could not report; retried',
        );
      });
    }
  }

  #verify(env: Signed<Receipt>): Receipt {
    return verifyEnvelope<Receipt>(env, this.#o.trust.keyring, { type: 'linli.receipt/v1', schema: Receipt });
  }

  async #print(receipt: Receipt, jobId: string): Promise<void> {
    try {
      await printReceipt(this.#o.printer, receipt, {
        timeZone: this.#o.timeZone,
        reprint: true,
        jobId,
        ...(this.#o.receiptLines ? { lines: this.#o.receiptLines() } : {}),
      });
    } catch (err) {
      throw new LinliError(
        ErrorCode.PRINTER_UNAVAILABLE,
        `凭证未能打印，请扫描屏幕上的二维码查看。The receipt could not be printed (${(err as { code?: string }).code ?? 'printer error'}); scan its QR code on the screen instead.`,
        { receiptId: receipt.id, verifyUrl: receipt.verifyUrl, printerCode: (err as { code?: string }).code },
      );
    }
  }
}
