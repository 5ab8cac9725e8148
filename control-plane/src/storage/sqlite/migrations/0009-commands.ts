import type { Migration } from '../migrate.js';

/**
 * Issue 12, remote commands. `device_command_seqs` holds each device's last seq, so a seq is never reused
 * (not even after old commands are pruned) and its row lock orders concurrent creates. `envelope` is the
 * signed command as sent; `result` the device's signed answer, both as JSON text.
 */
export const migration0009: Migration = {
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
  issued_at   INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  envelope    TEXT NOT NULL,
  sent_at     INTEGER,
  done_at     INTEGER,
  result      TEXT,
  UNIQUE (device_id, seq)
);
CREATE INDEX device_commands_open ON device_commands (state, expires_at);
`,
};
