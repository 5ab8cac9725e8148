import type { Database, Statement } from 'better-sqlite3';
import type { BillerId } from '../../../../protocol/schemas/bill.js';
import type { PaymentMethod, PaymentState } from '../../../../protocol/schemas/payment.js';
import type { IdempotencyRecord, PaymentRecord, PaymentTransitionRecord } from '../records.js';
import type {
  CreatePaymentResult,
  PaymentFilter,
  PaymentListItem,
  PaymentRepository,
  TransitionInput,
} from '../repository.js';
import type { GroupCommit } from './group-commit.js';
import { fromJson, isUniqueViolation, toJson } from './rows.js';
import { prepared } from './statements.js';

export interface PaymentRow {
  id: string;
  device_id: string;
  bill_id: string;
  idempotency_key: string;
  biller_id: BillerId;
  biller_bill_ref: string;
  account_masked: string;
  amount_fen: number;
  method: PaymentMethod;
  state: PaymentState;
  auth_code: string | null;
  masked_card: string | null;
  card_token: string | null;
  terminal_txn_id: string | null;
  posting_id: string | null;
  capture_id: string | null;
  receipt_id: string | null;
  wallet_order_id: string | null;
  qr_code_url: string | null;
  qr_expires_at: number | null;
  refunded_fen: number;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

export function toPaymentRecord(r: PaymentRow): PaymentRecord {
  return {
    id: r.id,
    deviceId: r.device_id,
    billId: r.bill_id,
    idempotencyKey: r.idempotency_key,
    billerId: r.biller_id,
    billerBillRef: r.biller_bill_ref,
    accountMasked: r.account_masked,
    amountFen: r.amount_fen,
    method: r.method,
    state: r.state,
    authCode: r.auth_code,
    maskedCard: r.masked_card,
    cardToken: r.card_token,
    terminalTxnId: r.terminal_txn_id,
    postingId: r.posting_id,
    captureId: r.capture_id,
    receiptId: r.receipt_id,
    walletOrderId: r.wallet_order_id,
    qrCodeUrl: r.qr_code_url,
    qrExpiresAt: r.qr_expires_at,
    refundedFen: r.refunded_fen,
    reason: r.reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

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

export class SqlitePayments implements PaymentRepository {
  readonly #db: Database;
  readonly #commit: GroupCommit;
  readonly #get: Statement<[string], PaymentRow>;
  readonly #audit: Statement;
  readonly #insert: Statement;
  readonly #insertIdem: Statement;
  /** One prepared UPDATE per set of patched columns (a handful exist). */
  readonly #updates = new Map<string, Statement>();
  readonly #insertReceipt: Statement;

  constructor(db: Database, commit: GroupCommit) {
    this.#db = db;
    this.#commit = commit;
    this.#get = db.prepare('SELECT * FROM payments WHERE id = ?');
    this.#audit = db.prepare(
      'INSERT INTO payment_transitions (payment_id, from_state, to_state, at, actor, detail) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#insert = db.prepare(
      `INSERT INTO payments (id, device_id, bill_id, idempotency_key, biller_id, biller_bill_ref, account_masked,
         amount_fen, method, state, auth_code, masked_card, card_token, terminal_txn_id, posting_id, capture_id,
         receipt_id, wallet_order_id, qr_code_url, qr_expires_at, refunded_fen, reason, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertReceipt = db.prepare(
      'INSERT INTO receipts (id, payment_id, envelope, created_at) VALUES (?, ?, ?, ?)',
    );
    this.#insertIdem = db.prepare(
      `INSERT INTO idempotency_records (device_id, key, request_hash, payment_id, status_code, response, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  async count(): Promise<number> {
    return (prepared(this.#db, 'SELECT COUNT(*) AS n FROM payments').get() as { n: number }).n;
  }

  async get(id: string): Promise<PaymentRecord | undefined> {
    const row = this.#get.get(id);
    return row ? toPaymentRecord(row) : undefined;
  }

  async findIdempotency(deviceId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const r = prepared(this.#db, 'SELECT * FROM idempotency_records WHERE device_id = ? AND key = ?').get(
      deviceId,
      key,
    ) as
      | {
          device_id: string;
          key: string;
          request_hash: string;
          payment_id: string;
          status_code: number;
          response: string;
          created_at: number;
        }
      | undefined;
    if (!r) return undefined;
    return {
      deviceId: r.device_id,
      key: r.key,
      requestHash: r.request_hash,
      paymentId: r.payment_id,
      statusCode: r.status_code,
      response: JSON.parse(r.response) as unknown,
      createdAt: r.created_at,
    };
  }

  async createWithIdempotency(
    p: PaymentRecord,
    idem: IdempotencyRecord,
    actor: string,
  ): Promise<CreatePaymentResult> {
    try {
      await this.#commit.run(() => {
        this.#insert.run(
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
        );
        this.#audit.run(p.id, null, p.state, p.createdAt, actor, null);
        this.#insertIdem.run(
          idem.deviceId,
          idem.key,
          idem.requestHash,
          idem.paymentId,
          idem.statusCode,
          JSON.stringify(idem.response),
          idem.createdAt,
        );
      });
      return { created: true, payment: p };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const existing = await this.findIdempotency(idem.deviceId, idem.key);
      if (!existing) throw err;
      return { created: false, existing };
    }
  }

  async transition(t: TransitionInput): Promise<PaymentRecord | undefined> {
    const sets = ['state = @to', 'updated_at = @at'];
    const params: Record<string, unknown> = { id: t.paymentId, from: t.from, to: t.to, at: t.at };
    for (const [field, column] of Object.entries(PATCH_COLUMNS)) {
      const v = t.patch?.[field as keyof typeof PATCH_COLUMNS];
      if (v !== undefined) {
        sets.push(`${column} = @${field}`);
        params[field] = v;
      }
    }
    const sql = `UPDATE payments SET ${sets.join(', ')} WHERE id = @id AND state = @from`;
    let update = this.#updates.get(sql);
    if (!update) {
      update = prepared(this.#db, sql);
      this.#updates.set(sql, update);
    }
    return this.#commit.run(() => {
      if (update.run(params).changes !== 1) return undefined;
      if (t.receipt) {
        this.#insertReceipt.run(
          t.receipt.id,
          t.receipt.paymentId,
          JSON.stringify(t.receipt.envelope),
          t.receipt.createdAt,
        );
      }
      this.#audit.run(t.paymentId, t.from, t.to, t.at, t.actor, toJson(t.detail));
      const row = this.#get.get(t.paymentId);
      return row ? toPaymentRecord(row) : undefined;
    });
  }

  async listTransitions(paymentId: string): Promise<PaymentTransitionRecord[]> {
    const rows = prepared(
      this.#db,
      'SELECT * FROM payment_transitions WHERE payment_id = ? ORDER BY seq',
    ).all(paymentId) as {
      payment_id: string;
      from_state: PaymentState | null;
      to_state: PaymentState;
      at: number;
      actor: string;
      detail: string | null;
    }[];
    return rows.map((r) => ({
      paymentId: r.payment_id,
      from: r.from_state,
      to: r.to_state,
      at: r.at,
      actor: r.actor,
      detail: fromJson<Record<string, unknown>>(r.detail),
    }));
  }

  async findSettlingForBillRef(ref: string, exceptPaymentId?: string): Promise<PaymentRecord | undefined> {
    const row = prepared(
      this.#db,
      `SELECT * FROM payments WHERE biller_bill_ref = ? AND id != ?
           AND state IN (${SETTLING.map(() => '?').join(',')}) ORDER BY created_at LIMIT 1`,
    ).get(ref, exceptPaymentId ?? '', ...SETTLING) as PaymentRow | undefined;
    return row ? toPaymentRecord(row) : undefined;
  }

  async findByWalletOrder(walletOrderId: string): Promise<PaymentRecord | undefined> {
    const row = prepared(this.#db, 'SELECT * FROM payments WHERE wallet_order_id = ?').get(walletOrderId) as
      | PaymentRow
      | undefined;
    return row ? toPaymentRecord(row) : undefined;
  }

  async listInStates(
    states: readonly PaymentState[],
    updatedBefore: number,
    limit: number,
    updatedAfter = 0,
  ): Promise<PaymentRecord[]> {
    if (states.length === 0) return [];
    const rows = prepared(
      this.#db,
      `SELECT * FROM payments WHERE state IN (${states.map(() => '?').join(',')}) AND updated_at < ?
           AND updated_at >= ? ORDER BY updated_at LIMIT ?`,
    ).all(...states, updatedBefore, updatedAfter, limit) as PaymentRow[];
    return rows.map(toPaymentRecord);
  }

  async listForCommunities(f: PaymentFilter): Promise<PaymentListItem[]> {
    if (f.communityIds.length === 0) return [];
    const where = [`b.community_id IN (${f.communityIds.map(() => '?').join(',')})`];
    const params: unknown[] = [...f.communityIds];
    if (f.from !== undefined) {
      where.push('p.created_at >= ?');
      params.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('p.created_at < ?');
      params.push(f.to);
    }
    if (f.state) {
      where.push('p.state = ?');
      params.push(f.state);
    }
    const rows = prepared(
      this.#db,
      `SELECT p.*, b.community_id AS b_community, b.period AS b_period, b.account AS b_account
           FROM payments p JOIN bills b ON b.id = p.bill_id
          WHERE ${where.join(' AND ')} ORDER BY p.created_at LIMIT ?`,
    ).all(...params, f.limit) as (PaymentRow & {
      b_community: string;
      b_period: string;
      b_account: string;
    })[];
    return rows.map((r) => ({
      payment: toPaymentRecord(r),
      communityId: r.b_community,
      period: r.b_period,
      account: r.b_account,
    }));
  }
}
