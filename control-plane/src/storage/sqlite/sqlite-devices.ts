import type { Database, Statement } from 'better-sqlite3';
import type { DeviceRole } from '../../../../protocol/schemas/common.js';
import type { Hardware } from '../../../../protocol/schemas/enrollment.js';
import type { DeviceRecord, DeviceStatusName, SessionRecord } from '../records.js';
import type { DeviceListFilter, DeviceRepository } from '../repository.js';
import { fromJson, toJson } from './rows.js';
import { prepared } from './statements.js';

export interface DeviceRow {
  id: string;
  node_id: string;
  role: DeviceRole;
  name: string;
  public_key: string;
  status: DeviceStatusName;
  tags: string;
  hardware: string | null;
  token_id: string;
  enrolled_at: number;
  last_seen_at: number | null;
  last_status: string | null;
  revoked_at: number | null;
}

export function toRecord(r: DeviceRow): DeviceRecord {
  return {
    id: r.id,
    nodeId: r.node_id,
    role: r.role,
    name: r.name,
    publicKey: r.public_key,
    status: r.status,
    tags: fromJson<string[]>(r.tags) ?? [],
    hardware: fromJson<Hardware>(r.hardware),
    tokenId: r.token_id,
    enrolledAt: r.enrolled_at,
    lastSeenAt: r.last_seen_at,
    lastStatus: fromJson<unknown>(r.last_status),
    revokedAt: r.revoked_at,
  };
}

/** Used by the token repository too: enrollment inserts the device inside the token's transaction. */
export function insertDevice(db: Database, d: DeviceRecord): void {
  prepared(
    db,
    `INSERT INTO devices (id, node_id, role, name, public_key, status, tags, hardware, token_id,
                          enrolled_at, last_seen_at, last_status, revoked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    d.id,
    d.nodeId,
    d.role,
    d.name,
    d.publicKey,
    d.status,
    JSON.stringify(d.tags),
    toJson(d.hardware),
    d.tokenId,
    d.enrolledAt,
    d.lastSeenAt,
    toJson(d.lastStatus),
    d.revokedAt,
  );
}

const IN_SUBTREE = `node_id IN (SELECT n.id FROM nodes n WHERE n.ancestry GLOB
  (SELECT r.ancestry FROM nodes r WHERE r.id = @root) || '*')`;

/** Active devices under a node, optionally of some roles: the WHERE clause and its parameters. */
function activeIn(subtreeOf: string, roles?: readonly DeviceRole[]) {
  const params: Record<string, string> = { root: subtreeOf };
  let roleClause = '';
  if (roles && roles.length > 0) {
    roles.forEach((r, i) => {
      params[`r${i}`] = r;
    });
    roleClause = ` AND role IN (${roles.map((_, i) => `@r${i}`).join(',')})`;
  }
  return { where: `${IN_SUBTREE} AND status = 'active'${roleClause}`, params };
}

export class SqliteDevices implements DeviceRepository {
  readonly #db: Database;
  readonly #get: Statement<[string], DeviceRow>;
  readonly #byKey: Statement<[string], DeviceRow>;
  readonly #session: Statement<
    [string],
    { token_hash: string; device_id: string; created_at: number; expires_at: number }
  >;

  constructor(db: Database) {
    this.#db = db;
    this.#get = db.prepare('SELECT * FROM devices WHERE id = ?');
    this.#byKey = db.prepare('SELECT * FROM devices WHERE public_key = ?');
    this.#session = db.prepare('SELECT * FROM device_sessions WHERE token_hash = ?');
  }

  async count(): Promise<number> {
    return (prepared(this.#db, 'SELECT COUNT(*) AS n FROM devices').get() as { n: number }).n;
  }

  async get(id: string): Promise<DeviceRecord | undefined> {
    const row = this.#get.get(id);
    return row ? toRecord(row) : undefined;
  }

  async findByPublicKey(publicKey: string): Promise<DeviceRecord | undefined> {
    const row = this.#byKey.get(publicKey);
    return row ? toRecord(row) : undefined;
  }

  async list(f: DeviceListFilter): Promise<DeviceRecord[]> {
    // One statement text per combination of filters (a handful), so each is prepared once.
    const where = [f.subtreeIds ? 'node_id IN (SELECT value FROM json_each(@ids))' : IN_SUBTREE];
    if (f.role) where.push('role = @role');
    if (f.activeOnly) where.push("status = 'active'");
    const params: Record<string, string> = f.subtreeIds
      ? { ids: JSON.stringify(f.subtreeIds) }
      : { root: f.subtreeOf };
    if (f.role) params.role = f.role;
    const rows = prepared(
      this.#db,
      `SELECT * FROM devices WHERE ${where.join(' AND ')} ORDER BY enrolled_at, id`,
    ).all(params) as DeviceRow[];
    return rows.map(toRecord);
  }

  async listActiveIds(subtreeOf: string, roles?: readonly DeviceRole[]): Promise<string[]> {
    const { where, params } = activeIn(subtreeOf, roles);
    const rows = prepared(this.#db, `SELECT id FROM devices WHERE ${where}`).all(params) as { id: string }[];
    return rows.map((r) => r.id);
  }

  async countActive(subtreeOf: string, roles?: readonly DeviceRole[]): Promise<number> {
    const { where, params } = activeIn(subtreeOf, roles);
    return (
      prepared(this.#db, `SELECT COUNT(*) AS n FROM devices WHERE ${where}`).get(params) as { n: number }
    ).n;
  }

  async touch(id: string, lastSeenAt: number, lastStatus?: unknown): Promise<void> {
    if (lastStatus === undefined) {
      prepared(this.#db, 'UPDATE devices SET last_seen_at = ? WHERE id = ?').run(lastSeenAt, id);
    } else {
      prepared(this.#db, 'UPDATE devices SET last_seen_at = ?, last_status = ? WHERE id = ?').run(
        lastSeenAt,
        toJson(lastStatus),
        id,
      );
    }
  }

  async touchMany(
    entries: ReadonlyArray<{ id: string; lastSeenAt: number; lastStatus?: unknown }>,
  ): Promise<void> {
    const seen = this.#db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?');
    const status = this.#db.prepare('UPDATE devices SET last_seen_at = ?, last_status = ? WHERE id = ?');
    this.#db.transaction(() => {
      for (const e of entries) {
        if (e.lastStatus === undefined) seen.run(e.lastSeenAt, e.id);
        else status.run(e.lastSeenAt, toJson(e.lastStatus), e.id);
      }
    })();
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return this.#db.transaction(() => {
      const changed = prepared(
        this.#db,
        "UPDATE devices SET status = 'revoked', revoked_at = ? WHERE id = ? AND status = 'active'",
      ).run(at, id).changes;
      prepared(this.#db, 'DELETE FROM device_sessions WHERE device_id = ?').run(id);
      return changed === 1;
    })();
  }

  async createSession(s: SessionRecord): Promise<void> {
    prepared(
      this.#db,
      'INSERT INTO device_sessions (token_hash, device_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    ).run(s.tokenHash, s.subjectId, s.createdAt, s.expiresAt);
  }

  async findSession(tokenHash: string): Promise<SessionRecord | undefined> {
    const r = this.#session.get(tokenHash);
    return r
      ? { tokenHash: r.token_hash, subjectId: r.device_id, createdAt: r.created_at, expiresAt: r.expires_at }
      : undefined;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return prepared(this.#db, 'DELETE FROM device_sessions WHERE expires_at <= ?').run(now).changes;
  }
}
