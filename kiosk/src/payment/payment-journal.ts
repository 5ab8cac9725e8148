import { EventEmitter } from 'node:events';
import { type Static, Type } from '@sinclair/typebox';
import type { Low } from 'lowdb';
import { Bill } from '../../../protocol/schemas/bill.js';
import { IdSchema, IsoTime, SignedEnvelope } from '../../../protocol/schemas/common.js';
import {
  CreatePaymentRequest,
  IdempotencyKey,
  Payment,
  TerminalResult,
} from '../../../protocol/schemas/payment.js';
import { Receipt } from '../../../protocol/schemas/receipt.js';
import { openDurableStore } from '../state/durable-store.js';

/**
 * The kiosk's side of a payment, one step per durable write. Each step is journaled BEFORE the action that
 * follows it, so after a crash the runtime knows exactly what it may have done:
 *
 *   intent → created → presented → terminal_result → receipted → printing → printed|print_failed → closed
 *   presented → unknown (the terminal's answer was lost; only a status query leaves it) → terminal_result
 *   QR: presented (code shown) → receipted … (the wallet settles it at the control plane)
 *   (any open step) → canceled (no money moved) | declined (terminal said no) | voided (the biller refused
 *   after authorization; the money was released) | rejected (the control plane refused to start it)
 *
 * `presented` is written before the terminal is asked to charge (or the QR shown), so a crash there is
 * resolved by the terminal's status query or the wallet's order query, never by charging again.
 */
export const PaymentStep = Type.Union([
  Type.Literal('intent'),
  Type.Literal('created'),
  Type.Literal('presented'),
  Type.Literal('unknown'),
  Type.Literal('terminal_result'),
  Type.Literal('receipted'),
  Type.Literal('printing'),
  Type.Literal('printed'),
  Type.Literal('print_failed'),
  Type.Literal('closed'),
  Type.Literal('canceled'),
  Type.Literal('declined'),
  Type.Literal('voided'),
  Type.Literal('rejected'),
]);
export type PaymentStep = Static<typeof PaymentStep>;

export const FINAL_STEPS: ReadonlySet<PaymentStep> = new Set([
  'closed',
  'canceled',
  'declined',
  'voided',
  'rejected',
]);

const StepError = Type.Object({ code: Type.String(), message: Type.String() });

export const JournalEntry = Type.Object({
  key: IdempotencyKey,
  step: PaymentStep,
  bill: SignedEnvelope(Bill),
  request: CreatePaymentRequest,
  paymentId: Type.Optional(IdSchema('pay')),
  payment: Type.Optional(SignedEnvelope(Payment)),
  terminal: Type.Optional(TerminalResult),
  receipt: Type.Optional(SignedEnvelope(Receipt)),
  print: Type.Optional(
    Type.Object({
      jobId: Type.String(),
      attempts: Type.Integer({ minimum: 0 }),
      outcome: Type.Optional(Type.String()),
      bytes: Type.Optional(Type.Integer()),
      error: Type.Optional(StepError),
    }),
  ),
  /** The last problem met while driving this entry (kept for the operator; the entry may still be open). */
  error: Type.Optional(StepError),
  history: Type.Array(Type.Object({ step: PaymentStep, at: IsoTime })),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type JournalEntry = Static<typeof JournalEntry>;

export const JournalFile = Type.Object({
  format: Type.Literal(1),
  entries: Type.Array(JournalEntry),
  /** The newest receipt, kept apart so "reprint last receipt" works after the entry was compacted away. */
  lastReceipt: Type.Optional(SignedEnvelope(Receipt)),
});
export type JournalFile = Static<typeof JournalFile>;

/**
 * Final entries kept in full (for the page and the operator). Open entries are never dropped. lowdb
 * rewrites the whole file on every step, so the file must stay small: each kept entry is ~3 KB.
 */
export const KEEP_FINAL = 20;

export function isOpen(entry: JournalEntry): boolean {
  return !FINAL_STEPS.has(entry.step);
}

/**
 * The durable payment journal (lowdb on the durable adapter). A corrupt journal is refused, never
 * discarded: it may describe money that moved. Emits `change` after every durable write.
 */
export class PaymentJournal extends EventEmitter<{ change: [JournalEntry] }> {
  readonly #db: Low<JournalFile>;
  readonly #now: () => Date;

  private constructor(db: Low<JournalFile>, now: () => Date) {
    super();
    this.#db = db;
    this.#now = now;
  }

  static async open(file: string, now: () => Date = () => new Date()): Promise<PaymentJournal> {
    const db = await openDurableStore<JournalFile>(
      file,
      { format: 1, entries: [] },
      {
        corrupt: 'refuse',
        schema: JournalFile,
        repairHint:
          'The journal may describe money that moved: reconcile its payments with the control plane (admin payments view), then repair or move the file and restart.',
      },
    );
    return new PaymentJournal(db, now);
  }

  get(key: string): JournalEntry | undefined {
    return this.#db.data.entries.find((e) => e.key === key);
  }

  findByPaymentId(paymentId: string): JournalEntry | undefined {
    return this.#db.data.entries.find((e) => e.paymentId === paymentId);
  }

  list(): readonly JournalEntry[] {
    return this.#db.data.entries;
  }

  open(): JournalEntry[] {
    return this.#db.data.entries.filter(isOpen);
  }

  get lastReceipt(): JournalFile['lastReceipt'] {
    return this.#db.data.lastReceipt;
  }

  /** Records a new payment intent durably; resolves only once it is on disk. */
  async begin(entry: Pick<JournalEntry, 'key' | 'bill' | 'request'>): Promise<JournalEntry> {
    const at = this.#now().toISOString();
    const full: JournalEntry = {
      ...entry,
      step: 'intent',
      history: [{ step: 'intent', at }],
      createdAt: at,
      updatedAt: at,
    };
    this.#db.data.entries.push(full);
    this.#compact();
    await this.#db.write();
    this.emit('change', full);
    return full;
  }

  /** Moves an entry to `step` with the given fields, durably. Returns the updated entry. */
  async record(
    key: string,
    step: PaymentStep,
    fields: Partial<Omit<JournalEntry, 'key' | 'step' | 'history' | 'createdAt' | 'updatedAt'>> = {},
  ): Promise<JournalEntry> {
    const entry = this.get(key);
    if (!entry) throw new Error(`journal has no entry ${key}`);
    const at = this.#now().toISOString();
    Object.assign(entry, fields, { updatedAt: at });
    if (entry.step !== step) {
      entry.step = step;
      entry.history.push({ step, at });
      // An error belongs to the step that met it; moving on clears it.
      if (!fields.error) delete entry.error;
    }
    if (fields.receipt) this.#db.data.lastReceipt = fields.receipt;
    await this.#db.write();
    this.emit('change', entry);
    return entry;
  }

  /** Notes a problem without changing the step (e.g. the server was unreachable; retried later). */
  async note(key: string, error: { code: string; message: string }): Promise<void> {
    await this.record(key, this.get(key)!.step, { error });
  }

  /** Keeps every open entry and the newest KEEP_FINAL final ones; the control plane keeps the rest. */
  #compact(): void {
    const finals = this.#db.data.entries.filter((e) => !isOpen(e));
    if (finals.length <= KEEP_FINAL) return;
    const drop = new Set(finals.slice(0, finals.length - KEEP_FINAL));
    this.#db.data.entries = this.#db.data.entries.filter((e) => !drop.has(e));
  }
}
