import type { Database } from 'better-sqlite3';
import type { BillerId } from '../../../../protocol/schemas/bill.js';
import { openDatabaseFile } from '../../storage/sqlite/database.js';
import { GroupCommit } from '../../storage/sqlite/group-commit.js';
import { type MigrationReport, migrate } from '../../storage/sqlite/migrate.js';
import type { SimGatewayEntry, SimGatewayOp, SimPostingRecord, SimRefundRecord } from '../sim-records.js';
import type { SimStore } from '../sim-store.js';
import { SIM_MIGRATIONS } from './sim-migrations.js';
import { SqliteSimWallet } from './sqlite-sim-wallet.js';

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

interface RefundRow {
  refund_id: string;
  payment_id: string;
  rail: 'card' | 'wallet';
  amount_fen: number;
  at: number;
}
const toRefund = (r: RefundRow): SimRefundRecord => ({
  refundId: r.refund_id,
  paymentId: r.payment_id,
  rail: r.rail,
  amountFen: r.amount_fen,
  at: r.at,
});

/**
 * The simulators' ledgers in their own SQLite file (default `<dataDir>/simulators.sqlite`, config
 * `simLedgerFile`), never the control plane's store: they stand for other companies' systems, so each write is
 * its own commit in another database and a crash between "the biller took it" and "we recorded that" is
 * simulated faithfully. Several control-plane processes may open one file (WAL, busy timeout): every insert is
 * idempotent on the simulator's own key, so they share one biller, acquirer and wallet.
 */
export class SqliteSimStore implements SimStore {
  readonly db: Database;
  readonly file: string;
  readonly migrations: MigrationReport;
  readonly #db: Database;
  readonly #commit: GroupCommit;
  readonly wallet: SqliteSimWallet;

  private constructor(db: Database, file: string, migrations: MigrationReport) {
    this.db = db;
    this.#db = db;
    this.file = file;
    this.migrations = migrations;
    this.#commit = new GroupCommit(db);
    this.wallet = new SqliteSimWallet(db, this.#commit);
  }

  static open(file: string): SqliteSimStore {
    const db = openDatabaseFile(file, 'simLedgerFile');
    try {
      return new SqliteSimStore(db, file, migrate(db, SIM_MIGRATIONS));
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  async findPosting(paymentId: string): Promise<SimPostingRecord | undefined> {
    const r = this.#db.prepare('SELECT * FROM sim_biller_postings WHERE payment_id = ?').get(paymentId);
    return r ? toPosting(r as PostingRow) : undefined;
  }

  async findPostingByBillRef(billRef: string): Promise<SimPostingRecord | undefined> {
    const r = this.#db.prepare('SELECT * FROM sim_biller_postings WHERE bill_ref = ?').get(billRef);
    return r ? toPosting(r as PostingRow) : undefined;
  }

  insertPosting(p: SimPostingRecord): Promise<SimPostingRecord> {
    return this.#commit.run(() => {
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
    });
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

  insertGatewayEntry(e: SimGatewayEntry): Promise<SimGatewayEntry> {
    return this.#commit.run(() => {
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
    });
  }

  async listPostings(from: number, to: number): Promise<SimPostingRecord[]> {
    const rows = this.#db
      .prepare('SELECT * FROM sim_biller_postings WHERE posted_at >= ? AND posted_at < ? ORDER BY posted_at')
      .all(from, to) as PostingRow[];
    return rows.map(toPosting);
  }

  async listGatewayEntries(from: number, to: number): Promise<SimGatewayEntry[]> {
    const rows = this.#db
      .prepare('SELECT * FROM sim_gateway_ledger WHERE at >= ? AND at < ? ORDER BY seq')
      .all(from, to) as EntryRow[];
    return rows.map(toEntry);
  }

  insertRefund(r: SimRefundRecord): Promise<SimRefundRecord> {
    return this.#commit.run(() => {
      const existing = this.#db
        .prepare('SELECT * FROM sim_gateway_refunds WHERE refund_id = ?')
        .get(r.refundId) as RefundRow | undefined;
      if (existing) return toRefund(existing);
      this.#db
        .prepare(
          'INSERT INTO sim_gateway_refunds (refund_id, payment_id, rail, amount_fen, at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(r.refundId, r.paymentId, r.rail, r.amountFen, r.at);
      return r;
    });
  }

  async refundsFor(paymentId: string): Promise<SimRefundRecord[]> {
    const rows = this.#db
      .prepare('SELECT * FROM sim_gateway_refunds WHERE payment_id = ? ORDER BY at')
      .all(paymentId) as RefundRow[];
    return rows.map(toRefund);
  }
}
