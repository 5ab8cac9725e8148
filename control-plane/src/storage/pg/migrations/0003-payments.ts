import type { Migration } from '../../sqlite/migrate.js';

/**
 * PostgreSQL twin of sqlite/migrations/0003-payments.ts (QR wallet payments, refunds, resident cards,
 * reprints, wallet webhook deduplication), without the simulated wallet's sim_* ledgers.
 */
export const pgMigration0003: Migration = {
  version: 3,
  name: 'payments',
  sql: `
ALTER TABLE payments ADD COLUMN wallet_order_id TEXT;
ALTER TABLE payments ADD COLUMN qr_code_url TEXT;
ALTER TABLE payments ADD COLUMN qr_expires_at BIGINT;
ALTER TABLE payments ADD COLUMN refunded_fen BIGINT NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0);
ALTER TABLE payments ADD COLUMN reason TEXT;
CREATE INDEX payments_state_updated ON payments(state, updated_at);
CREATE INDEX payments_created ON payments(created_at);
CREATE UNIQUE INDEX payments_wallet_order ON payments(wallet_order_id) WHERE wallet_order_id IS NOT NULL;
CREATE INDEX bills_community ON bills(community_id);

CREATE TABLE payment_refunds (
  id               TEXT PRIMARY KEY,
  payment_id       TEXT NOT NULL REFERENCES payments(id),
  amount_fen       BIGINT NOT NULL CHECK (amount_fen > 0),
  reason           TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending','succeeded')),
  idempotency_key  TEXT NOT NULL,
  request_hash     TEXT NOT NULL,
  created_by       TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  completed_at     BIGINT,
  gateway_ref      TEXT,
  UNIQUE (created_by, idempotency_key)
);
CREATE INDEX payment_refunds_payment ON payment_refunds(payment_id);

-- Verified wallet notifications, once per event id: duplicates are acknowledged and ignored.
CREATE TABLE wallet_events (
  event_id      TEXT PRIMARY KEY,
  event_type    TEXT NOT NULL,
  order_id      TEXT NOT NULL,
  payment_id    TEXT,
  created_at    BIGINT NOT NULL,
  received_at   BIGINT NOT NULL,
  processed_at  BIGINT
);
CREATE INDEX wallet_events_unprocessed ON wallet_events(processed_at, received_at);

CREATE TABLE resident_cards (
  id          TEXT PRIMARY KEY,
  node_id     TEXT NOT NULL REFERENCES nodes(id),
  card_uid    TEXT NOT NULL,
  label       TEXT,
  created_by  TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  revoked_at  BIGINT
);
CREATE UNIQUE INDEX resident_cards_active_uid ON resident_cards(node_id, card_uid) WHERE revoked_at IS NULL;

CREATE TABLE resident_card_accounts (
  card_id    TEXT NOT NULL REFERENCES resident_cards(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  biller_id  TEXT NOT NULL,
  account    TEXT NOT NULL,
  PRIMARY KEY (card_id, biller_id, account)
);

CREATE TABLE reprint_requests (
  id          TEXT PRIMARY KEY,
  payment_id  TEXT NOT NULL REFERENCES payments(id),
  receipt_id  TEXT NOT NULL REFERENCES receipts(id),
  device_id   TEXT NOT NULL REFERENCES devices(id),
  state       TEXT NOT NULL CHECK (state IN ('pending','printed','failed')),
  error       TEXT,
  created_by  TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  done_at     BIGINT
);
CREATE INDEX reprint_requests_device ON reprint_requests(device_id, state);
`,
};
