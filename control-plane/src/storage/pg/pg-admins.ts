import type { AdminRecord, SessionRecord } from '../records.js';
import type { AdminRepository } from '../repository.js';
import { type AdminRow, sessionOf, toRecord, usernameTaken } from '../sqlite/sqlite-admins.js';
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

  async setPassword(
    id: string,
    passwordHash: string,
    keepTokenHash?: string,
    mustChange = false,
  ): Promise<void> {
    await this.#db.tx(async (c) => {
      await c.query('UPDATE admins SET password_hash = $1, must_change_password = $2 WHERE id = $3', [
        passwordHash,
        mustChange ? 1 : 0,
        id,
      ]);
      await c.query('DELETE FROM admin_sessions WHERE admin_id = $1 AND token_hash IS DISTINCT FROM $2', [
        id,
        keepTokenHash ?? null,
      ]);
    });
  }

  async setDisabled(id: string, disabledAt: number | null): Promise<void> {
    await this.#db.tx(async (c) => {
      await c.query('UPDATE admins SET disabled_at = $1 WHERE id = $2', [disabledAt, id]);
      if (disabledAt !== null) await c.query('DELETE FROM admin_sessions WHERE admin_id = $1', [id]);
    });
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.#db.query(
      'INSERT INTO admin_sessions (token_hash, admin_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      [s.tokenHash, s.subjectId, s.createdAt, s.expiresAt],
    );
  }

  async listSessions(adminId: string, now: number): Promise<SessionRecord[]> {
    return (
      await this.#db.query<SessionRow>(
        'SELECT * FROM admin_sessions WHERE admin_id = $1 AND expires_at > $2 ORDER BY created_at, token_hash',
        [adminId, now],
      )
    ).rows.map(sessionOf);
  }

  async deleteSession(adminId: string, tokenHash: string): Promise<boolean> {
    const r = await this.#db.query('DELETE FROM admin_sessions WHERE admin_id = $1 AND token_hash = $2', [
      adminId,
      tokenHash,
    ]);
    return (r.rowCount ?? 0) > 0;
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
