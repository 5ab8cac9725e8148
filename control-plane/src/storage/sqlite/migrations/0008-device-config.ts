import type { Migration } from '../migrate.js';

/**
 * Issue 12, desired-state configuration: settings set on a node or a device (one row per scope × key, the
 * value as canonical JSON text), the revision of each scope's last change (kept after its keys are cleared,
 * so a device's target version never goes back), the one global revision every write takes (a single row,
 * which also serialises config writes; with the hash of the settings catalogue the running release has and
 * the revision at which it last changed, so a release with new defaults raises every device's version),
 * and the devices' reports. Kept in step with
 * storage/pg/migrations/0008-device-config.ts.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'device-config',
  sql: `
CREATE TABLE config_settings (
  scope_kind  TEXT NOT NULL CHECK (scope_kind IN ('node', 'device')),
  scope_id    TEXT NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  set_by      TEXT NOT NULL,
  set_at      INTEGER NOT NULL,
  revision    INTEGER NOT NULL,
  PRIMARY KEY (scope_kind, scope_id, key)
);
CREATE TABLE config_scopes (
  scope_kind  TEXT NOT NULL CHECK (scope_kind IN ('node', 'device')),
  scope_id    TEXT NOT NULL,
  revision    INTEGER NOT NULL,
  changed_by  TEXT NOT NULL,
  changed_at  INTEGER NOT NULL,
  PRIMARY KEY (scope_kind, scope_id)
);
CREATE TABLE config_revision (
  id                  INTEGER PRIMARY KEY CHECK (id = 1),
  value               INTEGER NOT NULL,
  catalogue           TEXT NOT NULL,
  catalogue_revision  INTEGER NOT NULL
);
INSERT INTO config_revision (id, value, catalogue, catalogue_revision) VALUES (1, 0, '', 0);
CREATE TABLE config_reports (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id       TEXT NOT NULL,
  target_version  INTEGER NOT NULL,
  etag            TEXT NOT NULL,
  outcome         TEXT NOT NULL,
  report          TEXT NOT NULL,
  received_at     INTEGER NOT NULL
);
CREATE INDEX config_reports_device ON config_reports (device_id, seq);
`,
};
