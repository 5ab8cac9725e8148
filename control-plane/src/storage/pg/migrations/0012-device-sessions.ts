import type { Migration } from '../../sqlite/migrate.js';

/** PostgreSQL twin of storage/sqlite/migrations/0012-device-sessions.ts (same version and name). */
export const pgMigration0012: Migration = {
  version: 12,
  name: 'device-sessions',
  sql: `
CREATE TABLE device_channel_sessions (
  id                TEXT PRIMARY KEY,
  device_id         TEXT NOT NULL,
  instance_id       TEXT NOT NULL,
  connected_at      BIGINT NOT NULL,
  disconnected_at   BIGINT,
  close_reason      TEXT,
  close_code        INTEGER,
  runtime_version   TEXT,
  runtime_git       TEXT,
  runtime_node      TEXT,
  runtime_platform  TEXT
);
CREATE INDEX device_channel_sessions_device ON device_channel_sessions (device_id, connected_at);
CREATE INDEX device_channel_sessions_open ON device_channel_sessions (instance_id) WHERE disconnected_at IS NULL;
CREATE INDEX device_channel_sessions_connected ON device_channel_sessions (connected_at);
`,
};
