import type { Migration } from '../../sqlite/migrate.js';

/** PostgreSQL twin of storage/sqlite/migrations/0008-device-config.ts (same version and name). */
export const pgMigration0008: Migration = {
  version: 8,
  name: 'device-config',
  sql: `
CREATE TABLE config_settings (
  scope_kind  TEXT NOT NULL CHECK (scope_kind IN ('node', 'device')),
  scope_id    TEXT NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  set_by      TEXT NOT NULL,
  set_at      BIGINT NOT NULL,
  revision    BIGINT NOT NULL,
  PRIMARY KEY (scope_kind, scope_id, key)
);
CREATE TABLE config_scopes (
  scope_kind  TEXT NOT NULL CHECK (scope_kind IN ('node', 'device')),
  scope_id    TEXT NOT NULL,
  revision    BIGINT NOT NULL,
  changed_by  TEXT NOT NULL,
  changed_at  BIGINT NOT NULL,
  PRIMARY KEY (scope_kind, scope_id)
);
CREATE TABLE config_revision (
  id                  INTEGER PRIMARY KEY CHECK (id = 1),
  value               BIGINT NOT NULL,
  catalogue           TEXT NOT NULL,
  catalogue_revision  BIGINT NOT NULL
);
INSERT INTO config_revision (id, value, catalogue, catalogue_revision) VALUES (1, 0, '', 0);
CREATE TABLE config_reports (
  seq             BIGSERIAL PRIMARY KEY,
  device_id       TEXT NOT NULL,
  target_version  BIGINT NOT NULL,
  etag            TEXT NOT NULL,
  outcome         TEXT NOT NULL,
  report          TEXT NOT NULL,
  received_at     BIGINT NOT NULL
);
CREATE INDEX config_reports_device ON config_reports (device_id, seq);
`,
};
