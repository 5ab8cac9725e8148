import type pg from 'pg';
import type { DeviceRole } from '../../../../protocol/schemas/common.js';
import type { DeviceRecord, SessionRecord } from '../records.js';
import type { DeviceListFilter, DeviceRepository } from '../repository.js';
import { toJson } from '../sqlite/rows.js';
import { type DeviceRow, toRecord } from '../sqlite/sqlite-devices.js';
import type { PgDatabase } from './pg-database.js';

interface SessionRow {
  token_hash: string;
  device_id: string;
  created_at: number;
  expires_at: number;
}

/** Used by the token repository too: enrollment inserts the device inside the token's transaction. */
export async function insertDevice(client: pg.PoolClient, d: DeviceRecord): Promise<void> {
  await client.query(
    `INSERT INTO devices (id, node_id, role, name, public_key, status, tags, hardware, token_id,
                          enrolled_at, last_seen_at, last_status, revoked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
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
    ],
  );
}

/** PostgreSQL twin of SqliteDevices. */
export class PgDevices implements DeviceRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async count(): Promise<number> {
    return (await this.#db.query<{ n: number }>('SELECT COUNT(*) AS n FROM devices')).rows[0]?.n ?? 0;
  }

  async get(id: string): Promise<DeviceRecord | undefined> {
    const row = (await this.#db.query<DeviceRow>('SELECT * FROM devices WHERE id = $1', [id])).rows[0];
    return row ? toRecord(row) : undefined;
  }

  async findByPublicKey(publicKey: string): Promise<DeviceRecord | undefined> {
    const row = (await this.#db.query<DeviceRow>('SELECT * FROM devices WHERE public_key = $1', [publicKey]))
      .rows[0];
    return row ? toRecord(row) : undefined;
  }

  /** The root's ancestry, the prefix of its subtree; undefined when the node does not exist. */
  async #prefix(rootId: string): Promise<string | undefined> {
    return (await this.#db.query<{ ancestry: string }>('SELECT ancestry FROM nodes WHERE id = $1', [rootId]))
      .rows[0]?.ancestry;
  }

  async list(f: DeviceListFilter): Promise<DeviceRecord[]> {
    const prefix = await this.#prefix(f.subtreeOf);
    if (prefix === undefined) return [];
    const params: unknown[] = [prefix];
    const where = ['starts_with(n.ancestry, $1)'];
    if (f.role) {
      params.push(f.role);
      where.push(`d.role = $${params.length}`);
    }
    if (f.activeOnly) where.push("d.status = 'active'");
    const { rows } = await this.#db.query<DeviceRow>(
      `SELECT d.* FROM devices d JOIN nodes n ON n.id = d.node_id
        WHERE ${where.join(' AND ')} ORDER BY d.enrolled_at, d.id`,
      params,
    );
    return rows.map(toRecord);
  }

  async listActiveIds(subtreeOf: string, roles?: readonly DeviceRole[]): Promise<string[]> {
    const prefix = await this.#prefix(subtreeOf);
    if (prefix === undefined) return [];
    const params: unknown[] = [prefix];
    let roleClause = '';
    if (roles && roles.length > 0) {
      params.push(roles);
      roleClause = ' AND d.role = ANY($2::text[])';
    }
    const { rows } = await this.#db.query<{ id: string }>(
      `SELECT d.id FROM devices d JOIN nodes n ON n.id = d.node_id
        WHERE starts_with(n.ancestry, $1) AND d.status = 'active'${roleClause}`,
      params,
    );
    return rows.map((r) => r.id);
  }

  async touch(id: string, lastSeenAt: number, lastStatus?: unknown): Promise<void> {
    if (lastStatus === undefined) {
      await this.#db.query('UPDATE devices SET last_seen_at = $1 WHERE id = $2', [lastSeenAt, id]);
    } else {
      await this.#db.query('UPDATE devices SET last_seen_at = $1, last_status = $2 WHERE id = $3', [
        lastSeenAt,
        toJson(lastStatus),
        id,
      ]);
    }
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return this.#db.tx(async (c) => {
      const changed = await c.query(
        "UPDATE devices SET status = 'revoked', revoked_at = $1 WHERE id = $2 AND status = 'active'",
        [at, id],
      );
      await c.query('DELETE FROM device_sessions WHERE device_id = $1', [id]);
      return changed.rowCount === 1;
    });
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.#db.query(
      'INSERT INTO device_sessions (token_hash, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      [s.tokenHash, s.subjectId, s.createdAt, s.expiresAt],
    );
  }

  async findSession(tokenHash: string): Promise<SessionRecord | undefined> {
    const r = (
      await this.#db.query<SessionRow>('SELECT * FROM device_sessions WHERE token_hash = $1', [tokenHash])
    ).rows[0];
    return r
      ? { tokenHash: r.token_hash, subjectId: r.device_id, createdAt: r.created_at, expiresAt: r.expires_at }
      : undefined;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return (await this.#db.query('DELETE FROM device_sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }
}
