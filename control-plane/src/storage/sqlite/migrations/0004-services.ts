import type { Migration } from '../migrate.js';

/**
 * Issue #6: the public-service catalogue (categories, matters owned by a hierarchy node, community offices
 * with their slot rules), appointments, and an audit log of catalogue changes. Texts that are only ever
 * read whole (names, materials, steps) are JSON columns; what is queried or constrained is a column.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'services',
  sql: `
CREATE TABLE service_categories (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  icon        TEXT NOT NULL,
  ord         INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE service_offices (
  id          TEXT PRIMARY KEY,
  node_id     TEXT NOT NULL REFERENCES nodes(id),
  body        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  deleted_at  INTEGER
);
CREATE INDEX service_offices_node ON service_offices(node_id) WHERE deleted_at IS NULL;

CREATE TABLE service_matters (
  id           TEXT PRIMARY KEY,
  node_id      TEXT NOT NULL REFERENCES nodes(id),
  category_id  TEXT NOT NULL,
  office_id    TEXT REFERENCES service_offices(id),
  ord          INTEGER NOT NULL,
  body         TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  updated_by   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  deleted_at   INTEGER
);
CREATE INDEX service_matters_node ON service_matters(node_id) WHERE deleted_at IS NULL;
CREATE INDEX service_matters_category ON service_matters(category_id) WHERE deleted_at IS NULL;

-- One row per booking. A slot's capacity is checked by counting booked rows inside the inserting
-- transaction; the 8-digit code is unique among open (booked) appointments, the queue number per office-day.
CREATE TABLE appointments (
  id               TEXT PRIMARY KEY,
  office_id        TEXT NOT NULL REFERENCES service_offices(id),
  matter_id        TEXT NOT NULL REFERENCES service_matters(id),
  device_id        TEXT REFERENCES devices(id),
  day              TEXT NOT NULL,
  seq              INTEGER NOT NULL CHECK (seq >= 1),
  number           TEXT NOT NULL,
  code             TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('booked','canceled','done')),
  slot_start       INTEGER NOT NULL,
  slot_end         INTEGER NOT NULL,
  slip             TEXT NOT NULL,
  envelope         TEXT NOT NULL,
  idempotency_key  TEXT,
  request_hash     TEXT,
  created_at       INTEGER NOT NULL,
  canceled_at      INTEGER,
  canceled_by      TEXT,
  UNIQUE (office_id, day, seq)
);
CREATE UNIQUE INDEX appointments_open_code ON appointments(code) WHERE status = 'booked';
CREATE UNIQUE INDEX appointments_idempotency ON appointments(device_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX appointments_slot ON appointments(office_id, slot_start, status);
CREATE INDEX appointments_code ON appointments(code);

CREATE TABLE service_audit (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  entity      TEXT NOT NULL CHECK (entity IN ('category','matter','office','appointment')),
  entity_id   TEXT NOT NULL,
  detail      TEXT
);
CREATE INDEX service_audit_entity ON service_audit(entity, entity_id, seq);
`,
};
