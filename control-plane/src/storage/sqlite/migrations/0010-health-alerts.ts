import type { Migration } from '../migrate.js';

/**
 * Issue 12, health and alerts: each device's latest health and a bounded history, emergency
 * acknowledgements, and alerts with one unresolved alert per rule and subject (the partial unique index, so
 * two instances sweeping at once cannot open duplicates). Kept in step with pg/migrations/0010-health-alerts.ts.
 */
export const migration0010: Migration = {
  version: 10,
  name: 'health-alerts',
  sql: `
CREATE TABLE device_health (
  device_id    TEXT PRIMARY KEY REFERENCES devices(id),
  received_at  INTEGER NOT NULL,
  report       TEXT NOT NULL
);
CREATE TABLE device_health_history (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id    TEXT NOT NULL REFERENCES devices(id),
  received_at  INTEGER NOT NULL,
  report       TEXT NOT NULL
);
CREATE INDEX device_health_history_device ON device_health_history (device_id, seq);
CREATE INDEX device_health_history_time ON device_health_history (received_at);
CREATE TABLE emergency_acks (
  device_id  TEXT NOT NULL REFERENCES devices(id),
  seq        INTEGER NOT NULL,
  at         INTEGER NOT NULL,
  PRIMARY KEY (seq, device_id)
);
CREATE TABLE alerts (
  id           TEXT PRIMARY KEY,
  rule         TEXT NOT NULL,
  subject      TEXT NOT NULL,
  node_id      TEXT NOT NULL REFERENCES nodes(id),
  device_id    TEXT REFERENCES devices(id),
  severity     TEXT NOT NULL CHECK (severity IN ('critical','warning','info')),
  state        TEXT NOT NULL CHECK (state IN ('open','acknowledged','resolved')),
  detail       TEXT NOT NULL,
  opened_at    INTEGER NOT NULL,
  acked_at     INTEGER,
  acked_by     TEXT,
  resolved_at  INTEGER,
  resolved_by  TEXT
);
CREATE UNIQUE INDEX alerts_one_unresolved ON alerts (rule, subject) WHERE state <> 'resolved';
CREATE INDEX alerts_node ON alerts (node_id, opened_at);
CREATE INDEX alerts_device ON alerts (device_id, opened_at);
`,
};
