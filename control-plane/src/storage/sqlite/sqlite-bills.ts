import type { Database, Statement } from 'better-sqlite3';
import type { Bill, BillerId } from '../../../../protocol/schemas/bill.js';
import type { Signed } from '../../../../protocol/schemas/common.js';
import type { Receipt } from '../../../../protocol/schemas/receipt.js';
import type { BillRecord, ReceiptRecord } from '../records.js';
import type { BillRepository, ReceiptRepository } from '../repository.js';
import type { GroupCommit } from './group-commit.js';
import { prepared } from './statements.js';

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
  envelope: string;
}

export class SqliteBills implements BillRepository {
  readonly #db: Database;
  readonly #commit: GroupCommit;
  readonly #get: Statement<[string], BillRow>;

  constructor(db: Database, commit: GroupCommit) {
    this.#db = db;
    this.#commit = commit;
    this.#get = db.prepare('SELECT * FROM bills WHERE id = ?');
  }

  async create(b: BillRecord): Promise<void> {
    await this.#commit.run(() =>
      prepared(
        this.#db,
        `INSERT INTO bills (id, device_id, biller_id, account, biller_bill_ref, amount_fen, period, community_id,
                            issued_at, expires_at, envelope)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
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
      ),
    );
  }

  async get(id: string): Promise<BillRecord | undefined> {
    const r = this.#get.get(id);
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
      envelope: JSON.parse(r.envelope) as Signed<Bill>,
    };
  }
}

interface ReceiptRow {
  id: string;
  payment_id: string;
  envelope: string;
  created_at: number;
}

function toReceipt(r: ReceiptRow): ReceiptRecord {
  return {
    id: r.id,
    paymentId: r.payment_id,
    envelope: JSON.parse(r.envelope) as Signed<Receipt>,
    createdAt: r.created_at,
  };
}

/** Receipts are written by the payment repository (with the `receipted` transition); this only reads. */
export class SqliteReceipts implements ReceiptRepository {
  readonly #get: Statement<[string], ReceiptRow>;
  readonly #byPayment: Statement<[string], ReceiptRow>;

  constructor(db: Database) {
    this.#get = db.prepare('SELECT * FROM receipts WHERE id = ?');
    this.#byPayment = db.prepare('SELECT * FROM receipts WHERE payment_id = ?');
  }

  async get(id: string): Promise<ReceiptRecord | undefined> {
    const r = this.#get.get(id);
    return r ? toReceipt(r) : undefined;
  }

  async getByPayment(paymentId: string): Promise<ReceiptRecord | undefined> {
    const r = this.#byPayment.get(paymentId);
    return r ? toReceipt(r) : undefined;
  }
}
