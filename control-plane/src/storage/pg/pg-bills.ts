import type { Bill, BillerId } from '../../../../protocol/schemas/bill.js';
import type { Signed } from '../../../../protocol/schemas/common.js';
import type { Receipt } from '../../../../protocol/schemas/receipt.js';
import type { BillRecord, ReceiptRecord } from '../records.js';
import type { BillRepository, ReceiptRepository } from '../repository.js';
import type { PgDatabase } from './pg-database.js';
import { readJson } from './pg-payments.js';

interface BillRow {
  id: string;
  device_id: string;
  biller_id: BillerId;
  account: string;
  biller_bill_ref: string;
  amount_fen: number;
  period: string;
  community_id: string;
  issued_at: number;
  expires_at: number;
  envelope: unknown;
}

/** Bills as the biller issued them (the signed envelope kept as it was signed). */
export class PgBills implements BillRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async create(b: BillRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO bills (id, device_id, biller_id, account, biller_bill_ref, amount_fen, period, community_id,
                          issued_at, expires_at, envelope)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        b.id,
        b.deviceId,
        b.billerId,
        b.account,
        b.billerBillRef,
        b.amountFen,
        b.period,
        b.communityId,
        b.issuedAt,
        b.expiresAt,
        JSON.stringify(b.envelope),
      ],
    );
  }

  async get(id: string): Promise<BillRecord | undefined> {
    const r = (await this.#db.query<BillRow>('SELECT * FROM bills WHERE id = $1', [id])).rows[0];
    if (!r) return undefined;
    return {
      id: r.id,
      deviceId: r.device_id,
      billerId: r.biller_id,
      account: r.account,
      billerBillRef: r.biller_bill_ref,
      amountFen: r.amount_fen,
      period: r.period,
      communityId: r.community_id,
      issuedAt: r.issued_at,
      expiresAt: r.expires_at,
      envelope: readJson<Signed<Bill>>(r.envelope),
    };
  }
}

interface ReceiptRow {
  id: string;
  payment_id: string;
  envelope: unknown;
  created_at: number;
}

function toReceipt(r: ReceiptRow): ReceiptRecord {
  return {
    id: r.id,
    paymentId: r.payment_id,
    envelope: readJson<Signed<Receipt>>(r.envelope),
    createdAt: r.created_at,
  };
}

/** Receipts are written by PgPayments.transition (with the `receipted` step); this only reads. */
export class PgReceipts implements ReceiptRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async get(id: string): Promise<ReceiptRecord | undefined> {
    const r = (await this.#db.query<ReceiptRow>('SELECT * FROM receipts WHERE id = $1', [id])).rows[0];
    return r ? toReceipt(r) : undefined;
  }

  async getByPayment(paymentId: string): Promise<ReceiptRecord | undefined> {
    const r = (await this.#db.query<ReceiptRow>('SELECT * FROM receipts WHERE payment_id = $1', [paymentId]))
      .rows[0];
    return r ? toReceipt(r) : undefined;
  }
}
