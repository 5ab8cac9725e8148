import type { Migration } from '../migrate.js';

/**
 * Issue #5: QR wallet payments, refunds, resident cards, receipt reprints, wallet webhook deduplication,
 * and the simulated wallet provider's ledgers. Self-contained: only additions to what 0001 created.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'payments',
  sql: `
ALTER TABLE payments ADD COLUMN wallet_order_id TEXT;
ALTER TABLE payments ADD COLUMN qr_code_url TEXT;
ALTER TABLE payments ADD COLUMN qr_expires_at INTEGER;
ALTER TABLE payments ADD COLUMN refunded_fen INTEGER NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0);
ALTER TABLE payments ADD COLUMN reason TEXT;
CREATE INDEX payments_state_updated ON payments(state, updated_at);
CREATE INDEX payments_created ON payments(created_at);
CREATE UNIQUE INDEX payments_wallet_order ON payments(wallet_order_id) WHERE wallet_order_id IS NOT NULL;
CREATE INDEX bills_community ON bills(community_id);

CREATE TABLE payment_refunds (
  id               TEXT PRIMARY KEY,
  payment_id       TEXT NOT NULL REFERENCES payments(id),
  amount_fen       INTEGER NOT NULL CHECK (amount_fen > 0),
  reason           TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending','succeeded')),
  idempotency_key  TEXT NOT NULL,
  request_hash     TEXT NOT NULL,
  created_by       TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  completed_at     INTEGER,
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
  created_at    INTEGER NOT NULL,
  received_at   INTEGER NOT NULL,
  processed_at  INTEGER
);
CREATE INDEX wallet_events_unprocessed ON wallet_events(processed_at, received_at);

CREATE TABLE resident_cards (
  id          TEXT PRIMARY KEY,
  node_id     TEXT NOT NULL REFERENCES nodes(id),
  card_uid    TEXT NOT NULL,
  label       TEXT,
  created_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  revoked_at  INTEGER
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
  created_at  INTEGER NOT NULL,
  done_at     INTEGER
);
CREATE INDEX reprint_requests_device ON reprint_requests(device_id, state);

-- The simulated wallet provider's order book and notification outbox (what the provider holds).
CREATE TABLE sim_wallet_orders (
  order_id        TEXT PRIMARY KEY,
  out_trade_no    TEXT NOT NULL UNIQUE,
  amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
  description     TEXT NOT NULL,
  notify_url      TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('NOTPAY','SUCCESS','CLOSED','REVOKED','REFUND')),
  transaction_id  TEXT,
  settled         INTEGER NOT NULL DEFAULT 0,
  refunded_fen    INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  paid_at         INTEGER
);

CREATE TABLE sim_wallet_outbox (
  event_id      TEXT PRIMARY KEY,
  order_id      TEXT NOT NULL,
  body          TEXT NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_at       INTEGER NOT NULL,
  delivered_at  INTEGER
);
CREATE INDEX sim_wallet_outbox_due ON sim_wallet_outbox(delivered_at, next_at);

-- Refunds as the acquirer or the wallet recorded them; unique per refund id.
CREATE TABLE sim_gateway_refunds (
  refund_id   TEXT PRIMARY KEY,
  payment_id  TEXT NOT NULL,
  rail        TEXT NOT NULL CHECK (rail IN ('card','wallet')),
  amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
  at          INTEGER NOT NULL
);
CREATE INDEX sim_gateway_refunds_payment ON sim_gateway_refunds(payment_id);
CREATE INDEX sim_biller_postings_at ON sim_biller_postings(posted_at);
CREATE INDEX sim_gateway_ledger_at ON sim_gateway_ledger(at);
`,
};
