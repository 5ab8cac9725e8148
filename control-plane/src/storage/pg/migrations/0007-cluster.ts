import type { Migration } from '../../sqlite/migrate.js';

/** PostgreSQL twin of storage/sqlite/migrations/0007-cluster.ts (same version and name). */
export const pgMigration0007: Migration = {
  version: 7,
  name: 'cluster',
  sql: `
CREATE TABLE cluster_instances (
  id            TEXT PRIMARY KEY,
  started_at    BIGINT NOT NULL,
  heartbeat_at  BIGINT NOT NULL
);
CREATE TABLE device_presence (
  device_id    TEXT PRIMARY KEY,
  instance_id  TEXT NOT NULL,
  since        BIGINT NOT NULL
);
CREATE INDEX device_presence_instance ON device_presence (instance_id);
CREATE TABLE challenge_nonces (
  nonce       TEXT PRIMARY KEY,
  purpose     TEXT NOT NULL,
  subject     TEXT NOT NULL,
  expires_at  BIGINT NOT NULL
);
CREATE INDEX challenge_nonces_expiry ON challenge_nonces (expires_at);
CREATE TABLE cluster_mail (
  seq          BIGSERIAL PRIMARY KEY,
  instance_id  TEXT NOT NULL,
  kind         TEXT NOT NULL,
  body         TEXT NOT NULL,
  created_at   BIGINT NOT NULL
);
CREATE INDEX cluster_mail_instance ON cluster_mail (instance_id, seq);
CREATE TABLE cluster_requests (
  id           TEXT PRIMARY KEY,
  instance_id  TEXT NOT NULL,
  device_id    TEXT NOT NULL,
  expires_at   BIGINT NOT NULL
);
`,
};
