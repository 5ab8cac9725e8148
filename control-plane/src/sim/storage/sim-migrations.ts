import type { Migration } from '../../storage/sqlite/migrate.js';

/**
 * The simulators' own schema, in their own file: what a biller, an acquirer and a wallet provider would keep.
 * Append only, like the control plane's list (the name of an applied version is checked).
 */
export const SIM_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: '0001-sim-ledgers',
    sql: `
CREATE TABLE sim_biller_postings (
  payment_id  TEXT PRIMARY KEY,
  posting_id  TEXT NOT NULL UNIQUE,
  biller_id   TEXT NOT NULL,
  account     TEXT NOT NULL,
  bill_ref    TEXT NOT NULL UNIQUE,
  amount_fen  INTEGER NOT NULL,
  posted_at   INTEGER NOT NULL
);
CREATE INDEX sim_biller_postings_at ON sim_biller_postings(posted_at);

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
CREATE INDEX sim_gateway_ledger_at ON sim_gateway_ledger(at);

-- Refunds as the acquirer or the wallet recorded them; unique per refund id.
CREATE TABLE sim_gateway_refunds (
  refund_id   TEXT PRIMARY KEY,
  payment_id  TEXT NOT NULL,
  rail        TEXT NOT NULL CHECK (rail IN ('card','wallet')),
  amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
  at          INTEGER NOT NULL
);
CREATE INDEX sim_gateway_refunds_payment ON sim_gateway_refunds(payment_id);

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

-- The provider's notification signing key: one row, so every instance sharing this file signs alike.
CREATE TABLE sim_wallet_key (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  pem  TEXT NOT NULL
);
`,
  },
];
