import type { FaultRecord, MediaRecord, StoredPlay, TufViewRecord } from '../signage-records.js';
import type { MediaRepository, PlayRepository, TufViewRepository } from '../signage-repository.js';
import type { PgDatabase } from './pg-database.js';
import { pgBool } from './pg-json.js';

export class PgMedia implements MediaRepository {
  readonly #db: PgDatabase;
  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async put(m: MediaRecord, data: Uint8Array): Promise<void> {
    // Content-addressed: the same bytes uploaded twice (even by two instances at once) are the same media.
    await this.#db.query(
      `INSERT INTO media (sha256, content_type, ext, length, width, height, data, uploaded_by, uploaded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (sha256) DO NOTHING`,
      [
        m.sha256,
        m.contentType,
        m.ext,
        m.length,
        m.width,
        m.height,
        Buffer.from(data),
        m.uploadedBy,
        m.uploadedAt,
      ],
    );
  }

  async get(sha256: string): Promise<MediaRecord | undefined> {
    const r = (
      await this.#db.query<{
        sha256: string;
        content_type: string;
        ext: MediaRecord['ext'];
        length: number;
        width: number;
        height: number;
        uploaded_by: string;
        uploaded_at: number;
      }>(
        'SELECT sha256, content_type, ext, length, width, height, uploaded_by, uploaded_at FROM media WHERE sha256 = $1',
        [sha256],
      )
    ).rows[0];
    return r
      ? {
          sha256: r.sha256,
          contentType: r.content_type,
          ext: r.ext,
          length: r.length,
          width: r.width,
          height: r.height,
          uploadedBy: r.uploaded_by,
          uploadedAt: r.uploaded_at,
        }
      : undefined;
  }

  async data(sha256: string): Promise<Buffer | undefined> {
    // BYTEA arrives as a Buffer.
    return (await this.#db.query<{ data: Buffer }>('SELECT data FROM media WHERE sha256 = $1', [sha256]))
      .rows[0]?.data;
  }
}

interface ViewRow {
  device_id: string;
  root_version: number;
  manifest_sha256: string;
  targets_version: number;
  targets_expires: number;
  snapshot_version: number;
  snapshot_expires: number;
  timestamp_version: number;
  timestamp_expires: number;
  timestamp_text: string;
  updated_at: number;
}

export class PgTufViews implements TufViewRepository {
  readonly #db: PgDatabase;
  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async get(deviceId: string): Promise<TufViewRecord | undefined> {
    const r = (await this.#db.query<ViewRow>('SELECT * FROM tuf_views WHERE device_id = $1', [deviceId]))
      .rows[0];
    return r
      ? {
          deviceId: r.device_id,
          rootVersion: r.root_version,
          manifestSha256: r.manifest_sha256,
          targetsVersion: r.targets_version,
          targetsExpires: r.targets_expires,
          snapshotVersion: r.snapshot_version,
          snapshotExpires: r.snapshot_expires,
          timestampVersion: r.timestamp_version,
          timestampExpires: r.timestamp_expires,
          timestampText: r.timestamp_text,
          updatedAt: r.updated_at,
        }
      : undefined;
  }

  async save(
    v: TufViewRecord,
    texts: { snapshot?: string; targets?: string },
    manifest: { sha256: string; data: Uint8Array } | undefined,
    keep: number,
  ): Promise<boolean> {
    return this.#db.tx(async (c) => {
      // Versions only move forward: two instances signing the same device's next view at once both hold
      // version N+1, and only the first to commit stands (the upsert locks the row and re-checks this WHERE
      // on the committed one). A refused save writes nothing, so the texts stored for a version are always
      // the ones the stored timestamp points at.
      const saved = (
        await c.query(
          `INSERT INTO tuf_views (device_id, root_version, manifest_sha256, targets_version, targets_expires,
             snapshot_version, snapshot_expires, timestamp_version, timestamp_expires, timestamp_text, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (device_id) DO UPDATE SET root_version = excluded.root_version,
             manifest_sha256 = excluded.manifest_sha256, targets_version = excluded.targets_version,
             targets_expires = excluded.targets_expires, snapshot_version = excluded.snapshot_version,
             snapshot_expires = excluded.snapshot_expires, timestamp_version = excluded.timestamp_version,
             timestamp_expires = excluded.timestamp_expires, timestamp_text = excluded.timestamp_text,
             updated_at = excluded.updated_at
           WHERE tuf_views.timestamp_version < excluded.timestamp_version
             AND tuf_views.snapshot_version <= excluded.snapshot_version
             AND tuf_views.targets_version <= excluded.targets_version`,
          [
            v.deviceId,
            v.rootVersion,
            v.manifestSha256,
            v.targetsVersion,
            v.targetsExpires,
            v.snapshotVersion,
            v.snapshotExpires,
            v.timestampVersion,
            v.timestampExpires,
            v.timestampText,
            v.updatedAt,
          ],
        )
      ).rowCount;
      if (saved !== 1) return false;
      const put = (role: 'snapshot' | 'targets', version: number, text: string) =>
        c.query(
          `INSERT INTO tuf_metadata (device_id, role, version, text) VALUES ($1, $2, $3, $4)
           ON CONFLICT (device_id, role, version) DO UPDATE SET text = excluded.text`,
          [v.deviceId, role, version, text],
        );
      if (texts.snapshot !== undefined) await put('snapshot', v.snapshotVersion, texts.snapshot);
      if (texts.targets !== undefined) await put('targets', v.targetsVersion, texts.targets);
      // Older versions stay fetchable for a while: a device may read timestamp N and then snapshot N.
      await c.query(
        `DELETE FROM tuf_metadata WHERE device_id = $1
           AND ((role = 'snapshot' AND version <= $2) OR (role = 'targets' AND version <= $3))`,
        [v.deviceId, v.snapshotVersion - keep, v.targetsVersion - keep],
      );
      if (manifest) {
        await c.query(
          `INSERT INTO tuf_manifests (sha256, device_id, data, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (sha256) DO NOTHING`,
          [manifest.sha256, v.deviceId, Buffer.from(manifest.data), v.updatedAt],
        );
        // The newest `keep`, the current one always among them (no rowid to break a tie in the same ms).
        await c.query(
          `DELETE FROM tuf_manifests WHERE device_id = $1 AND sha256 NOT IN
             (SELECT sha256 FROM tuf_manifests WHERE device_id = $1
              ORDER BY (sha256 = $2) DESC, created_at DESC, sha256 DESC LIMIT $3)`,
          [v.deviceId, manifest.sha256, keep],
        );
      }
      return true;
    });
  }

  async text(deviceId: string, role: 'snapshot' | 'targets', version: number): Promise<string | undefined> {
    return (
      await this.#db.query<{ text: string }>(
        'SELECT text FROM tuf_metadata WHERE device_id = $1 AND role = $2 AND version = $3',
        [deviceId, role, version],
      )
    ).rows[0]?.text;
  }

  async manifest(sha256: string): Promise<{ deviceId: string; data: Buffer } | undefined> {
    const r = (
      await this.#db.query<{ device_id: string; data: Buffer }>(
        'SELECT device_id, data FROM tuf_manifests WHERE sha256 = $1',
        [sha256],
      )
    ).rows[0];
    return r ? { deviceId: r.device_id, data: r.data } : undefined;
  }
}

interface PlayRow {
  device_id: string;
  play_id: string;
  notice_id: string;
  version: number;
  started_at: number;
  duration_ms: number;
  surface: StoredPlay['surface'];
  emergency: unknown;
  received_at: number;
}

function playOf(r: PlayRow): StoredPlay {
  return {
    deviceId: r.device_id,
    playId: r.play_id,
    noticeId: r.notice_id,
    version: r.version,
    startedAt: new Date(r.started_at).toISOString(),
    durationMs: r.duration_ms,
    surface: r.surface,
    emergency: pgBool(r.emergency),
    receivedAt: r.received_at,
  };
}

// A showing is reported as it starts and again as it goes on: a known play id only ever grows longer, and
// only if it names the same showing (notice, version, start, surface); anything else is a no-op (0 rows).
// `emergency` is sent as 1/0, which an INTEGER and a BOOLEAN column both accept.
const INSERT_PLAY = `INSERT INTO plays (device_id, play_id, notice_id, version, started_at, duration_ms, surface,
    emergency, received_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (device_id, play_id) DO UPDATE SET duration_ms = excluded.duration_ms,
    received_at = excluded.received_at
  WHERE excluded.duration_ms > plays.duration_ms AND plays.notice_id = excluded.notice_id
    AND plays.version = excluded.version AND plays.started_at = excluded.started_at
    AND plays.surface = excluded.surface AND plays.emergency = excluded.emergency`;

export class PgPlays implements PlayRepository {
  readonly #db: PgDatabase;
  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async insert(plays: readonly StoredPlay[]): Promise<{ accepted: number; duplicates: number }> {
    if (plays.length === 0) return { accepted: 0, duplicates: 0 };
    return this.#db.tx(async (c) => {
      let accepted = 0;
      for (const p of plays) {
        const r = await c.query(INSERT_PLAY, [
          p.deviceId,
          p.playId,
          p.noticeId,
          p.version,
          Date.parse(p.startedAt),
          p.durationMs,
          p.surface,
          p.emergency ? 1 : 0,
          p.receivedAt,
        ]);
        accepted += r.rowCount ?? 0;
      }
      return { accepted, duplicates: plays.length - accepted };
    });
  }

  async forNotice(noticeId: string, since: number, limit: number): Promise<StoredPlay[]> {
    return (
      await this.#db.query<PlayRow>(
        'SELECT * FROM plays WHERE notice_id = $1 AND started_at >= $2 ORDER BY started_at DESC LIMIT $3',
        [noticeId, since, limit],
      )
    ).rows.map(playOf);
  }

  async summaryForNotice(noticeId: string, since: number) {
    // COUNT is BIGINT and SUM of BIGINT is NUMERIC: PgDatabase parses both to Number (exact below 2^53).
    return (
      await this.#db.query<{
        device_id: string;
        plays: number;
        total_ms: number;
        first_at: number;
        last_at: number;
      }>(
        `SELECT device_id, COUNT(*) AS plays, SUM(duration_ms) AS total_ms, MIN(started_at) AS first_at,
                MAX(started_at) AS last_at
         FROM plays WHERE notice_id = $1 AND started_at >= $2 GROUP BY device_id ORDER BY device_id`,
        [noticeId, since],
      )
    ).rows.map((r) => ({
      deviceId: r.device_id,
      plays: r.plays,
      totalMs: r.total_ms,
      firstAt: r.first_at,
      lastAt: r.last_at,
    }));
  }

  async forDevice(deviceId: string, since: number, limit: number): Promise<StoredPlay[]> {
    return (
      await this.#db.query<PlayRow>(
        'SELECT * FROM plays WHERE device_id = $1 AND started_at >= $2 ORDER BY started_at DESC LIMIT $3',
        [deviceId, since, limit],
      )
    ).rows.map(playOf);
  }

  async insertFault(f: FaultRecord): Promise<void> {
    await this.#db.query(
      'INSERT INTO device_faults (device_id, notice_id, version, code, reason, at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [f.deviceId, f.noticeId, f.version, f.code, f.reason, f.at, f.receivedAt],
    );
  }

  async faultsForNotice(noticeId: string): Promise<FaultRecord[]> {
    return (
      await this.#db.query<{
        device_id: string;
        notice_id: string;
        version: number;
        code: string;
        reason: string;
        at: number;
        received_at: number;
      }>('SELECT * FROM device_faults WHERE notice_id = $1 ORDER BY seq', [noticeId])
    ).rows.map((r) => ({
      deviceId: r.device_id,
      noticeId: r.notice_id,
      version: r.version,
      code: r.code,
      reason: r.reason,
      at: r.at,
      receivedAt: r.received_at,
    }));
  }
}
