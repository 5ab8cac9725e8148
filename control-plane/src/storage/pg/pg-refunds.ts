import type { PaymentRecord, RefundRecord, RefundStateName } from '../records.js';
import type { CreateRefundResult, RefundRepository } from '../repository.js';
import type { PaymentRow } from '../sqlite/sqlite-payments.js';
import type { PgDatabase } from './pg-database.js';
import { firstPayment, PG_AUDIT } from './pg-payments.js';

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

const BY_KEY = 'SELECT * FROM payment_refunds WHERE created_by = $1 AND idempotency_key = $2';

/**
 * Refunds on PostgreSQL, each written together with the payment's state change and its audit row. The
 * payment's row lock (SELECT … FOR UPDATE) makes every refund of one payment take its turn across
 * processes, so the state check and the "pending + succeeded ≤ amount" sum are read after the previous
 * refund committed; the (created_by, key) unique index settles two requests with the same key.
 */
export class PgRefunds implements RefundRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async get(id: string): Promise<RefundRecord | undefined> {
    const r = (await this.#db.query<RefundRow>('SELECT * FROM payment_refunds WHERE id = $1', [id])).rows[0];
    return r ? toRefund(r) : undefined;
  }

  async findByKey(createdBy: string, key: string): Promise<RefundRecord | undefined> {
    const r = (await this.#db.query<RefundRow>(BY_KEY, [createdBy, key])).rows[0];
    return r ? toRefund(r) : undefined;
  }

  createPending(input: {
    refund: RefundRecord;
    from: PaymentRecord['state'];
    at: number;
    actor: string;
  }): Promise<CreateRefundResult | { created: false; reason: 'state' | 'too_large' }> {
    const { refund: f, from, at, actor } = input;
    return this.#db.tx(async (c) => {
      // Lock first: under READ COMMITTED every later statement then sees what the previous holder committed.
      const p = (await c.query<PaymentRow>('SELECT * FROM payments WHERE id = $1 FOR UPDATE', [f.paymentId]))
        .rows[0];
      const existing = (await c.query<RefundRow>(BY_KEY, [f.createdBy, f.idempotencyKey])).rows[0];
      if (existing) return { created: false as const, existing: toRefund(existing) };
      if (!p || p.state !== from) return { created: false as const, reason: 'state' as const };
      const { total } = (
        await c.query<{ total: number }>(
          'SELECT COALESCE(SUM(amount_fen), 0) AS total FROM payment_refunds WHERE payment_id = $1',
          [f.paymentId],
        )
      ).rows[0]!;
      if (total + f.amountFen > p.amount_fen)
        return { created: false as const, reason: 'too_large' as const };
      const inserted = await c.query(
        `INSERT INTO payment_refunds (id, payment_id, amount_fen, reason, state, idempotency_key, request_hash,
           created_by, created_at, completed_at, gateway_ref)
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, NULL, NULL)
         ON CONFLICT (created_by, idempotency_key) DO NOTHING`,
        [f.id, f.paymentId, f.amountFen, f.reason, f.idempotencyKey, f.requestHash, f.createdBy, f.createdAt],
      );
      if (inserted.rowCount !== 1) {
        // The same key for another payment, committed meanwhile (that payment's lock is not ours).
        const other = (await c.query<RefundRow>(BY_KEY, [f.createdBy, f.idempotencyKey])).rows[0];
        if (!other)
          throw new Error(`refund ${f.id}: key ${f.idempotencyKey} conflicted but no refund holds it`);
        return { created: false as const, existing: toRefund(other) };
      }
      await c.query("UPDATE payments SET state = 'refund_pending', updated_at = $2 WHERE id = $1", [
        f.paymentId,
        at,
      ]);
      await c.query(PG_AUDIT, [
        f.paymentId,
        from,
        'refund_pending',
        at,
        actor,
        JSON.stringify({ refundId: f.id, amountFen: f.amountFen, reason: f.reason }),
      ]);
      return { created: true as const, refund: f };
    });
  }

  complete(refundId: string, gatewayRef: string, at: number): Promise<PaymentRecord | undefined> {
    return this.#db.tx(async (c) => {
      // Compare-and-set on the refund: of two completions at once, the second finds it succeeded already.
      const f = (
        await c.query<RefundRow>(
          `UPDATE payment_refunds SET state = 'succeeded', completed_at = $2, gateway_ref = $3
            WHERE id = $1 AND state = 'pending' RETURNING *`,
          [refundId, at, gatewayRef],
        )
      ).rows[0];
      if (!f) return undefined;
      const moved = firstPayment(
        await c.query<PaymentRow>(
          `UPDATE payments SET state = 'refunded', refunded_fen = refunded_fen + $2, updated_at = $3
            WHERE id = $1 AND state = 'refund_pending' RETURNING *`,
          [f.payment_id, f.amount_fen, at],
        ),
      );
      if (!moved) throw new Error(`payment ${f.payment_id} is not refund_pending`);
      await c.query(PG_AUDIT, [
        f.payment_id,
        'refund_pending',
        'refunded',
        at,
        'system',
        JSON.stringify({ refundId, amountFen: f.amount_fen, gatewayRef }),
      ]);
      return moved;
    });
  }

  async listForPayment(paymentId: string): Promise<RefundRecord[]> {
    const rows = (
      await this.#db.query<RefundRow>(
        'SELECT * FROM payment_refunds WHERE payment_id = $1 ORDER BY created_at, id',
        [paymentId],
      )
    ).rows;
    return rows.map(toRefund);
  }

  async listPending(limit: number): Promise<RefundRecord[]> {
    const rows = (
      await this.#db.query<RefundRow>(
        "SELECT * FROM payment_refunds WHERE state = 'pending' ORDER BY created_at, id LIMIT $1",
        [limit],
      )
    ).rows;
    return rows.map(toRefund);
  }
}
