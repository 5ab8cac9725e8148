import type pg from 'pg';
import type { PaymentState } from '../../../../protocol/schemas/payment.js';
import type { IdempotencyRecord, PaymentRecord, PaymentTransitionRecord } from '../records.js';
import type {
  CreatePaymentResult,
  PaymentFilter,
  PaymentListItem,
  PaymentRepository,
  TransitionInput,
} from '../repository.js';
import { type PaymentRow, toPaymentRecord } from '../sqlite/sqlite-payments.js';
import { isPgUniqueViolation, type PgDatabase } from './pg-database.js';

/**
 * A JSON column as stored: JSONB comes back parsed, TEXT as a string. Every JSON value these tables hold is
 * an object (envelopes, response bodies, audit details), so a string always means "not parsed yet".
 */
export function readJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

export const PG_AUDIT =
  'INSERT INTO payment_transitions (payment_id, from_state, to_state, at, actor, detail) VALUES ($1, $2, $3, $4, $5, $6)';

const PATCH_COLUMNS = {
  authCode: 'auth_code',
  maskedCard: 'masked_card',
  cardToken: 'card_token',
  terminalTxnId: 'terminal_txn_id',
  postingId: 'posting_id',
  captureId: 'capture_id',
  receiptId: 'receipt_id',
  walletOrderId: 'wallet_order_id',
  qrCodeUrl: 'qr_code_url',
  qrExpiresAt: 'qr_expires_at',
  refundedFen: 'refunded_fen',
  reason: 'reason',
} as const;

/** States in which a payment has claimed its bill: a second payment for the same bill must not proceed. */
const SETTLING: readonly PaymentState[] = [
  'authorized',
  'posted',
  'captured',
  'receipted',
  'closed',
  'refund_pending',
  'refunded',
];

const INSERT_PAYMENT = `INSERT INTO payments (id, device_id, bill_id, idempotency_key, biller_id, biller_bill_ref,
    account_masked, amount_fen, method, state, auth_code, masked_card, card_token, terminal_txn_id, posting_id,
    capture_id, receipt_id, wallet_order_id, qr_code_url, qr_expires_at, refunded_fen, reason, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
  ON CONFLICT (device_id, idempotency_key) DO NOTHING`;

/** Thrown inside the transaction to roll it back when a concurrent create already holds the key. */
const KEY_TAKEN = Symbol('key taken');

/**
 * Payments on PostgreSQL. Several control-plane processes write at once, so every guarantee the SQLite
 * sibling gets from its single writer is a constraint or a row condition here: the (device, key) unique
 * index decides idempotent creates, and a transition is an UPDATE guarded by the expected state (READ
 * COMMITTED re-checks the guard on the newest row version after waiting for a concurrent writer).
 */
export class PgPayments implements PaymentRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async count(): Promise<number> {
    return (await this.#db.query<{ n: number }>('SELECT COUNT(*) AS n FROM payments')).rows[0]!.n;
  }

  async get(id: string): Promise<PaymentRecord | undefined> {
    const row = (await this.#db.query<PaymentRow>('SELECT * FROM payments WHERE id = $1', [id])).rows[0];
    return row ? toPaymentRecord(row) : undefined;
  }

  async findIdempotency(deviceId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const r = (
      await this.#db.query<{
        device_id: string;
        key: string;
        request_hash: string;
        payment_id: string;
        status_code: number;
        response: unknown;
        created_at: number;
      }>('SELECT * FROM idempotency_records WHERE device_id = $1 AND key = $2', [deviceId, key])
    ).rows[0];
    if (!r) return undefined;
    return {
      deviceId: r.device_id,
      key: r.key,
      requestHash: r.request_hash,
      paymentId: r.payment_id,
      statusCode: r.status_code,
      response: readJson<unknown>(r.response),
      createdAt: r.created_at,
    };
  }

  async createWithIdempotency(
    p: PaymentRecord,
    idem: IdempotencyRecord,
    actor: string,
  ): Promise<CreatePaymentResult> {
    try {
      await this.#db.tx(async (c) => {
        // ON CONFLICT waits for a concurrent insert of the same key to commit or abort, then skips or goes on.
        const inserted = await c.query(INSERT_PAYMENT, [
          p.id,
          p.deviceId,
          p.billId,
          p.idempotencyKey,
          p.billerId,
          p.billerBillRef,
          p.accountMasked,
          p.amountFen,
          p.method,
          p.state,
          p.authCode,
          p.maskedCard,
          p.cardToken,
          p.terminalTxnId,
          p.postingId,
          p.captureId,
          p.receiptId,
          p.walletOrderId,
          p.qrCodeUrl,
          p.qrExpiresAt,
          p.refundedFen,
          p.reason,
          p.createdAt,
          p.updatedAt,
        ]);
        if (inserted.rowCount !== 1) throw KEY_TAKEN;
        await c.query(PG_AUDIT, [p.id, null, p.state, p.createdAt, actor, null]);
        const idemRow = await c.query(
          `INSERT INTO idempotency_records (device_id, key, request_hash, payment_id, status_code, response, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (device_id, key) DO NOTHING`,
          [
            idem.deviceId,
            idem.key,
            idem.requestHash,
            idem.paymentId,
            idem.statusCode,
            JSON.stringify(idem.response),
            idem.createdAt,
          ],
        );
        if (idemRow.rowCount !== 1) throw KEY_TAKEN;
      });
      return { created: true, payment: p };
    } catch (err) {
      if (err !== KEY_TAKEN && !isPgUniqueViolation(err)) throw err;
      const existing = await this.findIdempotency(idem.deviceId, idem.key);
      if (!existing) {
        if (err !== KEY_TAKEN) throw err;
        throw new Error(
          `payment ${p.id}: the key ${idem.key} is taken but its idempotency record is missing`,
        );
      }
      return { created: false, existing };
    }
  }

  async transition(t: TransitionInput): Promise<PaymentRecord | undefined> {
    const sets = ['state = $3', 'updated_at = $4'];
    const params: unknown[] = [t.paymentId, t.from, t.to, t.at];
    for (const [field, column] of Object.entries(PATCH_COLUMNS)) {
      const v = t.patch?.[field as keyof typeof PATCH_COLUMNS];
      if (v !== undefined) {
        params.push(v);
        sets.push(`${column} = $${params.length}`);
      }
    }
    const sql = `UPDATE payments SET ${sets.join(', ')} WHERE id = $1 AND state = $2 RETURNING *`;
    return this.#db.tx(async (c) => {
      const moved = await c.query<PaymentRow>(sql, params);
      const row = moved.rows[0];
      if (moved.rowCount !== 1 || !row) return undefined;
      if (t.receipt) {
        await c.query('INSERT INTO receipts (id, payment_id, envelope, created_at) VALUES ($1, $2, $3, $4)', [
          t.receipt.id,
          t.receipt.paymentId,
          JSON.stringify(t.receipt.envelope),
          t.receipt.createdAt,
        ]);
      }
      await c.query(PG_AUDIT, [
        t.paymentId,
        t.from,
        t.to,
        t.at,
        t.actor,
        t.detail === undefined ? null : JSON.stringify(t.detail),
      ]);
      return toPaymentRecord(row);
    });
  }

  async listTransitions(paymentId: string): Promise<PaymentTransitionRecord[]> {
    const rows = (
      await this.#db.query<{
        payment_id: string;
        from_state: PaymentState | null;
        to_state: PaymentState;
        at: number;
        actor: string;
        detail: unknown;
      }>('SELECT * FROM payment_transitions WHERE payment_id = $1 ORDER BY seq', [paymentId])
    ).rows;
    return rows.map((r) => ({
      paymentId: r.payment_id,
      from: r.from_state,
      to: r.to_state,
      at: r.at,
      actor: r.actor,
      detail: r.detail === null ? null : readJson<Record<string, unknown>>(r.detail),
    }));
  }

  async findSettlingForBillRef(ref: string, exceptPaymentId?: string): Promise<PaymentRecord | undefined> {
    const row = (
      await this.#db.query<PaymentRow>(
        `SELECT * FROM payments WHERE biller_bill_ref = $1 AND id <> $2 AND state = ANY($3::text[])
          ORDER BY created_at, id LIMIT 1`,
        [ref, exceptPaymentId ?? '', SETTLING],
      )
    ).rows[0];
    return row ? toPaymentRecord(row) : undefined;
  }

  async findByWalletOrder(walletOrderId: string): Promise<PaymentRecord | undefined> {
    const row = (
      await this.#db.query<PaymentRow>('SELECT * FROM payments WHERE wallet_order_id = $1', [walletOrderId])
    ).rows[0];
    return row ? toPaymentRecord(row) : undefined;
  }

  async listInStates(
    states: readonly PaymentState[],
    updatedBefore: number,
    limit: number,
    updatedAfter = 0,
  ): Promise<PaymentRecord[]> {
    if (states.length === 0) return [];
    const rows = (
      await this.#db.query<PaymentRow>(
        `SELECT * FROM payments WHERE state = ANY($1::text[]) AND updated_at < $2 AND updated_at >= $3
          ORDER BY updated_at, id LIMIT $4`,
        [states, updatedBefore, updatedAfter, limit],
      )
    ).rows;
    return rows.map(toPaymentRecord);
  }

  async listForCommunities(f: PaymentFilter): Promise<PaymentListItem[]> {
    if (f.communityIds.length === 0) return [];
    const params: unknown[] = [f.communityIds];
    const where = ['b.community_id = ANY($1::text[])'];
    const add = (cond: string, v: unknown) => {
      params.push(v);
      where.push(`${cond} $${params.length}`);
    };
    if (f.from !== undefined) add('p.created_at >=', f.from);
    if (f.to !== undefined) add('p.created_at <', f.to);
    if (f.state) add('p.state =', f.state);
    params.push(f.limit);
    const rows = (
      await this.#db.query<PaymentRow & { b_community: string; b_period: string; b_account: string }>(
        `SELECT p.*, b.community_id AS b_community, b.period AS b_period, b.account AS b_account
           FROM payments p JOIN bills b ON b.id = p.bill_id
          WHERE ${where.join(' AND ')} ORDER BY p.created_at, p.id LIMIT $${params.length}`,
        params,
      )
    ).rows;
    return rows.map((r) => ({
      payment: toPaymentRecord(r),
      communityId: r.b_community,
      period: r.b_period,
      account: r.b_account,
    }));
  }
}

/** The payment row a transaction just read or wrote, as a record. */
export function firstPayment(res: pg.QueryResult<PaymentRow>): PaymentRecord | undefined {
  const row = res.rows[0];
  return row ? toPaymentRecord(row) : undefined;
}
