import type { Database } from 'better-sqlite3';
import type { FaultRecord, MediaRecord, StoredPlay, TufViewRecord } from '../signage-records.js';
import type { MediaRepository, PlayRepository, TufViewRepository } from '../signage-repository.js';
import { prepared } from './statements.js';

export class SqliteMedia implements MediaRepository {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  async put(m: MediaRecord, data: Uint8Array): Promise<void> {
    // Content-addressed: the same bytes uploaded twice are the same media.
    prepared(
      this.#db,
      `INSERT OR IGNORE INTO media (sha256, content_type, ext, length, width, height, data, uploaded_by, uploaded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(m.sha256, m.contentType, m.ext, m.length, m.width, m.height, data, m.uploadedBy, m.uploadedAt);
  }

  async get(sha256: string): Promise<MediaRecord | undefined> {
    const r = prepared(
      this.#db,
      'SELECT sha256, content_type, ext, length, width, height, uploaded_by, uploaded_at FROM media WHERE sha256 = ?',
    ).get(sha256) as
      | {
          sha256: string;
          content_type: string;
          ext: MediaRecord['ext'];
          length: number;
          width: number;
          height: number;
          uploaded_by: string;
          uploaded_at: number;
        }
      | undefined;
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
    const r = prepared(this.#db, 'SELECT data FROM media WHERE sha256 = ?').get(sha256) as
      | { data: Buffer }
      | undefined;
    return r?.data;
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

export class SqliteTufViews implements TufViewRepository {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  async get(deviceId: string): Promise<TufViewRecord | undefined> {
    const r = prepared(this.#db, 'SELECT * FROM tuf_views WHERE device_id = ?').get(deviceId) as
      | ViewRow
      | undefined;
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
    return this.#db.transaction(() => {
      // Versions only move forward (the PostgreSQL store's rule too, where two instances may race): a save
      // that does not advance the timestamp, or moves snapshot or targets back, is refused and writes nothing.
      const saved = prepared(
        this.#db,
        `INSERT INTO tuf_views (device_id, root_version, manifest_sha256, targets_version, targets_expires,
             snapshot_version, snapshot_expires, timestamp_version, timestamp_expires, timestamp_text, updated_at)
           VALUES (@deviceId, @rootVersion, @manifestSha256, @targetsVersion, @targetsExpires, @snapshotVersion,
             @snapshotExpires, @timestampVersion, @timestampExpires, @timestampText, @updatedAt)
           ON CONFLICT (device_id) DO UPDATE SET root_version = excluded.root_version,
             manifest_sha256 = excluded.manifest_sha256, targets_version = excluded.targets_version,
             targets_expires = excluded.targets_expires, snapshot_version = excluded.snapshot_version,
             snapshot_expires = excluded.snapshot_expires, timestamp_version = excluded.timestamp_version,
             timestamp_expires = excluded.timestamp_expires, timestamp_text = excluded.timestamp_text,
             updated_at = excluded.updated_at
           WHERE tuf_views.timestamp_version < excluded.timestamp_version
             AND tuf_views.snapshot_version <= excluded.snapshot_version
             AND tuf_views.targets_version <= excluded.targets_version`,
      ).run(v).changes;
      if (saved !== 1) return false;
      const put = prepared(
        this.#db,
        'INSERT OR REPLACE INTO tuf_metadata (device_id, role, version, text) VALUES (?, ?, ?, ?)',
      );
      if (texts.snapshot !== undefined) put.run(v.deviceId, 'snapshot', v.snapshotVersion, texts.snapshot);
      if (texts.targets !== undefined) put.run(v.deviceId, 'targets', v.targetsVersion, texts.targets);
      // Older versions stay fetchable for a while: a device may read timestamp N and then snapshot N.
      prepared(
        this.#db,
        "DELETE FROM tuf_metadata WHERE device_id = ? AND role = 'snapshot' AND version <= ?",
      ).run(v.deviceId, v.snapshotVersion - keep);
      prepared(
        this.#db,
        "DELETE FROM tuf_metadata WHERE device_id = ? AND role = 'targets' AND version <= ?",
      ).run(v.deviceId, v.targetsVersion - keep);
      if (manifest) {
        prepared(
          this.#db,
          'INSERT OR IGNORE INTO tuf_manifests (sha256, device_id, data, created_at) VALUES (?, ?, ?, ?)',
        ).run(manifest.sha256, v.deviceId, manifest.data, v.updatedAt);
        prepared(
          this.#db,
          `DELETE FROM tuf_manifests WHERE device_id = ? AND sha256 NOT IN
               (SELECT sha256 FROM tuf_manifests WHERE device_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?)`,
        ).run(v.deviceId, v.deviceId, keep);
      }
      return true;
    })();
  }

  async text(deviceId: string, role: 'snapshot' | 'targets', version: number): Promise<string | undefined> {
    const r = prepared(
      this.#db,
      'SELECT text FROM tuf_metadata WHERE device_id = ? AND role = ? AND version = ?',
    ).get(deviceId, role, version) as { text: string } | undefined;
    return r?.text;
  }

  async manifest(sha256: string): Promise<{ deviceId: string; data: Buffer } | undefined> {
    const r = prepared(this.#db, 'SELECT device_id, data FROM tuf_manifests WHERE sha256 = ?').get(sha256) as
      | { device_id: string; data: Buffer }
      | undefined;
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
  emergency: number;
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
    emergency: r.emergency === 1,
    receivedAt: r.received_at,
  };
}

export class SqlitePlays implements PlayRepository {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  async insert(plays: readonly StoredPlay[]): Promise<{ accepted: number; duplicates: number }> {
    return this.#db.transaction(() => {
      // A showing is reported as it starts and again as it goes on: a known play id only ever grows longer,
      // and only if it names the same showing (notice, version, start, surface); anything else is a no-op.
      const ins = prepared(
        this.#db,
        `INSERT INTO plays (device_id, play_id, notice_id, version, started_at, duration_ms, surface, emergency, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (device_id, play_id) DO UPDATE SET duration_ms = excluded.duration_ms,
           received_at = excluded.received_at
         WHERE excluded.duration_ms > plays.duration_ms AND plays.notice_id = excluded.notice_id
           AND plays.version = excluded.version AND plays.started_at = excluded.started_at
           AND plays.surface = excluded.surface AND plays.emergency = excluded.emergency`,
      );
      let accepted = 0;
      for (const p of plays) {
        accepted += ins.run(
          p.deviceId,
          p.playId,
          p.noticeId,
          p.version,
          Date.parse(p.startedAt),
          p.durationMs,
          p.surface,
          p.emergency ? 1 : 0,
          p.receivedAt,
        ).changes;
      }
      return { accepted, duplicates: plays.length - accepted };
    })();
  }

  async forNotice(noticeId: string, since: number, limit: number): Promise<StoredPlay[]> {
    return (
      prepared(
        this.#db,
        'SELECT * FROM plays WHERE notice_id = ? AND started_at >= ? ORDER BY started_at DESC LIMIT ?',
      ).all(noticeId, since, limit) as PlayRow[]
    ).map(playOf);
  }

  async summaryForNotice(noticeId: string, since: number) {
    return (
      prepared(
        this.#db,
        `SELECT device_id, COUNT(*) AS plays, SUM(duration_ms) AS total_ms, MIN(started_at) AS first_at,
                  MAX(started_at) AS last_at
           FROM plays WHERE notice_id = ? AND started_at >= ? GROUP BY device_id ORDER BY device_id`,
      ).all(noticeId, since) as {
        device_id: string;
        plays: number;
        total_ms: number;
        first_at: number;
        last_at: number;
      }[]
    ).map((r) => ({
      deviceId: r.device_id,
      plays: r.plays,
      totalMs: r.total_ms,
      firstAt: r.first_at,
      lastAt: r.last_at,
    }));
  }

  async forDevice(deviceId: string, since: number, limit: number): Promise<StoredPlay[]> {
    return (
      prepared(
        this.#db,
        'SELECT * FROM plays WHERE device_id = ? AND started_at >= ? ORDER BY started_at DESC LIMIT ?',
      ).all(deviceId, since, limit) as PlayRow[]
    ).map(playOf);
  }

  async insertFault(f: FaultRecord): Promise<void> {
    prepared(
      this.#db,
      'INSERT INTO device_faults (device_id, notice_id, version, code, reason, at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(f.deviceId, f.noticeId, f.version, f.code, f.reason, f.at, f.receivedAt);
  }

  async faultsForNotice(noticeId: string): Promise<FaultRecord[]> {
    return (
      prepared(this.#db, 'SELECT * FROM device_faults WHERE notice_id = ? ORDER BY seq').all(noticeId) as {
        device_id: string;
        notice_id: string;
        version: number;
        code: string;
        reason: string;
        at: number;
        received_at: number;
      }[]
    ).map((r) => ({
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
