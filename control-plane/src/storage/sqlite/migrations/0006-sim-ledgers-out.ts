import type { Migration } from '../migrate.js';

/**
 * The simulators' ledgers leave the production store for their own (`control-plane/src/sim/`, file
 * `simulators.sqlite`). Nothing is copied: it is simulator data, and a production store keeps no sim_* table.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'sim-ledgers-out',
  sql: `
DROP INDEX IF EXISTS sim_gateway_ledger_payment;
DROP INDEX IF EXISTS sim_gateway_ledger_at;
DROP INDEX IF EXISTS sim_biller_postings_at;
DROP INDEX IF EXISTS sim_gateway_refunds_payment;
DROP INDEX IF EXISTS sim_wallet_outbox_due;
DROP TABLE IF EXISTS sim_biller_postings;
DROP TABLE IF EXISTS sim_gateway_ledger;
DROP TABLE IF EXISTS sim_gateway_refunds;
DROP TABLE IF EXISTS sim_wallet_orders;
DROP TABLE IF EXISTS sim_wallet_outbox;
`,
};
