import type { Migration } from '../../sqlite/migrate.js';

/** PostgreSQL twin of sqlite/migrations/0009-commands.ts: remote commands and each device's last seq. */
export const pgMigration0009: Migration = {
  version: 9,
  name: 'commands',
  sql: `
CREATE TABLE device_command_seqs (
  device_id   TEXT PRIMARY KEY REFERENCES devices(id),
  last_seq    INTEGER NOT NULL
);
CREATE TABLE device_commands (
  id          TEXT PRIMARY KEY,
  device_id   TEXT NOT NULL REFERENCES devices(id),
  seq         INTEGER NOT NULL,
  op          TEXT NOT NULL,
  args        TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('pending','sent','done','failed','rejected','expired')),
  created_by  TEXT NOT NULL,
  issued_at   BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  envelope    TEXT NOT NULL,
  sent_at     BIGINT,
  done_at     BIGINT,
  result      TEXT,
  UNIQUE (device_id, seq)
);
CREATE INDEX device_commands_open ON device_commands (state, expires_at);
`,
};
