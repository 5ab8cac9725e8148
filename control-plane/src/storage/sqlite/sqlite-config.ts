import type { Database } from 'better-sqlite3';
import { canonicalJson } from '../../../../protocol/canonical-json.js';
import type {
  ConfigNodeSnapshot,
  ConfigPatchInput,
  ConfigPatchResult,
  ConfigReportRecord,
  ConfigRepository,
  ConfigScope,
  ConfigScopeState,
  ConfigSettingRecord,
} from '../config-repository.js';
import { prepared } from './statements.js';

export interface SettingRow {
  scope_kind: 'node' | 'device';
  scope_id: string;
  key: string;
  value: string;
  set_by: string;
  set_at: number;
  revision: number;
}

export interface ReportRow {
  device_id: string;
  report: string;
  received_at: number;
}

export const toSetting = (r: SettingRow): ConfigSettingRecord => ({
  scope: { kind: r.scope_kind, id: r.scope_id },
  key: r.key,
  value: JSON.parse(r.value) as unknown,
  setBy: r.set_by,
  setAt: r.set_at,
  revision: r.revision,
});

export const toReport = (r: ReportRow): ConfigReportRecord => ({
  deviceId: r.device_id,
  report: JSON.parse(r.report) as ConfigReportRecord['report'],
  receivedAt: r.received_at,
});

/**
 * What a patch changes, given the scope's current values (canonical JSON text by key): the keys to write
 * (new or different) and the keys to delete (set now). Shared with the PostgreSQL twin.
 */
export function diffPatch(
  current: ReadonlyMap<string, string>,
  input: Pick<ConfigPatchInput, 'set' | 'clear'>,
): { write: [string, string][]; remove: string[] } {
  const write: [string, string][] = [];
  for (const [key, value] of Object.entries(input.set)) {
    const text = canonicalJson(value);
    if (current.get(key) !== text) write.push([key, text]);
  }
  const remove = input.clear.filter((k) => current.has(k) && !Object.hasOwn(input.set, k));
  return { write, remove };
}

export class SqliteConfig implements ConfigRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async applyPatch(input: ConfigPatchInput): Promise<ConfigPatchResult> {
    const { scope, by, at } = input;
    return this.#db
      .transaction((): ConfigPatchResult => {
        const rows = prepared(
          this.#db,
          'SELECT key, value FROM config_settings WHERE scope_kind = ? AND scope_id = ?',
        ).all(scope.kind, scope.id) as { key: string; value: string }[];
        const { write, remove } = diffPatch(new Map(rows.map((r) => [r.key, r.value])), input);
        if (write.length === 0 && remove.length === 0) return { changed: false, revision: this.#revision() };
        const revision = (
          prepared(
            this.#db,
            'UPDATE config_revision SET value = value + 1 WHERE id = 1 RETURNING value',
          ).get() as {
            value: number;
          }
        ).value;
        const upsert = prepared(
          this.#db,
          `INSERT INTO config_settings (scope_kind, scope_id, key, value, set_by, set_at, revision)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope_kind, scope_id, key) DO UPDATE SET
           value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at, revision = excluded.revision`,
        );
        for (const [key, text] of write) upsert.run(scope.kind, scope.id, key, text, by, at, revision);
        const del = prepared(
          this.#db,
          'DELETE FROM config_settings WHERE scope_kind = ? AND scope_id = ? AND key = ?',
        );
        for (const key of remove) del.run(scope.kind, scope.id, key);
        prepared(
          this.#db,
          `INSERT INTO config_scopes (scope_kind, scope_id, revision, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (scope_kind, scope_id) DO UPDATE SET
           revision = excluded.revision, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
        ).run(scope.kind, scope.id, revision, by, at);
        return { changed: true, revision };
      })
      .immediate();
  }

  async revision(): Promise<number> {
    return this.#revision();
  }

  #revision(): number {
    return (prepared(this.#db, 'SELECT value FROM config_revision WHERE id = 1').get() as { value: number })
      .value;
  }

  async getScope(scope: ConfigScope): Promise<ConfigScopeState> {
    return this.#db.transaction((): ConfigScopeState => {
      const rows = prepared(
        this.#db,
        'SELECT * FROM config_settings WHERE scope_kind = ? AND scope_id = ? ORDER BY key',
      ).all(scope.kind, scope.id) as SettingRow[];
      const rev = prepared(
        this.#db,
        'SELECT revision FROM config_scopes WHERE scope_kind = ? AND scope_id = ?',
      ).get(scope.kind, scope.id) as { revision: number } | undefined;
      return { settings: rows.map(toSetting), revision: rev?.revision ?? 0 };
    })();
  }

  async ensureCatalogue(hash: string): Promise<void> {
    prepared(
      this.#db,
      `UPDATE config_revision SET value = value + 1, catalogue = ?, catalogue_revision = value + 1
        WHERE id = 1 AND catalogue <> ?`,
    ).run(hash, hash);
  }

  async nodeSnapshot(): Promise<ConfigNodeSnapshot> {
    return this.#db.transaction((): ConfigNodeSnapshot => {
      const { value: revision, catalogue_revision: catalogueRevision } = prepared(
        this.#db,
        'SELECT value, catalogue_revision FROM config_revision WHERE id = 1',
      ).get() as { value: number; catalogue_revision: number };
      const rows = prepared(
        this.#db,
        "SELECT * FROM config_settings WHERE scope_kind = 'node' ORDER BY scope_id, key",
      ).all() as SettingRow[];
      const scopes = prepared(
        this.#db,
        "SELECT scope_id, revision FROM config_scopes WHERE scope_kind = 'node'",
      ).all() as { scope_id: string; revision: number }[];
      return {
        revision,
        settings: rows.map(toSetting),
        nodeRevisions: new Map(scopes.map((s) => [s.scope_id, s.revision])),
        catalogueRevision,
      };
    })();
  }

  async saveReport(record: ConfigReportRecord, keep: number): Promise<void> {
    this.#db.transaction(() => {
      const { report } = record;
      prepared(
        this.#db,
        `INSERT INTO config_reports (device_id, target_version, etag, outcome, report, received_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(
        record.deviceId,
        report.targetVersion,
        report.etag,
        report.outcome,
        JSON.stringify(report),
        record.receivedAt,
      );
      prepared(
        this.#db,
        `DELETE FROM config_reports WHERE device_id = ?
           AND seq NOT IN (SELECT seq FROM config_reports WHERE device_id = ? ORDER BY seq DESC LIMIT ?)`,
      ).run(record.deviceId, record.deviceId, keep);
    })();
  }

  async listReports(deviceId: string, limit: number): Promise<ConfigReportRecord[]> {
    const rows = prepared(
      this.#db,
      'SELECT device_id, report, received_at FROM config_reports WHERE device_id = ? ORDER BY seq DESC LIMIT ?',
    ).all(deviceId, limit) as ReportRow[];
    return rows.map(toReport);
  }
}
