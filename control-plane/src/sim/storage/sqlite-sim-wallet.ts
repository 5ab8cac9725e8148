import type { Database } from 'better-sqlite3';
import type { GroupCommit } from '../../storage/sqlite/group-commit.js';
import type { SimOutboxRecord, SimWalletOrder, SimWalletStatus } from '../sim-records.js';
import type { SimWalletLedger } from '../sim-store.js';

interface OrderRow {
  order_id: string;
  out_trade_no: string;
  amount_fen: number;
  description: string;
  notify_url: string;
  status: SimWalletStatus;
  transaction_id: string | null;
  settled: number;
  refunded_fen: number;
  created_at: number;
  expires_at: number;
  paid_at: number | null;
}

const toOrder = (r: OrderRow): SimWalletOrder => ({
  orderId: r.order_id,
  outTradeNo: r.out_trade_no,
  amountFen: r.amount_fen,
  description: r.description,
  notifyUrl: r.notify_url,
  status: r.status,
  transactionId: r.transaction_id,
  settled: r.settled === 1,
  refundedFen: r.refunded_fen,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  paidAt: r.paid_at,
});

const COLUMNS: Record<string, string> = {
  status: 'status',
  transactionId: 'transaction_id',
  settled: 'settled',
  refundedFen: 'refunded_fen',
  paidAt: 'paid_at',
  expiresAt: 'expires_at',
};

interface OutboxRow {
  event_id: string;
  order_id: string;
  body: string;
  attempts: number;
  next_at: number;
  delivered_at: number | null;
}

/** The simulated wallet provider's order book and notification outbox. */
export class SqliteSimWallet implements SimWalletLedger {
  readonly #db: Database;
  readonly #commit: GroupCommit;

  constructor(db: Database, commit: GroupCommit) {
    this.#db = db;
    this.#commit = commit;
  }

  createOrder(o: SimWalletOrder): Promise<SimWalletOrder> {
    return this.#commit.run(() => {
      const existing = this.#db
        .prepare('SELECT * FROM sim_wallet_orders WHERE out_trade_no = ?')
        .get(o.outTradeNo) as OrderRow | undefined;
      if (existing) return toOrder(existing);
      this.#db
        .prepare(
          `INSERT INTO sim_wallet_orders (order_id, out_trade_no, amount_fen, description, notify_url, status,
             transaction_id, settled, refunded_fen, created_at, expires_at, paid_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          o.orderId,
          o.outTradeNo,
          o.amountFen,
          o.description,
          o.notifyUrl,
          o.status,
          o.transactionId,
          o.settled ? 1 : 0,
          o.refundedFen,
          o.createdAt,
          o.expiresAt,
          o.paidAt,
        );
      return o;
    });
  }

  async getOrder(orderId: string): Promise<SimWalletOrder | undefined> {
    const r = this.#db.prepare('SELECT * FROM sim_wallet_orders WHERE order_id = ?').get(orderId) as
      | OrderRow
      | undefined;
    return r ? toOrder(r) : undefined;
  }

  async findByOutTradeNo(outTradeNo: string): Promise<SimWalletOrder | undefined> {
    const r = this.#db.prepare('SELECT * FROM sim_wallet_orders WHERE out_trade_no = ?').get(outTradeNo) as
      | OrderRow
      | undefined;
    return r ? toOrder(r) : undefined;
  }

  updateOrder(
    orderId: string,
    from: readonly SimWalletStatus[],
    patch: Partial<SimWalletOrder>,
  ): Promise<{ changed: boolean; order: SimWalletOrder | undefined }> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [k, col] of Object.entries(COLUMNS)) {
      const v = (patch as Record<string, unknown>)[k];
      if (v === undefined) continue;
      sets.push(`${col} = ?`);
      params.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    }
    return this.#commit.run(() => {
      const changed =
        sets.length > 0 &&
        this.#db
          .prepare(
            `UPDATE sim_wallet_orders SET ${sets.join(', ')} WHERE order_id = ? AND status IN (${from
              .map(() => '?')
              .join(',')})`,
          )
          .run(...params, orderId, ...from).changes === 1;
      const r = this.#db.prepare('SELECT * FROM sim_wallet_orders WHERE order_id = ?').get(orderId) as
        | OrderRow
        | undefined;
      return { changed, order: r ? toOrder(r) : undefined };
    });
  }

  async enqueue(r: SimOutboxRecord): Promise<void> {
    await this.#commit.run(() =>
      this.#db
        .prepare(
          'INSERT OR IGNORE INTO sim_wallet_outbox (event_id, order_id, body, attempts, next_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(r.eventId, r.orderId, r.body, r.attempts, r.nextAt, r.deliveredAt),
    );
  }

  async due(now: number, limit: number): Promise<SimOutboxRecord[]> {
    const rows = this.#db
      .prepare(
        'SELECT * FROM sim_wallet_outbox WHERE delivered_at IS NULL AND next_at <= ? ORDER BY next_at LIMIT ?',
      )
      .all(now, limit) as OutboxRow[];
    return rows.map((r) => ({
      eventId: r.event_id,
      orderId: r.order_id,
      body: r.body,
      attempts: r.attempts,
      nextAt: r.next_at,
      deliveredAt: r.delivered_at,
    }));
  }

  async markAttempt(eventId: string, nextAt: number, deliveredAt: number | null): Promise<void> {
    await this.#commit.run(() =>
      this.#db
        .prepare(
          'UPDATE sim_wallet_outbox SET attempts = attempts + 1, next_at = ?, delivered_at = ? WHERE event_id = ?',
        )
        .run(nextAt, deliveredAt, eventId),
    );
  }

  signingKey(candidate: string): Promise<string> {
    return this.#commit.run(() => {
      this.#db.prepare('INSERT OR IGNORE INTO sim_wallet_key (id, pem) VALUES (1, ?)').run(candidate);
      return (this.#db.prepare('SELECT pem FROM sim_wallet_key WHERE id = 1').get() as { pem: string }).pem;
    });
  }
}
