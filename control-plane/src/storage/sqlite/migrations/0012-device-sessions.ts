import type { Migration } from '../migrate.js';

/**
 * Issue 12, the console's device page: each device's channel sessions (online history) with the instance
 * that held them, why they ended and the runtime the device said it runs. Written with the presence batch
 * (cluster/cluster-notifier.ts), pruned by cluster/session-retention.ts. Kept in step with
 * storage/pg/migrations/0012-device-sessions.ts.
 */
export const migration0012: Migration = {
  version: 12,
  name: 'device-sessions',
  sql: `
CREATE TABLE device_channel_sessions (
  id                TEXT PRIMARY KEY,
  device_id         TEXT NOT NULL,
  instance_id       TEXT NOT NULL,
  connected_at      INTEGER NOT NULL,
  disconnected_at   INTEGER,
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
