import type { Database } from 'better-sqlite3';
import type {
  AdminIdempotencyRecord,
  AdminIdempotencyRepository,
  BeginResult,
} from '../admin-idempotency-repository.js';
import { prepared } from './statements.js';

export interface Row {
  admin_id: string;
  key: string;
  request_hash: string;
  status: number | null;
  content_type: string | null;
  body: Buffer | null;
  created_at: number;
}

export const toRecord = (r: Row): AdminIdempotencyRecord => ({
  adminId: r.admin_id,
  key: r.key,
  requestHash: r.request_hash,
  status: r.status,
  contentType: r.content_type,
  body: r.body,
  createdAt: r.created_at,
});

export class SqliteAdminIdempotency implements AdminIdempotencyRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async begin(adminId: string, key: string, requestHash: string, at: number): Promise<BeginResult> {
    return this.#db.transaction((): BeginResult => {
      const inserted = prepared(
        this.#db,
        'INSERT OR IGNORE INTO admin_idempotency (admin_id, key, request_hash, created_at) VALUES (?, ?, ?, ?)',
      ).run(adminId, key, requestHash, at).changes;
      if (inserted === 1) return { started: true };
      const row = prepared(this.#db, 'SELECT * FROM admin_idempotency WHERE admin_id = ? AND key = ?').get(
        adminId,
        key,
      ) as Row;
      return { started: false, existing: toRecord(row) };
    })();
  }

  async finish(adminId: string, key: string, status: number, contentType: string, body: Buffer) {
    prepared(
      this.#db,
      'UPDATE admin_idempotency SET status = ?, content_type = ?, body = ? WHERE admin_id = ? AND key = ?',
    ).run(status, contentType, body, adminId, key);
  }

  async release(adminId: string, key: string): Promise<void> {
    prepared(this.#db, 'DELETE FROM admin_idempotency WHERE admin_id = ? AND key = ? AND status IS NULL').run(
      adminId,
      key,
    );
  }

  async purge(before: number): Promise<number> {
    return prepared(this.#db, 'DELETE FROM admin_idempotency WHERE created_at < ?').run(before).changes;
  }
}
