import type { Database, Statement } from 'better-sqlite3';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { AdminRole } from '../../../../protocol/schemas/admin.js';
import type { AdminRecord, SessionRecord } from '../records.js';
import type { AdminRepository } from '../repository.js';
import { isUniqueViolation } from './rows.js';
import { prepared } from './statements.js';

export interface AdminRow {
  id: string;
  username: string;
  password_hash: string;
  role: AdminRole;
  node_id: string;
  created_at: number;
}

interface SessionRow {
  token_hash: string;
  admin_id: string;
  created_at: number;
  expires_at: number;
}

/** The service checks first; this is the answer when a concurrent create (or another instance) won. */
export function usernameTaken(username: string): LinliError {
  return new LinliError(ErrorCode.CONFLICT, `username "${username}" is taken; choose another`, {
    field: 'username',
  });
}

export function toRecord(r: AdminRow): AdminRecord {
  return {
    id: r.id,
    username: r.username,
    passwordHash: r.password_hash,
    role: r.role,
    nodeId: r.node_id,
    createdAt: r.created_at,
  };
}

export class SqliteAdmins implements AdminRepository {
  readonly #db: Database;
  readonly #get: Statement<[string], AdminRow>;
  readonly #byName: Statement<[string], AdminRow>;
  readonly #session: Statement<[string], SessionRow>;

  constructor(db: Database) {
    this.#db = db;
    this.#get = db.prepare('SELECT * FROM admins WHERE id = ?');
    this.#byName = db.prepare('SELECT * FROM admins WHERE username = ?');
    this.#session = db.prepare('SELECT * FROM admin_sessions WHERE token_hash = ?');
  }

  async count(): Promise<number> {
    return (prepared(this.#db, 'SELECT COUNT(*) AS n FROM admins').get() as { n: number }).n;
  }

  async get(id: string): Promise<AdminRecord | undefined> {
    const row = this.#get.get(id);
    return row ? toRecord(row) : undefined;
  }

  async findByUsername(username: string): Promise<AdminRecord | undefined> {
    const row = this.#byName.get(username);
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<AdminRecord[]> {
    return (
      prepared(this.#db, 'SELECT * FROM admins ORDER BY created_at, id').all() as Parameters<
        typeof toRecord
      >[0][]
    ).map(toRecord);
  }

  async create(a: AdminRecord): Promise<void> {
    try {
      prepared(
        this.#db,
        `INSERT INTO admins (id, username, password_hash, role, node_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(a.id, a.username, a.passwordHash, a.role, a.nodeId, a.createdAt);
    } catch (err) {
      if (isUniqueViolation(err)) throw usernameTaken(a.username);
      throw err;
    }
  }

  async setPassword(id: string, passwordHash: string): Promise<void> {
    this.#db.transaction(() => {
      prepared(this.#db, 'UPDATE admins SET password_hash = ? WHERE id = ?').run(passwordHash, id);
      prepared(this.#db, 'DELETE FROM admin_sessions WHERE admin_id = ?').run(id);
    })();
  }

  async createSession(s: SessionRecord): Promise<void> {
    prepared(
      this.#db,
      'INSERT INTO admin_sessions (token_hash, admin_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    ).run(s.tokenHash, s.subjectId, s.createdAt, s.expiresAt);
  }

  async findSession(tokenHash: string): Promise<SessionRecord | undefined> {
    const r = this.#session.get(tokenHash);
    return r
      ? { tokenHash: r.token_hash, subjectId: r.admin_id, createdAt: r.created_at, expiresAt: r.expires_at }
      : undefined;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return prepared(this.#db, 'DELETE FROM admin_sessions WHERE expires_at <= ?').run(now).changes;
  }
}
