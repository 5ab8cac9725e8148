import type { Migration } from '../migrate.js';

/**
 * Signed content and signage (issue #4): notices with a moderation workflow and an audit log, emergency
 * issues (the sequence numbers devices check against replay), content-addressed media, each device's own TUF
 * repository view, and proof of play. The walking skeleton's notice tables are replaced: their envelopes
 * were signed for a delivery path that no longer exists.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'signage',
  sql: `
DROP TABLE IF EXISTS notice_targets;
DROP TABLE IF EXISTS notices;

CREATE TABLE notices (
  id                    TEXT PRIMARY KEY,
  status                TEXT NOT NULL CHECK (status IN ('draft','pending','published','rejected','withdrawn')),
  revision              INTEGER NOT NULL CHECK (revision >= 1),
  content               TEXT NOT NULL,
  published_version     INTEGER,
  published             TEXT,
  approved_at           INTEGER,
  approved_by           TEXT REFERENCES admins(id),
  published_expires_at  INTEGER,
  emergency_seq         INTEGER,
  emergency_live_until  INTEGER,
  rejected_reason       TEXT,
  created_by            TEXT NOT NULL REFERENCES admins(id),
  updated_by            TEXT NOT NULL REFERENCES admins(id),
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
);

-- The target nodes of the PUBLISHED content: what devices receive.
CREATE TABLE notice_targets (
  notice_id  TEXT NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
  node_id    TEXT NOT NULL REFERENCES nodes(id),
  PRIMARY KEY (notice_id, node_id)
);
CREATE INDEX notice_targets_node ON notice_targets(node_id);

CREATE TABLE notice_audit (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  notice_id  TEXT NOT NULL REFERENCES notices(id),
  actor_id   TEXT NOT NULL REFERENCES admins(id),
  action     TEXT NOT NULL,
  revision   INTEGER NOT NULL,
  detail     TEXT
);
CREATE INDEX notice_audit_notice ON notice_audit(notice_id, seq);

-- One row per emergency envelope; seq is what devices compare against replays.
CREATE TABLE emergency_issues (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  notice_id  TEXT NOT NULL REFERENCES notices(id),
  action     TEXT NOT NULL CHECK (action IN ('show','cancel')),
  ttl_sec    INTEGER NOT NULL,
  issued_at  INTEGER NOT NULL,
  issued_by  TEXT NOT NULL REFERENCES admins(id),
  envelope   TEXT NOT NULL
);
CREATE INDEX emergency_issues_notice ON emergency_issues(notice_id, seq);

CREATE TABLE media (
  sha256        TEXT PRIMARY KEY,
  content_type  TEXT NOT NULL,
  ext           TEXT NOT NULL CHECK (ext IN ('png','jpg','webp')),
  length        INTEGER NOT NULL CHECK (length > 0),
  width         INTEGER NOT NULL,
  height        INTEGER NOT NULL,
  data          BLOB NOT NULL,
  uploaded_by   TEXT NOT NULL REFERENCES admins(id),
  uploaded_at   INTEGER NOT NULL
);

-- Each device's own TUF repository view; snapshot and targets texts are kept for a few versions.
CREATE TABLE tuf_views (
  device_id          TEXT PRIMARY KEY REFERENCES devices(id),
  root_version       INTEGER NOT NULL,
  manifest_sha256    TEXT NOT NULL,
  targets_version    INTEGER NOT NULL,
  targets_expires    INTEGER NOT NULL,
  snapshot_version   INTEGER NOT NULL,
  snapshot_expires   INTEGER NOT NULL,
  timestamp_version  INTEGER NOT NULL,
  timestamp_expires  INTEGER NOT NULL,
  timestamp_text     TEXT NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE TABLE tuf_metadata (
  device_id   TEXT NOT NULL REFERENCES devices(id),
  role        TEXT NOT NULL CHECK (role IN ('snapshot','targets')),
  version     INTEGER NOT NULL,
  text        TEXT NOT NULL,
  PRIMARY KEY (device_id, role, version)
);
CREATE TABLE tuf_manifests (
  sha256      TEXT PRIMARY KEY,
  device_id   TEXT NOT NULL REFERENCES devices(id),
  data        BLOB NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX tuf_manifests_device ON tuf_manifests(device_id, created_at);

CREATE TABLE plays (
  device_id    TEXT NOT NULL REFERENCES devices(id),
  play_id      TEXT NOT NULL,
  notice_id    TEXT NOT NULL,
  version      INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  duration_ms  INTEGER NOT NULL,
  surface      TEXT NOT NULL,
  emergency    INTEGER NOT NULL DEFAULT 0,
  received_at  INTEGER NOT NULL,
  PRIMARY KEY (device_id, play_id)
);
CREATE INDEX plays_notice ON plays(notice_id, started_at);
CREATE INDEX plays_device ON plays(device_id, started_at);

CREATE TABLE device_faults (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id    TEXT NOT NULL REFERENCES devices(id),
  notice_id    TEXT NOT NULL,
  version      INTEGER NOT NULL,
  code         TEXT NOT NULL,
  reason       TEXT NOT NULL,
  at           INTEGER NOT NULL,
  received_at  INTEGER NOT NULL
);
CREATE INDEX device_faults_notice ON device_faults(notice_id);
`,
};
