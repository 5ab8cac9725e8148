import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { AdminIdempotencyRepository, BeginResult } from '../admin-idempotency-repository.js';
import { type Row, toRecord } from '../sqlite/sqlite-admin-idempotency.js';
import type { PgDatabase } from './pg-database.js';

/** How often begin() retries when the row it lost to vanishes before it can be read (a release between). */
const BEGIN_ATTEMPTS = 5;

/** PostgreSQL twin of SqliteAdminIdempotency. */
export class PgAdminIdempotency implements AdminIdempotencyRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  /**
   * ON CONFLICT DO NOTHING waits for a concurrent claim of the same key to commit or roll back, so exactly
   * one request starts; the loser then reads the row that won (committed, so visible to its next statement).
   */
  async begin(adminId: string, key: string, requestHash: string, at: number): Promise<BeginResult> {
    for (let attempt = 1; ; attempt++) {
      const inserted = await this.#db.query(
        `INSERT INTO admin_idempotency (admin_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (admin_id, key) DO NOTHING`,
        [adminId, key, requestHash, at],
      );
      if (inserted.rowCount === 1) return { started: true };
      const row = (
        await this.#db.query<Row>('SELECT * FROM admin_idempotency WHERE admin_id = $1 AND key = $2', [
          adminId,
          key,
        ])
      ).rows[0];
      if (row) return { started: false, existing: toRecord(row) };
      if (attempt >= BEGIN_ATTEMPTS) {
        throw new LinliError(
          ErrorCode.CONFLICT,
          'this Idempotency-Key is being claimed and released by concurrent requests; retry in a moment',
          { field: 'Idempotency-Key' },
        );
      }
    }
  }

  async finish(adminId: string, key: string, status: number, contentType: string, body: Buffer) {
    await this.#db.query(
      'UPDATE admin_idempotency SET status = $1, content_type = $2, body = $3 WHERE admin_id = $4 AND key = $5',
      [status, contentType, body, adminId, key],
    );
  }

  async release(adminId: string, key: string): Promise<void> {
    await this.#db.query(
      'DELETE FROM admin_idempotency WHERE admin_id = $1 AND key = $2 AND status IS NULL',
      [adminId, key],
    );
  }

  async purge(before: number): Promise<number> {
    return (
      (await this.#db.query('DELETE FROM admin_idempotency WHERE created_at < $1', [before])).rowCount ?? 0
    );
  }
}
