import { randomBytes } from 'node:crypto';
import type {
  PaymentTerminal,
  TerminalPaymentResult,
} from '../../../device-drivers/contracts/payment-terminal.js';
import type { ReceiptPrinter } from '../../../device-drivers/contracts/receipt-printer.js';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import type { Bill } from '../../../protocol/schemas/bill.js';
import type { Signed } from '../../../protocol/schemas/common.js';
import type { PaymentResponse } from '../../../protocol/schemas/device-api.js';
import { type Payment, type PaymentState, TerminalResult } from '../../../protocol/schemas/payment.js';
import { validate } from '../../../protocol/validate.js';
import type { DeviceApiClient } from '../api-client.js';
import { isNetworkError } from '../http/http-json.js';
import { sleep } from '../http/retry.js';
import type { Trust } from '../identity/trust.js';
import type { Logger } from '../logger.js';
import { FINAL_STEPS, type JournalEntry, type PaymentJournal } from './payment-journal.js';
import { verifyBill, verifyPayment, verifyReceipt } from './payment-verify.js';
import { buildReceiptJob } from './receipt-document.js';

export type PaymentApi = Pick<
  DeviceApiClient,
  'createPayment' | 'getPayment' | 'presentPayment' | 'authorizePayment' | 'closePayment' | 'cancelPayment'
>;

export interface PaymentFlowOptions {
  api: PaymentApi;
  trust: Pick<Trust, 'keyring'>;
  journal: PaymentJournal;
  terminal: PaymentTerminal;
  printer: ReceiptPrinter;
  deviceId: string;
  /** The community's IANA zone, for the printed time. */
  timeZone: string;
  log: Logger;
  terminalTimeoutMs: number;
  /** Pause between terminal status queries after a lost answer (grows linearly). */
  statusRetryDelayMs?: number;
  newKey?: () => string;
}

/** 'live': a resident stands at the kiosk. 'resume': after a restart; nobody is there to present a card. */
type Mode = 'live' | 'resume';

const RECEIPTED: readonly PaymentState[] = ['receipted', 'closed'];

/**
 * Drives one payment at a time through the journal. Every step is written durably before the action that
 * follows it; a retry re-sends the same idempotency key and body; after a restart each open entry is
 * resolved from the control plane's signed state (GET payment) and the terminal's status query, never
 * guessed. Nothing is shown or printed before its signature verifies.
 */
export class PaymentFlow {
  readonly #o: PaymentFlowOptions;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(opts: PaymentFlowOptions) {
    this.#o = opts;
  }

  /** Pays a bill the resident saw. Resolves with the journal entry (final, or parked with its error). */
  pay(billEnvelope: Signed<Bill>): Promise<JournalEntry> {
    return this.#exclusive(async () => {
      await this.#resumeOpen();
      const stuck = this.#o.journal.open();
      if (stuck.length > 0) {
        throw new LinliError(
          ErrorCode.PAYMENT_UNRESOLVED,
          'an earlier payment on this kiosk is not resolved yet; it is retried automatically. Please wait or ask staff.',
          { keys: stuck.map((e) => e.key) },
        );
      }
      const bill = verifyBill(billEnvelope, this.#o.trust.keyring, this.#o.deviceId);
      const key = this.#o.newKey?.() ?? `idk_${randomBytes(18).toString('base64url')}`;
      await this.#o.journal.begin({
        key,
        bill: billEnvelope,
        request: { billId: bill.id, amountFen: bill.amountFen, method: 'terminal' },
      });
      await this.#run(key, 'live');
      return this.#o.journal.get(key)!;
    });
  }

  /** Resolves every open entry it can (called at start-up and periodically). */
  resumeAll(): Promise<void> {
    return this.#exclusive(() => this.#resumeOpen());
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => {});
    return run;
  }

  async #resumeOpen(): Promise<void> {
    for (const entry of this.#o.journal.open()) {
      this.#o.log.info({ key: entry.key, step: entry.step, paymentId: entry.paymentId }, 'payment: resuming');
      await this.#run(entry.key, 'resume', true);
    }
  }

  async #run(key: string, mode: Mode, reconcileFirst = false): Promise<void> {
    try {
      if (reconcileFirst) await this.#reconcile(this.#entry(key));
      await this.#drive(key, mode);
    } catch (err) {
      const code = isLinliError(err) ? err.code : ((err as { code?: string }).code ?? ErrorCode.INTERNAL);
      const message = (err as Error).message;
      this.#o.log.warn({ key, code, step: this.#entry(key).step }, `payment: parked (${message})`);
      await this.#o.journal.note(key, { code, message });
    }
  }

  #entry(key: string): JournalEntry {
    return this.#o.journal.get(key)!;
  }

  async #drive(key: string, mode: Mode): Promise<void> {
    for (;;) {
      const e = this.#entry(key);
      if (FINAL_STEPS.has(e.step)) return;
      switch (e.step) {
        case 'intent':
          await this.#create(e);
          break;
        case 'created':
          if (mode === 'live') await this.#present(e);
          // The terminal is only asked after `presented` is journaled, so it never saw this payment.
          else await this.#cancel(e);
          break;
        case 'presented':
          await this.#charge(e, mode);
          break;
        case 'terminal_result':
          await this.#authorize(e);
          break;
        case 'receipted':
          await this.#o.journal.record(key, 'printing', {
            print: { jobId: e.receipt!.payload.id, attempts: 0 },
          });
          break;
        case 'printing':
          await this.#print(e);
          break;
        case 'printed':
        case 'print_failed':
          await this.#close(e);
          break;
      }
    }
  }

  /** After a restart: align the journal with what the control plane signed for this payment. */
  async #reconcile(e: JournalEntry): Promise<void> {
    if (!e.paymentId) return; // intent: the drive loop re-sends the same key and body
    const res = await this.#o.api.getPayment(e.paymentId);
    const p = this.#verify(e, res.payment);
    if (RECEIPTED.includes(p.state) && res.receipt) {
      const receipt = res.receipt;
      verifyReceipt(receipt, this.#o.trust.keyring, p);
      if (['created', 'presented', 'terminal_result'].includes(e.step)) {
        await this.#o.journal.record(e.key, 'receipted', { payment: res.payment, receipt });
      } else if (p.state === 'closed' && (e.step === 'printed' || e.step === 'print_failed')) {
        await this.#o.journal.record(e.key, 'closed', { payment: res.payment });
      }
    } else if (p.state === 'canceled' || p.state === 'voided') {
      await this.#o.journal.record(e.key, 'canceled', { payment: res.payment });
    } else if (p.state === 'refund_pending' || p.state === 'refunded') {
      await this.#o.journal.record(e.key, 'rejected', {
        payment: res.payment,
        error: { code: ErrorCode.PAYMENT_STATE, message: `the control plane reports ${p.state}` },
      });
    }
  }

  async #create(e: JournalEntry): Promise<void> {
    let res: PaymentResponse;
    try {
      res = await this.#o.api.createPayment(e.key, e.request);
    } catch (err) {
      // A refusal (bill paid, expired, amount changed) means no payment exists under this key: final.
      if (isLinliError(err) && !isNetworkError(err) && err.httpStatus < 500) {
        await this.#o.journal.record(e.key, 'rejected', { error: { code: err.code, message: err.message } });
        return;
      }
      throw err;
    }
    const p = this.#verify(e, res.payment);
    await this.#o.journal.record(e.key, 'created', { paymentId: p.id, payment: res.payment });
  }

  async #present(e: JournalEntry): Promise<void> {
    const res = await this.#transition(e, () => this.#o.api.presentPayment(e.paymentId!), ['presented']);
    this.#verify(e, res.payment);
    await this.#o.journal.record(e.key, 'presented', { payment: res.payment });
  }

  async #charge(e: JournalEntry, mode: Mode): Promise<void> {
    const reference = e.paymentId!;
    let result: TerminalPaymentResult | { outcome: 'not_found'; reference: string } | undefined;
    if (mode === 'live') {
      try {
        result = await this.#o.terminal.pay({
          amountFen: e.request.amountFen,
          currency: 'CNY',
          reference,
          timeoutMs: this.#o.terminalTimeoutMs,
        });
      } catch (err) {
        // No answer is not a failure: the card may have been charged. Only the status query can tell.
        this.#o.log.warn({ key: e.key, err: (err as Error).message }, 'payment: terminal did not answer');
      }
    }
    if (!result || result.outcome === 'unknown') result = await this.#queryTerminal(reference);
    if (result.outcome === 'not_found') {
      await this.#cancel(e);
      return;
    }
    if (result.outcome === 'unknown') {
      throw new LinliError(
        ErrorCode.PAYMENT_UNRESOLVED,
        `the terminal cannot say yet whether payment ${reference} was charged; asking again later`,
        { paymentId: reference },
      );
    }
    if (result.reference !== reference || result.amountFen !== e.request.amountFen) {
      throw new LinliError(
        ErrorCode.AMOUNT_MISMATCH,
        `the terminal reported ${result.amountFen} fen for ${result.reference}, expected ${e.request.amountFen} for ${reference}; staff must reconcile`,
        { paymentId: reference },
      );
    }
    const terminal = validate(
      TerminalResult,
      {
        outcome: result.outcome,
        amountFen: result.amountFen,
        reference: result.reference,
        ...(result.authCode ? { authCode: result.authCode } : {}),
        ...(result.maskedCard ? { maskedCard: result.maskedCard } : {}),
        ...(result.cardToken ? { cardToken: result.cardToken } : {}),
        ...(result.terminalTxnId ? { terminalTxnId: result.terminalTxnId } : {}),
      },
      'terminal result',
    );
    await this.#o.journal.record(e.key, 'terminal_result', { terminal });
  }

  async #queryTerminal(
    reference: string,
  ): Promise<TerminalPaymentResult | { outcome: 'not_found'; reference: string }> {
    for (let i = 0; i < 3; i++) {
      try {
        const status = await this.#o.terminal.queryStatus(reference);
        if (status.outcome !== 'unknown') return status;
      } catch (err) {
        this.#o.log.warn({ reference, err: (err as Error).message }, 'payment: terminal status query failed');
      }
      await sleep((this.#o.statusRetryDelayMs ?? 500) * (i + 1));
    }
    return { outcome: 'unknown', reference, amountFen: 0 };
  }

  async #authorize(e: JournalEntry): Promise<void> {
    const terminal = e.terminal!;
    const approved = terminal.outcome === 'approved';
    const res = await this.#transition(
      e,
      () => this.#o.api.authorizePayment(e.paymentId!, terminal),
      approved ? RECEIPTED : ['canceled'],
    );
    const p = this.#verify(e, res.payment);
    if (!approved) {
      await this.#o.journal.record(e.key, 'declined', { payment: res.payment });
      return;
    }
    if (!RECEIPTED.includes(p.state) || !res.receipt) {
      await this.#o.journal.record(e.key, 'terminal_result', { payment: res.payment });
      throw new LinliError(
        ErrorCode.PAYMENT_UNRESOLVED,
        `payment ${p.id} is ${p.state} at the control plane; waiting for its signed receipt`,
        { paymentId: p.id, state: p.state },
      );
    }
    verifyReceipt(res.receipt, this.#o.trust.keyring, p);
    await this.#o.journal.record(e.key, 'receipted', { payment: res.payment, receipt: res.receipt });
  }

  async #print(e: JournalEntry): Promise<void> {
    const print = { ...e.print!, attempts: e.print!.attempts + 1 };
    await this.#o.journal.record(e.key, 'printing', { print });
    const job = buildReceiptJob(e.receipt!.payload, {
      columns: this.#o.printer.columns,
      timeZone: this.#o.timeZone,
      reprint: print.attempts > 1,
    });
    try {
      const r = await this.#o.printer.print(job);
      await this.#o.journal.record(e.key, 'printed', {
        print: { ...print, outcome: r.outcome, bytes: r.bytes },
      });
    } catch (err) {
      // Printing never reverses money: the payment closes; the receipt stays verifiable by its QR URL.
      const code = (err as { code?: string }).code ?? ErrorCode.INTERNAL;
      this.#o.log.error({ key: e.key, code }, `payment: receipt did not print (${(err as Error).message})`);
      await this.#o.journal.record(e.key, 'print_failed', {
        print: { ...print, error: { code, message: (err as Error).message } },
      });
    }
  }

  async #close(e: JournalEntry): Promise<void> {
    const res = await this.#transition(e, () => this.#o.api.closePayment(e.paymentId!), ['closed']);
    this.#verify(e, res.payment);
    await this.#o.journal.record(e.key, 'closed', { payment: res.payment });
  }

  async #cancel(e: JournalEntry): Promise<void> {
    const res = await this.#transition(e, () => this.#o.api.cancelPayment(e.paymentId!), [
      'canceled',
      'voided',
    ]);
    this.#verify(e, res.payment);
    await this.#o.journal.record(e.key, 'canceled', { payment: res.payment });
  }

  /**
   * A repeated transition may be refused because the first attempt went through before its answer was
   * lost; the signed state from GET payment decides whether the step happened.
   */
  async #transition(
    e: JournalEntry,
    call: () => Promise<PaymentResponse>,
    reached: readonly PaymentState[],
  ): Promise<PaymentResponse> {
    try {
      return await call();
    } catch (err) {
      if (!isLinliError(err, ErrorCode.PAYMENT_STATE)) throw err;
      const res = await this.#o.api.getPayment(e.paymentId!);
      if (reached.includes(this.#verify(e, res.payment).state)) return res;
      throw err;
    }
  }

  #verify(e: JournalEntry, envelope: unknown): Payment {
    return verifyPayment(envelope, this.#o.trust.keyring, {
      key: e.key,
      billId: e.request.billId,
      amountFen: e.request.amountFen,
      deviceId: this.#o.deviceId,
      ...(e.paymentId ? { paymentId: e.paymentId } : {}),
    });
  }
}
