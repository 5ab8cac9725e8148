import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import type { Bill } from '../../../protocol/schemas/bill.js';
import type { Signed } from '../../../protocol/schemas/common.js';
import type { PaymentResponse } from '../../../protocol/schemas/device-api.js';
import type { Payment, PaymentMethod } from '../../../protocol/schemas/payment.js';
import { isNetworkError } from '../http/http-json.js';
import type { FlowContext, Mode, PaymentFlowOptions } from './flow-context.js';
import { FINAL_STEPS, type JournalEntry, type PaymentStep } from './payment-journal.js';
import { verifyBill, verifyPayment, verifyReceipt } from './payment-verify.js';
import { awaitQr, resolveQrUnknown } from './qr-steps.js';
import { printReceipt } from './receipt-print.js';
import { cancelAtServer, charge, resolveUnknown } from './terminal-steps.js';

export type { PaymentApi, PaymentFlowOptions } from './flow-context.js';

/** Journal steps before the receipt: the control plane's receipt moves them to `receipted`. */
const BEFORE_RECEIPT: ReadonlySet<PaymentStep> = new Set([
  'intent',
  'created',
  'presented',
  'unknown',
  'terminal_result',
]);
const WITH_RECEIPT = new Set(['receipted', 'closed', 'refund_pending', 'refunded']);

export interface StartedPayment {
  key: string;
  /** Settles when the flow stops driving the payment: final, or parked with its error. */
  done: Promise<JournalEntry>;
}

/**
 * Drives one payment at a time through the journal. Every step is written durably before the action that
 * follows it; a retry re-sends the same idempotency key and body; after a restart each open entry is
 * resolved from the control plane's signed state, the terminal's status query and the wallet's order query,
 * never guessed. Nothing is shown or printed before its signature verifies. Emits `change` (journal entry)
 * and `prompt` (terminal prompts) for the kiosk page.
 */
export class PaymentFlow extends EventEmitter<{
  prompt: [{ key: string; message: string }];
  /** The running payment let go (its journal entry may not change again): the session is free again. */
  released: [{ key: string }];
}> {
  readonly #o: PaymentFlowOptions;
  #lock: Promise<unknown> = Promise.resolve();
  #active: string | undefined;
  #starting = false;
  readonly #cancels = new Map<string, { requested: boolean; promise: Promise<void>; fire: () => void }>();
  readonly #prompts = new Map<string, string>();
  readonly #ctx: FlowContext;

  constructor(opts: PaymentFlowOptions) {
    super();
    this.#o = opts;
    this.#ctx = {
      o: opts,
      entry: (key) => this.#entry(key),
      apply: (e, res) => this.#apply(e, res),
      verify: (e, env) => this.#verify(e, env),
      cancelRequested: (key) => this.#cancel(key).requested,
      whenCanceled: (key) => this.#cancel(key).promise,
      prompt: (key, message) => {
        this.#prompts.set(key, message);
        this.emit('prompt', { key, message });
      },
    };
  }

  /** The payment being driven right now (a resident is at the kiosk), if any. */
  get active(): string | undefined {
    return this.#active;
  }

  /** The terminal's last prompt for a payment ("请输入密码 Enter PIN"), while it runs. */
  promptFor(key: string): string | undefined {
    return this.#prompts.get(key);
  }

  /** Open entries that could not be resolved yet: while any exists the kiosk takes no new payment. */
  blocked(): JournalEntry | undefined {
    return this.#o.journal.open().find((e) => e.key !== this.#active);
  }

  /**
   * Starts paying a bill the resident saw; resolves once the intent is on disk (the rest runs on). Refused
   * with PAYMENT_IN_PROGRESS while another payment runs, PAYMENT_UNRESOLVED while an earlier one is open.
   */
  async start(billEnvelope: Signed<Bill>, method: PaymentMethod = 'terminal'): Promise<StartedPayment> {
    if (this.#active || this.#starting) {
      throw new LinliError(
        ErrorCode.PAYMENT_IN_PROGRESS,
        '正在处理另一笔缴费，请稍候。Another payment is in progress on this kiosk; wait for it to finish.',
        {
          key: this.#active,
        },
      );
    }
    this.#starting = true;
    let begun!: (key: string) => void;
    let failed!: (err: unknown) => void;
    const started = new Promise<string>((resolve, reject) => {
      begun = resolve;
      failed = reject;
    });
    const done = this.#exclusive(async () => {
      let key: string;
      try {
        await this.#resumeOpen();
        const stuck = this.#o.journal.open();
        if (stuck.length > 0) {
          throw new LinliError(
            ErrorCode.PAYMENT_UNRESOLVED,
            '上一笔缴费尚在确认中，暂不能缴费，请稍候或联系工作人员。An earlier payment on this kiosk is still being checked; it is retried automatically. Please wait or ask staff.',
            { keys: stuck.map((e) => e.key) },
          );
        }
        const bill = verifyBill(billEnvelope, this.#o.trust.keyring, this.#o.deviceId);
        key = this.#o.newKey?.() ?? `idk_${randomBytes(18).toString('base64url')}`;
        await this.#o.journal.begin({
          key,
          bill: billEnvelope,
          request: { billId: bill.id, amountFen: bill.amountFen, method },
        });
        this.#active = key;
      } catch (err) {
        this.#starting = false;
        failed(err);
        throw err;
      }
      this.#starting = false;
      begun(key);
      try {
        await this.#run(key, 'live');
      } finally {
        this.#active = undefined;
        this.#cancels.delete(key);
        this.#prompts.delete(key);
        this.emit('released', { key });
      }
      return this.#entry(key);
    });
    done.catch(() => undefined);
    return { key: await started, done };
  }

  /** Pays a bill and resolves with the journal entry (final, or parked with its error). */
  async pay(billEnvelope: Signed<Bill>, method: PaymentMethod = 'terminal'): Promise<JournalEntry> {
    return (await this.start(billEnvelope, method)).done;
  }

  /**
   * The resident asks to stop. The terminal is asked to abort (an approval that already happened stands);
   * a QR order is closed (a payment that already arrived completes). Resolves with the entry as it stands.
   */
  requestCancel(key: string): JournalEntry {
    const e = this.#o.journal.get(key);
    if (!e) throw new LinliError(ErrorCode.PAYMENT_NOT_FOUND, `no payment ${key} on this kiosk`);
    if (key === this.#active && !FINAL_STEPS.has(e.step)) this.#cancel(key).fire();
    else if (!FINAL_STEPS.has(e.step)) {
      throw new LinliError(
        ErrorCode.PAYMENT_STATE,
        '这笔缴费正在确认中，不能取消。This payment is being checked and cannot be canceled now.',
        {
          key,
          step: e.step,
        },
      );
    }
    return e;
  }

  /** Resolves every open entry it can (called at start-up and periodically). */
  resumeAll(): Promise<void> {
    return this.#exclusive(() => this.#resumeOpen());
  }

  #cancel(key: string) {
    let c = this.#cancels.get(key);
    if (!c) {
      let fire!: () => void;
      const promise = new Promise<void>((resolve) => {
        fire = resolve;
      });
      const entry = { requested: false, promise, fire: () => {} };
      entry.fire = () => {
        entry.requested = true;
        fire();
      };
      c = entry;
      this.#cancels.set(key, c);
    }
    return c;
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
      const e = this.#entry(key);
      if (reconcileFirst && e.paymentId) await this.#apply(e, await this.#o.api.getPayment(e.paymentId));
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
      const qr = e.request.method === 'qr';
      switch (e.step) {
        case 'intent':
          await this.#create(e);
          break;
        case 'created':
          // The terminal is asked (or the code shown) only after `presented` is journaled: never here.
          if (mode === 'live' && !this.#cancel(key).requested) {
            await this.#apply(e, await this.#o.api.presentPayment(e.paymentId!));
          } else await cancelAtServer(this.#ctx, e);
          break;
        case 'presented':
          if (qr) await awaitQr(this.#ctx, e, mode);
          else await charge(this.#ctx, e, mode);
          break;
        case 'unknown':
          if (qr) await resolveQrUnknown(this.#ctx, e);
          else await resolveUnknown(this.#ctx, e);
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
    await this.#apply(e, res);
  }

  async #authorize(e: JournalEntry): Promise<void> {
    let res: PaymentResponse;
    try {
      res = await this.#o.api.authorizePayment(e.paymentId!, e.terminal!);
    } catch (err) {
      if (!isLinliError(err, ErrorCode.PAYMENT_STATE)) throw err;
      res = await this.#o.api.getPayment(e.paymentId!);
    }
    const after = await this.#apply(e, res);
    if (after.step === 'terminal_result') {
      throw new LinliError(
        ErrorCode.PAYMENT_UNRESOLVED,
        `payment ${e.paymentId} is ${after.payment?.payload.state} at the control plane; waiting for its signed receipt`,
        { paymentId: e.paymentId },
      );
    }
  }

  async #print(e: JournalEntry): Promise<void> {
    const print = { ...e.print!, attempts: e.print!.attempts + 1 };
    await this.#o.journal.record(e.key, 'printing', { print });
    try {
      const r = await printReceipt(this.#o.printer, e.receipt!.payload, {
        timeZone: this.#o.timeZone,
        // A second attempt (after a crash mid-print) is marked, so two paper copies are never both "originals".
        reprint: print.attempts > 1,
        ...(this.#o.receiptLines ? { lines: this.#o.receiptLines() } : {}),
      });
      await this.#o.journal.record(e.key, 'printed', {
        print: { ...print, outcome: r.outcome, bytes: r.bytes },
      });
    } catch (err) {
      // Printing never reverses money: the payment closes; the page shows the receipt's QR instead.
      const code = (err as { code?: string }).code ?? ErrorCode.INTERNAL;
      this.#o.log.error({ key: e.key, code }, `payment: receipt did not print (${(err as Error).message})`);
      await this.#o.journal.record(e.key, 'print_failed', {
        print: { ...print, error: { code, message: (err as Error).message } },
      });
    }
  }

  async #close(e: JournalEntry): Promise<void> {
    let res: PaymentResponse;
    try {
      res = await this.#o.api.closePayment(e.paymentId!);
    } catch (err) {
      if (!isLinliError(err, ErrorCode.PAYMENT_STATE)) throw err;
      res = await this.#o.api.getPayment(e.paymentId!);
    }
    const after = await this.#apply(e, res);
    if (after.step !== 'closed') {
      throw new LinliError(ErrorCode.PAYMENT_STATE, `the control plane did not close payment ${e.paymentId}`);
    }
  }

  /** Journals where the control plane's verified answer says the payment stands (never backwards). */
  async #apply(e: JournalEntry, res: PaymentResponse): Promise<JournalEntry> {
    const p = this.#verify(e, res.payment);
    const payment = { payment: res.payment, paymentId: p.id };
    const same = e.payment?.payload.state === p.state && e.payment?.payload.updatedAt === p.updatedAt;
    const keep = () => (same ? e : this.#o.journal.record(e.key, e.step, payment));
    switch (p.state) {
      case 'created':
        return e.step === 'intent' ? this.#o.journal.record(e.key, 'created', payment) : keep();
      case 'presented':
        return e.step === 'intent' || e.step === 'created'
          ? this.#o.journal.record(e.key, 'presented', payment)
          : keep();
      case 'unknown':
        return ['intent', 'created', 'presented'].includes(e.step)
          ? this.#o.journal.record(e.key, 'unknown', payment)
          : keep();
      case 'canceled':
        return this.#o.journal.record(
          e.key,
          e.terminal?.outcome === 'declined' ? 'declined' : 'canceled',
          payment,
        );
      case 'voided':
        return this.#o.journal.record(e.key, 'voided', payment);
      default:
        if (!WITH_RECEIPT.has(p.state) || !res.receipt) return keep();
        verifyReceipt(res.receipt, this.#o.trust.keyring, p);
        if (BEFORE_RECEIPT.has(e.step))
          return this.#o.journal.record(e.key, 'receipted', { ...payment, receipt: res.receipt });
        if (p.state !== 'receipted' && (e.step === 'printed' || e.step === 'print_failed')) {
          return this.#o.journal.record(e.key, 'closed', payment);
        }
        return keep();
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
