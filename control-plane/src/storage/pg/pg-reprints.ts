import type { ReprintRecord, ReprintStateName, WalletEventRecord } from '../records.js';
import type { ReprintRepository, WalletEventRepository } from '../repository.js';
import type { PgDatabase } from './pg-database.js';

interface ReprintRow {
  id: string;
  payment_id: string;
  receipt_id: string;
  device_id: string;
  state: ReprintStateName;
  error: string | null;
  created_by: string;
  created_at: number;
  done_at: number | null;
}

const toReprint = (r: ReprintRow): ReprintRecord => ({
  id: r.id,
  paymentId: r.payment_id,
  receiptId: r.receipt_id,
  deviceId: r.device_id,
  state: r.state,
  error: r.error,
  createdBy: r.created_by,
  createdAt: r.created_at,
  doneAt: r.done_at,
});

/** Receipt reprint requests; `finish` is a compare-and-set on pending, so one outcome stands. */
export class PgReprints implements ReprintRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async create(r: ReprintRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO reprint_requests (id, payment_id, receipt_id, device_id, state, error, created_by, created_at, done_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [r.id, r.paymentId, r.receiptId, r.deviceId, r.state, r.error, r.createdBy, r.createdAt, r.doneAt],
    );
  }

  async get(id: string): Promise<ReprintRecord | undefined> {
    const r = (await this.#db.query<ReprintRow>('SELECT * FROM reprint_requests WHERE id = $1', [id]))
      .rows[0];
    return r ? toReprint(r) : undefined;
  }

  async listPendingForDevice(deviceId: string, limit: number): Promise<ReprintRecord[]> {
    const rows = (
      await this.#db.query<ReprintRow>(
        `SELECT * FROM reprint_requests WHERE device_id = $1 AND state = 'pending'
          ORDER BY created_at, id LIMIT $2`,
        [deviceId, limit],
      )
    ).rows;
    return rows.map(toReprint);
  }

  async finish(id: string, state: 'printed' | 'failed', error: string | null, at: number): Promise<boolean> {
    const res = await this.#db.query(
      "UPDATE reprint_requests SET state = $2, error = $3, done_at = $4 WHERE id = $1 AND state = 'pending'",
      [id, state, error, at],
    );
    return res.rowCount === 1;
  }
}

interface EventRow {
  event_id: string;
  event_type: string;
  order_id: string;
  payment_id: string | null;
  created_at: number;
  received_at: number;
  processed_at: number | null;
}

/**
 * Wallet notifications by event id: the dedup table for at-least-once delivery. The primary key decides
 * which of several instances receiving the same delivery records it (ON CONFLICT DO NOTHING waits for a
 * concurrent insert of the same id, so exactly one caller sees true).
 */
export class PgWalletEvents implements WalletEventRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async record(e: WalletEventRecord): Promise<boolean> {
    const res = await this.#db.query(
      `INSERT INTO wallet_events (event_id, event_type, order_id, payment_id, created_at, received_at, processed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
      [e.eventId, e.eventType, e.orderId, e.paymentId, e.createdAt, e.receivedAt, e.processedAt],
    );
    return res.rowCount === 1;
  }

  async markProcessed(eventId: string, at: number): Promise<void> {
    await this.#db.query('UPDATE wallet_events SET processed_at = $2 WHERE event_id = $1', [eventId, at]);
  }

  async listUnprocessed(limit: number): Promise<WalletEventRecord[]> {
    const rows = (
      await this.#db.query<EventRow>(
        'SELECT * FROM wallet_events WHERE processed_at IS NULL ORDER BY received_at, event_id LIMIT $1',
        [limit],
      )
    ).rows;
    return rows.map((r) => ({
      eventId: r.event_id,
      eventType: r.event_type,
      orderId: r.order_id,
      paymentId: r.payment_id,
      createdAt: r.created_at,
      receivedAt: r.received_at,
      processedAt: r.processed_at,
    }));
  }
}
