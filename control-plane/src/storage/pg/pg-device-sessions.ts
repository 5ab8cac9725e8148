import type pg from 'pg';
import type { DeviceRuntime } from '../../../../protocol/schemas/channel.js';
import type {
  DeviceSessionRecord,
  DeviceSessionRepository,
  SessionChange,
  SessionCloseReason,
  SessionQuery,
  SessionRetention,
} from '../device-sessions-repository.js';
import { runtimeOf, SESSION_COLUMNS, type SessionRow, sessionOf } from '../sqlite/sqlite-device-sessions.js';
import type { PgDatabase } from './pg-database.js';

type Client = Pick<pg.PoolClient, 'query'>;

/**
 * PostgreSQL device sessions. `write` and `closeOpenOf` run on the cluster store's transaction client (presence
 * batch, reap, clean stop). A batch is written set-based, in three statements whatever its size: closes of
 * sessions opened earlier, then "superseded" for the older open sessions of devices that open now, then the
 * opens (inserted already closed when the batch closes them too). Same outcome as SQLite's row-by-row loop.
 */
export class PgDeviceSessions implements DeviceSessionRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async write(c: Client, instanceId: string, changes: readonly SessionChange[]): Promise<void> {
    const closes = changes.filter((x) => !x.open && x.close);
    const opens = changes.filter((x) => x.open);
    if (closes.length > 0) {
      await c.query(
        `UPDATE device_channel_sessions s SET disconnected_at = t.at, close_reason = t.reason, close_code = t.code
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[]) AS t(id, at, reason, code)
         WHERE s.id = t.id AND s.disconnected_at IS NULL`,
        [
          closes.map((x) => x.sessionId),
          closes.map((x) => x.close!.at),
          closes.map((x) => x.close!.reason),
          closes.map((x) => x.close!.code ?? null),
        ],
      );
    }
    if (opens.length === 0) return;
    const firstOpen = new Map<string, number>();
    for (const o of opens) {
      const at = firstOpen.get(o.deviceId);
      if (at === undefined || o.open!.at < at) firstOpen.set(o.deviceId, o.open!.at);
    }
    await c.query(
      `UPDATE device_channel_sessions s SET disconnected_at = t.at, close_reason = 'superseded', close_code = NULL
       FROM unnest($1::text[], $2::bigint[]) AS t(device_id, at)
       WHERE s.device_id = t.device_id AND s.disconnected_at IS NULL AND s.connected_at < t.at
         AND NOT (s.id = ANY($3::text[]))`,
      [[...firstOpen.keys()], [...firstOpen.values()], opens.map((o) => o.sessionId)],
    );
    const rt = (o: SessionChange): DeviceRuntime | undefined => o.open!.runtime;
    await c.query(
      `INSERT INTO device_channel_sessions (${SESSION_COLUMNS})
       SELECT id, d, $1, ca, da, cr, cc, rv, rg, rn, rp
       FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::int[],
                   $8::text[], $9::text[], $10::text[], $11::text[]) AS t(id, d, ca, da, cr, cc, rv, rg, rn, rp)
       ON CONFLICT (id) DO UPDATE SET instance_id = EXCLUDED.instance_id,
         disconnected_at = EXCLUDED.disconnected_at, close_reason = EXCLUDED.close_reason,
         close_code = EXCLUDED.close_code`,
      [
        instanceId,
        opens.map((o) => o.sessionId),
        opens.map((o) => o.deviceId),
        opens.map((o) => o.open!.at),
        opens.map((o) => o.close?.at ?? null),
        opens.map((o) => o.close?.reason ?? null),
        opens.map((o) => o.close?.code ?? null),
        opens.map((o) => rt(o)?.version ?? null),
        opens.map((o) => rt(o)?.git ?? null),
        opens.map((o) => rt(o)?.node ?? null),
        opens.map((o) => rt(o)?.platform ?? null),
      ],
    );
  }

  async closeOpenOf(
    c: Client,
    instanceIds: readonly string[],
    at: number,
    reason: SessionCloseReason,
  ): Promise<void> {
    await c.query(
      `UPDATE device_channel_sessions SET disconnected_at = $1, close_reason = $2, close_code = NULL
       WHERE instance_id = ANY($3::text[]) AND disconnected_at IS NULL`,
      [at, reason, instanceIds],
    );
  }

  async list(deviceId: string, q: SessionQuery): Promise<DeviceSessionRecord[]> {
    const { rows } = await this.#db.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM device_channel_sessions
       WHERE device_id = $1 AND (disconnected_at IS NULL OR disconnected_at >= $2)
       ORDER BY connected_at DESC, id DESC LIMIT $3`,
      [deviceId, q.since ?? 0, q.limit],
    );
    return rows.map(sessionOf);
  }

  async latestRuntime(deviceId: string): Promise<{ runtime: DeviceRuntime; at: number } | undefined> {
    const { rows } = await this.#db.query<SessionRow>(
      `SELECT runtime_version, runtime_git, runtime_node, runtime_platform, connected_at
       FROM device_channel_sessions WHERE device_id = $1 AND runtime_version IS NOT NULL
       ORDER BY connected_at DESC, id DESC LIMIT 1`,
      [deviceId],
    );
    const row = rows[0];
    const runtime = row && runtimeOf(row);
    return row && runtime ? { runtime, at: Number(row.connected_at) } : undefined;
  }

  async prune(r: SessionRetention): Promise<number> {
    return this.#db.tx(async (c) => {
      const old = await c.query(
        'DELETE FROM device_channel_sessions WHERE connected_at < $1 AND disconnected_at IS NOT NULL',
        [r.before],
      );
      if (r.deviceIds.length === 0) return old.rowCount ?? 0;
      const extra = await c.query(
        `DELETE FROM device_channel_sessions WHERE id IN (
           SELECT id FROM (
             SELECT id, row_number() OVER (PARTITION BY device_id ORDER BY connected_at DESC, id DESC) AS n
             FROM device_channel_sessions WHERE device_id = ANY($1::text[])
           ) ranked WHERE n > $2)`,
        [r.deviceIds, r.keepPerDevice],
      );
      return (old.rowCount ?? 0) + (extra.rowCount ?? 0);
    });
  }
}
