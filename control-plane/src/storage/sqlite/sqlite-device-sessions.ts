import type { Database } from 'better-sqlite3';
import type { DeviceRuntime } from '../../../../protocol/schemas/channel.js';
import type {
  DeviceSessionRecord,
  DeviceSessionRepository,
  SessionChange,
  SessionCloseReason,
  SessionQuery,
  SessionRetention,
} from '../device-sessions-repository.js';
import { prepared } from './statements.js';

/** A `device_channel_sessions` row; the PostgreSQL twin has the same columns and shares this mapping. */
export interface SessionRow {
  id: string;
  device_id: string;
  instance_id: string;
  connected_at: number | string;
  disconnected_at: number | string | null;
  close_reason: string | null;
  close_code: number | null;
  runtime_version: string | null;
  runtime_git: string | null;
  runtime_node: string | null;
  runtime_platform: string | null;
}

export const SESSION_COLUMNS = `id, device_id, instance_id, connected_at, disconnected_at, close_reason, close_code,
  runtime_version, runtime_git, runtime_node, runtime_platform`;

export function runtimeOf(
  r: Pick<SessionRow, 'runtime_version' | 'runtime_git' | 'runtime_node' | 'runtime_platform'>,
): DeviceRuntime | null {
  if (r.runtime_version === null || r.runtime_node === null) return null;
  return {
    version: r.runtime_version,
    ...(r.runtime_git !== null ? { git: r.runtime_git } : {}),
    node: r.runtime_node,
    ...(r.runtime_platform !== null ? { platform: r.runtime_platform } : {}),
  };
}

export function sessionOf(r: SessionRow): DeviceSessionRecord {
  return {
    id: r.id,
    deviceId: r.device_id,
    instanceId: r.instance_id,
    connectedAt: Number(r.connected_at),
    disconnectedAt: r.disconnected_at === null ? null : Number(r.disconnected_at),
    closeReason: r.close_reason as SessionCloseReason | null,
    closeCode: r.close_code,
    runtime: runtimeOf(r),
  };
}

const SUPERSEDE = `UPDATE device_channel_sessions SET disconnected_at = ?, close_reason = 'superseded', close_code = NULL
  WHERE device_id = ? AND disconnected_at IS NULL AND connected_at < ? AND id <> ?`;
// A re-open (the same channel written again after a lost lease) keeps its start and runtime.
const OPEN = `INSERT INTO device_channel_sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, disconnected_at = excluded.disconnected_at,
    close_reason = excluded.close_reason, close_code = excluded.close_code`;
const CLOSE = `UPDATE device_channel_sessions SET disconnected_at = ?, close_reason = ?, close_code = ?
  WHERE id = ? AND disconnected_at IS NULL`;
const CLOSE_OF_INSTANCE = `UPDATE device_channel_sessions SET disconnected_at = ?, close_reason = ?, close_code = NULL
  WHERE instance_id = ? AND disconnected_at IS NULL`;
const LIST = `SELECT ${SESSION_COLUMNS} FROM device_channel_sessions
  WHERE device_id = ? AND (disconnected_at IS NULL OR disconnected_at >= ?)
  ORDER BY connected_at DESC, id DESC LIMIT ?`;
const LATEST_RUNTIME = `SELECT runtime_version, runtime_git, runtime_node, runtime_platform, connected_at
  FROM device_channel_sessions WHERE device_id = ? AND runtime_version IS NOT NULL
  ORDER BY connected_at DESC, id DESC LIMIT 1`;
const PRUNE_OLD =
  'DELETE FROM device_channel_sessions WHERE connected_at < ? AND disconnected_at IS NOT NULL';
const PRUNE_EXTRA = `DELETE FROM device_channel_sessions WHERE id IN (
  SELECT id FROM device_channel_sessions WHERE device_id = ? ORDER BY connected_at DESC, id DESC LIMIT -1 OFFSET ?)`;

/**
 * SQLite device sessions. `write` and `closeOpenOf` run inside the cluster store's transactions (presence
 * batch, reap, clean stop), so they are synchronous and open none of their own.
 */
export class SqliteDeviceSessions implements DeviceSessionRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** One presence batch's sessions, in order; the caller holds the transaction. */
  write(instanceId: string, changes: readonly SessionChange[]): void {
    for (const c of changes) {
      if (c.open) {
        const rt = c.open.runtime;
        prepared(this.#db, SUPERSEDE).run(c.open.at, c.deviceId, c.open.at, c.sessionId);
        prepared(this.#db, OPEN).run(
          c.sessionId,
          c.deviceId,
          instanceId,
          c.open.at,
          c.close?.at ?? null,
          c.close?.reason ?? null,
          c.close?.code ?? null,
          rt?.version ?? null,
          rt?.git ?? null,
          rt?.node ?? null,
          rt?.platform ?? null,
        );
      } else if (c.close) {
        prepared(this.#db, CLOSE).run(c.close.at, c.close.reason, c.close.code ?? null, c.sessionId);
      }
    }
  }

  /** Closes every open session of an instance (reaped or stopped); the caller holds the transaction. */
  closeOpenOf(instanceId: string, at: number, reason: SessionCloseReason): void {
    prepared(this.#db, CLOSE_OF_INSTANCE).run(at, reason, instanceId);
  }

  async list(deviceId: string, q: SessionQuery): Promise<DeviceSessionRecord[]> {
    const rows = prepared(this.#db, LIST).all(deviceId, q.since ?? 0, q.limit) as SessionRow[];
    return rows.map(sessionOf);
  }

  async latestRuntime(deviceId: string): Promise<{ runtime: DeviceRuntime; at: number } | undefined> {
    const row = prepared(this.#db, LATEST_RUNTIME).get(deviceId) as
      | (SessionRow & { connected_at: number })
      | undefined;
    const runtime = row && runtimeOf(row);
    return runtime ? { runtime, at: Number(row.connected_at) } : undefined;
  }

  async prune(r: SessionRetention): Promise<number> {
    return this.#db.transaction(() => {
      let gone = prepared(this.#db, PRUNE_OLD).run(r.before).changes;
      for (const id of r.deviceIds) gone += prepared(this.#db, PRUNE_EXTRA).run(id, r.keepPerDevice).changes;
      return gone;
    })();
  }
}
