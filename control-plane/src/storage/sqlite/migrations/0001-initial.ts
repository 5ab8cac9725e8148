import type { Migration } from '../migrate.js';

/**
 * The walking skeleton's schema. Times are INTEGER epoch milliseconds; JSON columns hold what is signed or
 * shown as it was, so a signature never has to be recomputed from reassembled columns.
 */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE nodes (
  id          TEXT PRIMARY KEY,
  parent_id   TEXT REFERENCES nodes(id),
  level       TEXT NOT NULL CHECK (level IN ('city','district','street','community')),
  name        TEXT NOT NULL,
  timezone    TEXT NOT NULL,
  ancestry    TEXT NOT NULL UNIQUE,   -- '/root/.../self/': subtree = ancestry GLOB '<prefix>*'
  created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX nodes_parent_name ON nodes(IFNULL(parent_id, ''), name);

CREATE TABLE admins (
  id             TEXT PRIMARY KEY,
  username       TEXT NOT NULL UNIQUE,
  password_hash  TEXT NOT NULL,
  role           TEXT NOT NULL CHECK (role IN ('admin','staff')),
  node_id        TEXT NOT NULL REFERENCES nodes(id),
  created_at     INTEGER NOT NULL
);

CREATE TABLE admin_sessions (
  token_hash  TEXT PRIMARY KEY,
  admin_id    TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX admin_sessions_admin ON admin_sessions(admin_id);

CREATE TABLE enrollment_tokens (
  id           TEXT PRIMARY KEY,
  secret_hash  TEXT NOT NULL,
  node_id      TEXT NOT NULL REFERENCES nodes(id),
  role         TEXT NOT NULL CHECK (role IN ('kiosk','lobby','led')),
  max_uses     INTEGER NOT NULL CHECK (max_uses >= 1),
  uses         INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
  expires_at   INTEGER NOT NULL,
  revoked_at   INTEGER,
  tags         TEXT NOT NULL DEFAULT '[]',
  created_by   TEXT NOT NULL REFERENCES admins(id),
  created_at   INTEGER NOT NULL
);

CREATE TABLE devices (
  id            TEXT PRIMARY KEY,
  node_id       TEXT NOT NULL REFERENCES nodes(id),
  role          TEXT NOT NULL CHECK (role IN ('kiosk','lobby','led')),
  name          TEXT NOT NULL,
  public_key    TEXT NOT NULL UNIQUE,
  status        TEXT NOT NULL CHECK (status IN ('active','revoked')),
  tags          TEXT NOT NULL DEFAULT '[]',
  hardware      TEXT,
  token_id      TEXT NOT NULL REFERENCES enrollment_tokens(id),
  enrolled_at   INTEGER NOT NULL,
  last_seen_at  INTEGER,
  last_status   TEXT,
  revoked_at    INTEGER
);
CREATE INDEX devices_node ON devices(node_id);

CREATE TABLE device_sessions (
  token_hash  TEXT PRIMARY KEY,
  device_id   TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX device_sessions_device ON device_sessions(device_id);

CREATE TABLE notices (
  id            TEXT PRIMARY KEY,
  node_id       TEXT NOT NULL REFERENCES nodes(id),
  roles         TEXT,
  category      TEXT NOT NULL,
  priority      TEXT NOT NULL,
  published_at  INTEGER NOT NULL,
  expires_at    INTEGER,
  created_by    TEXT NOT NULL REFERENCES admins(id),
  envelope      TEXT NOT NULL
);

CREATE TABLE notice_targets (
  notice_id  TEXT NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
  node_id    TEXT NOT NULL REFERENCES nodes(id),
  PRIMARY KEY (notice_id, node_id)
);
CREATE INDEX notice_targets_node ON notice_targets(node_id);

CREATE TABLE bills (
  id              TEXT PRIMARY KEY,
  device_id       TEXT NOT NULL REFERENCES devices(id),
  biller_id       TEXT NOT NULL,
  account         TEXT NOT NULL,
  biller_bill_ref TEXT NOT NULL,
  amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
  period          TEXT NOT NULL,
  community_id    TEXT NOT NULL REFERENCES nodes(id),
  issued_at       INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  envelope        TEXT NOT NULL
);
CREATE INDEX bills_device ON bills(device_id);

CREATE TABLE payments (
  id               TEXT PRIMARY KEY,
  device_id        TEXT NOT NULL REFERENCES devices(id),
  bill_id          TEXT NOT NULL REFERENCES bills(id),
  idempotency_key  TEXT NOT NULL,
  biller_id        TEXT NOT NULL,
  biller_bill_ref  TEXT NOT NULL,
  account_masked   TEXT NOT NULL,
  amount_fen       INTEGER NOT NULL CHECK (amount_fen > 0),
  method           TEXT NOT NULL,
  state            TEXT NOT NULL,
  auth_code        TEXT,
  masked_card      TEXT,
  card_token       TEXT,
  terminal_txn_id  TEXT,
  posting_id       TEXT,
  capture_id       TEXT,
  receipt_id       TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (device_id, idempotency_key)
);
CREATE INDEX payments_bill_ref ON payments(biller_bill_ref);

CREATE TABLE payment_transitions (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  payment_id  TEXT NOT NULL REFERENCES payments(id),
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  at          INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  detail      TEXT
);
CREATE INDEX payment_transitions_payment ON payment_transitions(payment_id, seq);

CREATE TABLE idempotency_records (
  device_id     TEXT NOT NULL REFERENCES devices(id),
  key           TEXT NOT NULL,
  request_hash  TEXT NOT NULL,
  payment_id    TEXT NOT NULL REFERENCES payments(id),
  status_code   INTEGER NOT NULL,
  response      TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (device_id, key)
);

CREATE TABLE receipts (
  id          TEXT PRIMARY KEY,
  payment_id  TEXT NOT NULL UNIQUE REFERENCES payments(id),
  envelope    TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);

-- The simulators' own ledgers: what a biller and an acquirer would have recorded.
CREATE TABLE sim_biller_postings (
  payment_id  TEXT PRIMARY KEY,
  posting_id  TEXT NOT NULL UNIQUE,
  biller_id   TEXT NOT NULL,
  account     TEXT NOT NULL,
  bill_ref    TEXT NOT NULL UNIQUE,
  amount_fen  INTEGER NOT NULL,
  posted_at   INTEGER NOT NULL
);

-- No uniqueness here on purpose: idempotency is the simulator's job, and a second row would show it failed.
CREATE TABLE sim_gateway_ledger (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  payment_id  TEXT NOT NULL,
  op          TEXT NOT NULL CHECK (op IN ('capture','void')),
  reference   TEXT NOT NULL,
  card_token  TEXT,
  amount_fen  INTEGER NOT NULL,
  at          INTEGER NOT NULL
);
CREATE INDEX sim_gateway_ledger_payment ON sim_gateway_ledger(payment_id, op);
`,
};
