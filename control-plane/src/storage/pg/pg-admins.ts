import type { AdminRecord, SessionRecord } from '../records.js';
import type { AdminRepository } from '../repository.js';
import { type AdminRow, toRecord, usernameTaken } from '../sqlite/sqlite-admins.js';
import { isPgUniqueViolation, type PgDatabase } from './pg-database.js';

interface SessionRow {
  token_hash: string;
  admin_id: string;
  created_at: number;
  expires_at: number;
}

/** PostgreSQL twin of SqliteAdmins. */
export class PgAdmins implements AdminRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async count(): Promise<number> {
    return (await this.#db.query<{ n: number }>('SELECT COUNT(*) AS n FROM admins')).rows[0]?.n ?? 0;
  }

  async get(id: string): Promise<AdminRecord | undefined> {
    const row = (await this.#db.query<AdminRow>('SELECT * FROM admins WHERE id = $1', [id])).rows[0];
    return row ? toRecord(row) : undefined;
  }

  async findByUsername(username: string): Promise<AdminRecord | undefined> {
    const row = (await this.#db.query<AdminRow>('SELECT * FROM admins WHERE username = $1', [username]))
      .rows[0];
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<AdminRecord[]> {
    return (await this.#db.query<AdminRow>('SELECT * FROM admins ORDER BY created_at, id')).rows.map(
      toRecord,
    );
  }

  async create(a: AdminRecord): Promise<void> {
    try {
      await this.#db.query(
        `INSERT INTO admins (id, username, password_hash, role, node_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [a.id, a.username, a.passwordHash, a.role, a.nodeId, a.createdAt],
      );
    } catch (err) {
      if (isPgUniqueViolation(err)) throw usernameTaken(a.username);
      throw err;
    }
  }

  async setPassword(id: string, passwordHash: string): Promise<void> {
    await this.#db.tx(async (c) => {
      await c.query('UPDATE admins SET password_hash = $1 WHERE id = $2', [passwordHash, id]);
      await c.query('DELETE FROM admin_sessions WHERE admin_id = $1', [id]);
    });
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.#db.query(
      'INSERT INTO admin_sessions (token_hash, admin_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      [s.tokenHash, s.subjectId, s.createdAt, s.expiresAt],
    );
  }

  async findSession(tokenHash: string): Promise<SessionRecord | undefined> {
    const r = (
      await this.#db.query<SessionRow>('SELECT * FROM admin_sessions WHERE token_hash = $1', [tokenHash])
    ).rows[0];
    return r
      ? { tokenHash: r.token_hash, subjectId: r.admin_id, createdAt: r.created_at, expiresAt: r.expires_at }
      : undefined;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return (await this.#db.query('DELETE FROM admin_sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }
}
