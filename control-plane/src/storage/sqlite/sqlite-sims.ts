import type { Database } from 'better-sqlite3';
import type { BillerId } from '../../../../protocol/schemas/bill.js';
import type { SimGatewayEntry, SimGatewayOp, SimPostingRecord } from '../records.js';
import type { SimLedgers } from '../repository.js';

interface PostingRow {
  payment_id: string;
  posting_id: string;
  biller_id: BillerId;
  account: string;
  bill_ref: string;
  amount_fen: number;
  posted_at: number;
}

interface EntryRow {
  payment_id: string;
  op: SimGatewayOp;
  reference: string;
  card_token: string | null;
  amount_fen: number;
  at: number;
}

const toPosting = (r: PostingRow): SimPostingRecord => ({
  paymentId: r.payment_id,
  postingId: r.posting_id,
  billerId: r.biller_id,
  account: r.account,
  billRef: r.bill_ref,
  amountFen: r.amount_fen,
  postedAt: r.posted_at,
});

const toEntry = (r: EntryRow): SimGatewayEntry => ({
  paymentId: r.payment_id,
  op: r.op,
  reference: r.reference,
  cardToken: r.card_token,
  amountFen: r.amount_fen,
  at: r.at,
});

export class SqliteSimLedgers implements SimLedgers {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async findPosting(paymentId: string): Promise<SimPostingRecord | undefined> {
    const r = this.#db.prepare('SELECT * FROM sim_biller_postings WHERE payment_id = ?').get(paymentId);
    return r ? toPosting(r as PostingRow) : undefined;
  }

  async findPostingByBillRef(billRef: string): Promise<SimPostingRecord | undefined> {
    const r = this.#db.prepare('SELECT * FROM sim_biller_postings WHERE bill_ref = ?').get(billRef);
    return r ? toPosting(r as PostingRow) : undefined;
  }

  async insertPosting(p: SimPostingRecord): Promise<SimPostingRecord> {
    return this.#db.transaction(() => {
      const existing = this.#db
        .prepare('SELECT * FROM sim_biller_postings WHERE payment_id = ? OR bill_ref = ? LIMIT 1')
        .get(p.paymentId, p.billRef) as PostingRow | undefined;
      if (existing) return toPosting(existing);
      this.#db
        .prepare(
          `INSERT INTO sim_biller_postings (payment_id, posting_id, biller_id, account, bill_ref, amount_fen, posted_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(p.paymentId, p.postingId, p.billerId, p.account, p.billRef, p.amountFen, p.postedAt);
      return p;
    })();
  }

  async listPostedBillRefs(billRefs: readonly string[]): Promise<string[]> {
    if (billRefs.length === 0) return [];
    const rows = this.#db
      .prepare(
        `SELECT bill_ref FROM sim_biller_postings WHERE bill_ref IN (${billRefs.map(() => '?').join(',')})`,
      )
      .all(...billRefs) as { bill_ref: string }[];
    return rows.map((r) => r.bill_ref);
  }

  async gatewayEntries(paymentId: string, op?: SimGatewayOp): Promise<SimGatewayEntry[]> {
    const rows = (
      op
        ? this.#db
            .prepare('SELECT * FROM sim_gateway_ledger WHERE payment_id = ? AND op = ? ORDER BY seq')
            .all(paymentId, op)
        : this.#db
            .prepare('SELECT * FROM sim_gateway_ledger WHERE payment_id = ? ORDER BY seq')
            .all(paymentId)
    ) as EntryRow[];
    return rows.map(toEntry);
  }

  async insertGatewayEntry(e: SimGatewayEntry): Promise<SimGatewayEntry> {
    return this.#db.transaction(() => {
      const existing = this.#db
        .prepare('SELECT * FROM sim_gateway_ledger WHERE payment_id = ? AND op = ? ORDER BY seq LIMIT 1')
        .get(e.paymentId, e.op) as EntryRow | undefined;
      if (existing) return toEntry(existing);
      this.#db
        .prepare(
          'INSERT INTO sim_gateway_ledger (payment_id, op, reference, card_token, amount_fen, at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(e.paymentId, e.op, e.reference, e.cardToken, e.amountFen, e.at);
      return e;
    })();
  }
}
