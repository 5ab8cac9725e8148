import type pg from 'pg';
import type {
  ConfigNodeSnapshot,
  ConfigPatchInput,
  ConfigPatchResult,
  ConfigReportRecord,
  ConfigRepository,
  ConfigScope,
  ConfigScopeState,
} from '../config-repository.js';
import { diffPatch, type ReportRow, type SettingRow, toReport, toSetting } from '../sqlite/sqlite-config.js';
import type { PgDatabase } from './pg-database.js';

/** PostgreSQL twin of SqliteConfig. */
export class PgConfig implements ConfigRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  /**
   * The revision row is locked first (`FOR UPDATE`): config writes queue behind each other, so each reads
   * the scope as the previous one committed it, and revisions commit in the order they are numbered.
   */
  async applyPatch(input: ConfigPatchInput): Promise<ConfigPatchResult> {
    const { scope, by, at } = input;
    return this.#db.tx(async (c) => {
      const current = (
        await c.query<{ value: number }>('SELECT value FROM config_revision WHERE id = 1 FOR UPDATE')
      ).rows[0]!.value;
      const rows = (
        await c.query<{ key: string; value: string }>(
          'SELECT key, value FROM config_settings WHERE scope_kind = $1 AND scope_id = $2',
          [scope.kind, scope.id],
        )
      ).rows;
      const { write, remove } = diffPatch(new Map(rows.map((r) => [r.key, r.value])), input);
      if (write.length === 0 && remove.length === 0) return { changed: false, revision: current };
      const revision = current + 1;
      await c.query('UPDATE config_revision SET value = $1 WHERE id = 1', [revision]);
      for (const [key, text] of write) {
        await c.query(
          `INSERT INTO config_settings (scope_kind, scope_id, key, value, set_by, set_at, revision)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (scope_kind, scope_id, key) DO UPDATE SET
             value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at, revision = excluded.revision`,
          [scope.kind, scope.id, key, text, by, at, revision],
        );
      }
      if (remove.length > 0) {
        await c.query(
          'DELETE FROM config_settings WHERE scope_kind = $1 AND scope_id = $2 AND key = ANY($3::text[])',
          [scope.kind, scope.id, remove],
        );
      }
      await c.query(
        `INSERT INTO config_scopes (scope_kind, scope_id, revision, changed_by, changed_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (scope_kind, scope_id) DO UPDATE SET
           revision = excluded.revision, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
        [scope.kind, scope.id, revision, by, at],
      );
      return { changed: true, revision };
    });
  }

  async revision(): Promise<number> {
    return (await this.#db.query<{ value: number }>('SELECT value FROM config_revision WHERE id = 1'))
      .rows[0]!.value;
  }

  async getScope(scope: ConfigScope): Promise<ConfigScopeState> {
    // One statement, so the rows and the scope's revision are one snapshot.
    const { rows } = await this.#db.query<SettingRow & { scope_revision: number | null }>(
      `SELECT s.*, r.revision AS scope_revision
         FROM (SELECT $1::text AS kind, $2::text AS id) q
         LEFT JOIN config_scopes r ON r.scope_kind = q.kind AND r.scope_id = q.id
         LEFT JOIN config_settings s ON s.scope_kind = q.kind AND s.scope_id = q.id
        ORDER BY s.key`,
      [scope.kind, scope.id],
    );
    return {
      settings: rows.filter((r) => r.key !== null).map(toSetting),
      revision: rows[0]?.scope_revision ?? 0,
    };
  }

  /** One UPDATE: it takes the row lock, so it queues with the writes and numbers in the same sequence. */
  async ensureCatalogue(hash: string): Promise<void> {
    await this.#db.query(
      `UPDATE config_revision SET value = value + 1, catalogue = $1, catalogue_revision = value + 1
        WHERE id = 1 AND catalogue <> $1`,
      [hash],
    );
  }

  async nodeSnapshot(): Promise<ConfigNodeSnapshot> {
    // REPEATABLE READ: the revision and both lists come from one snapshot.
    return this.#db.tx(
      async (c: pg.PoolClient) => {
        const head = (
          await c.query<{ value: number; catalogue_revision: number }>(
            'SELECT value, catalogue_revision FROM config_revision WHERE id = 1',
          )
        ).rows[0]!;
        const rows = (
          await c.query<SettingRow>(
            "SELECT * FROM config_settings WHERE scope_kind = 'node' ORDER BY scope_id, key",
          )
        ).rows;
        const scopes = (
          await c.query<{ scope_id: string; revision: number }>(
            "SELECT scope_id, revision FROM config_scopes WHERE scope_kind = 'node'",
          )
        ).rows;
        return {
          revision: head.value,
          settings: rows.map(toSetting),
          nodeRevisions: new Map(scopes.map((s) => [s.scope_id, s.revision])),
          catalogueRevision: head.catalogue_revision,
        };
      },
      { isolation: 'repeatable read' },
    );
  }

  async saveReport(record: ConfigReportRecord, keep: number): Promise<void> {
    const { report } = record;
    await this.#db.tx(async (c) => {
      await c.query(
        `INSERT INTO config_reports (device_id, target_version, etag, outcome, report, received_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          record.deviceId,
          report.targetVersion,
          report.etag,
          report.outcome,
          JSON.stringify(report),
          record.receivedAt,
        ],
      );
      await c.query(
        `DELETE FROM config_reports WHERE device_id = $1
           AND seq NOT IN (SELECT seq FROM config_reports WHERE device_id = $1 ORDER BY seq DESC LIMIT $2)`,
        [record.deviceId, keep],
      );
    });
  }

  async listReports(deviceId: string, limit: number): Promise<ConfigReportRecord[]> {
    const { rows } = await this.#db.query<ReportRow>(
      'SELECT device_id, report, received_at FROM config_reports WHERE device_id = $1 ORDER BY seq DESC LIMIT $2',
      [deviceId, limit],
    );
    return rows.map(toReport);
  }
}
