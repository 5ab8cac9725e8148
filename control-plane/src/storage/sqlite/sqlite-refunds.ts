import type { Database } from 'better-sqlite3';
import type { PaymentRecord, RefundRecord, RefundStateName } from '../records.js';
import type { CreateRefundResult, RefundRepository } from '../repository.js';
import type { GroupCommit } from './group-commit.js';
import { type PaymentRow, toPaymentRecord } from './sqlite-payments.js';
import { prepared } from './statements.js';

interface RefundRow {
  id: string;
  payment_id: string;
  amount_fen: number;
  reason: string;
  state: RefundStateName;
  idempotency_key: string;
  request_hash: string;
  created_by: string;
  created_at: number;
  completed_at: number | null;
  gateway_ref: string | null;
}

const toRefund = (r: RefundRow): RefundRecord => ({
  id: r.id,
  paymentId: r.payment_id,
  amountFen: r.amount_fen,
  reason: r.reason,
  state: r.state,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  createdBy: r.created_by,
  createdAt: r.created_at,
  completedAt: r.completed_at,
  gatewayRef: r.gateway_ref,
});

const AUDIT =
  'INSERT INTO payment_transitions (payment_id, from_state, to_state, at, actor, detail) VALUES (?, ?, ?, ?, ?, ?)';

/** Refunds, each written together with the payment's state change and its audit row. */
export class SqliteRefunds implements RefundRepository {
  readonly #db: Database;
  readonly #commit: GroupCommit;

  constructor(db: Database, commit: GroupCommit) {
    this.#db = db;
    this.#commit = commit;
  }

  async get(id: string): Promise<RefundRecord | undefined> {
    const r = prepared(this.#db, 'SELECT * FROM payment_refunds WHERE id = ?').get(id) as
      | RefundRow
      | undefined;
    return r ? toRefund(r) : undefined;
  }

  async findByKey(createdBy: string, key: string): Promise<RefundRecord | undefined> {
    const r = prepared(
      this.#db,
      'SELECT * FROM payment_refunds WHERE created_by = ? AND idempotency_key = ?',
    ).get(createdBy, key) as RefundRow | undefined;
    return r ? toRefund(r) : undefined;
  }

  createPending(input: {
    refund: RefundRecord;
    from: PaymentRecord['state'];
    at: number;
    actor: string;
  }): Promise<CreateRefundResult | { created: false; reason: 'state' | 'too_large' }> {
    const { refund: f, from, at, actor } = input;
    return this.#commit.run(() => {
      const existing = prepared(
        this.#db,
        'SELECT * FROM payment_refunds WHERE created_by = ? AND idempotency_key = ?',
      ).get(f.createdBy, f.idempotencyKey) as RefundRow | undefined;
      if (existing) return { created: false as const, existing: toRefund(existing) };
      const p = prepared(this.#db, 'SELECT * FROM payments WHERE id = ?').get(f.paymentId) as
        | PaymentRow
        | undefined;
      if (!p || p.state !== from) return { created: false as const, reason: 'state' as const };
      const { total } = prepared(
        this.#db,
        'SELECT COALESCE(SUM(amount_fen), 0) AS total FROM payment_refunds WHERE payment_id = ?',
      ).get(f.paymentId) as { total: number };
      if (total + f.amountFen > p.amount_fen)
        return { created: false as const, reason: 'too_large' as const };
      prepared(
        this.#db,
        `INSERT INTO payment_refunds (id, payment_id, amount_fen, reason, state, idempotency_key, request_hash,
             created_by, created_at, completed_at, gateway_ref) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, NULL, NULL)`,
      ).run(
        f.id,
        f.paymentId,
        f.amountFen,
        f.reason,
        f.idempotencyKey,
        f.requestHash,
        f.createdBy,
        f.createdAt,
      );
      prepared(this.#db, "UPDATE payments SET state = 'refund_pending', updated_at = ? WHERE id = ?").run(
        at,
        f.paymentId,
      );
      prepared(this.#db, AUDIT).run(
        f.paymentId,
        from,
        'refund_pending',
        at,
        actor,
        JSON.stringify({ refundId: f.id, amountFen: f.amountFen, reason: f.reason }),
      );
      return { created: true as const, refund: f };
    });
  }

  complete(refundId: string, gatewayRef: string, at: number): Promise<PaymentRecord | undefined> {
    return this.#commit.run(() => {
      const f = prepared(this.#db, 'SELECT * FROM payment_refunds WHERE id = ?').get(refundId) as
        | RefundRow
        | undefined;
      if (f?.state !== 'pending') return undefined;
      prepared(
        this.#db,
        "UPDATE payment_refunds SET state = 'succeeded', completed_at = ?, gateway_ref = ? WHERE id = ?",
      ).run(at, gatewayRef, refundId);
      const moved = prepared(
        this.#db,
        "UPDATE payments SET state = 'refunded', refunded_fen = refunded_fen + ?, updated_at = ? WHERE id = ? AND state = 'refund_pending'",
      ).run(f.amount_fen, at, f.payment_id);
      if (moved.changes !== 1) throw new Error(`payment ${f.payment_id} is not refund_pending`);
      prepared(this.#db, AUDIT).run(
        f.payment_id,
        'refund_pending',
        'refunded',
        at,
        'system',
        JSON.stringify({ refundId, amountFen: f.amount_fen, gatewayRef }),
      );
      const row = prepared(this.#db, 'SELECT * FROM payments WHERE id = ?').get(f.payment_id) as PaymentRow;
      return toPaymentRecord(row);
    });
  }

  async listForPayment(paymentId: string): Promise<RefundRecord[]> {
    const rows = prepared(
      this.#db,
      'SELECT * FROM payment_refunds WHERE payment_id = ? ORDER BY created_at',
    ).all(paymentId) as RefundRow[];
    return rows.map(toRefund);
  }

  async listPending(limit: number): Promise<RefundRecord[]> {
    const rows = prepared(
      this.#db,
      "SELECT * FROM payment_refunds WHERE state = 'pending' ORDER BY created_at LIMIT ?",
    ).all(limit) as RefundRow[];
    return rows.map(toRefund);
  }
}
