import type { Database } from 'better-sqlite3';
import type { ReprintRecord, ReprintStateName, WalletEventRecord } from '../records.js';
import type { ReprintRepository, WalletEventRepository } from '../repository.js';
import type { GroupCommit } from './group-commit.js';
import { prepared } from './statements.js';

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

export class SqliteReprints implements ReprintRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async create(r: ReprintRecord): Promise<void> {
    prepared(
      this.#db,
      `INSERT INTO reprint_requests (id, payment_id, receipt_id, device_id, state, error, created_by, created_at, done_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(r.id, r.paymentId, r.receiptId, r.deviceId, r.state, r.error, r.createdBy, r.createdAt, r.doneAt);
  }

  async get(id: string): Promise<ReprintRecord | undefined> {
    const r = prepared(this.#db, 'SELECT * FROM reprint_requests WHERE id = ?').get(id) as
      | ReprintRow
      | undefined;
    return r ? toReprint(r) : undefined;
  }

  async listPendingForDevice(deviceId: string, limit: number): Promise<ReprintRecord[]> {
    const rows = prepared(
      this.#db,
      "SELECT * FROM reprint_requests WHERE device_id = ? AND state = 'pending' ORDER BY created_at LIMIT ?",
    ).all(deviceId, limit) as ReprintRow[];
    return rows.map(toReprint);
  }

  async finish(id: string, state: 'printed' | 'failed', error: string | null, at: number): Promise<boolean> {
    return (
      prepared(
        this.#db,
        "UPDATE reprint_requests SET state = ?, error = ?, done_at = ? WHERE id = ? AND state = 'pending'",
      ).run(state, error, at, id).changes === 1
    );
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

/** Wallet notifications by event id: the dedup table for at-least-once delivery. */
export class SqliteWalletEvents implements WalletEventRepository {
  readonly #db: Database;
  readonly #commit: GroupCommit;

  constructor(db: Database, commit: GroupCommit) {
    this.#db = db;
    this.#commit = commit;
  }

  record(e: WalletEventRecord): Promise<boolean> {
    return this.#commit.run(
      () =>
        prepared(
          this.#db,
          `INSERT OR IGNORE INTO wallet_events (event_id, event_type, order_id, payment_id, created_at, received_at, processed_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(e.eventId, e.eventType, e.orderId, e.paymentId, e.createdAt, e.receivedAt, e.processedAt)
          .changes === 1,
    );
  }

  async markProcessed(eventId: string, at: number): Promise<void> {
    await this.#commit.run(() =>
      prepared(this.#db, 'UPDATE wallet_events SET processed_at = ? WHERE event_id = ?').run(at, eventId),
    );
  }

  async listUnprocessed(limit: number): Promise<WalletEventRecord[]> {
    const rows = prepared(
      this.#db,
      'SELECT * FROM wallet_events WHERE processed_at IS NULL ORDER BY received_at LIMIT ?',
    ).all(limit) as EventRow[];
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
