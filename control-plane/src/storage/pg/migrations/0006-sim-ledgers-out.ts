import type { Migration } from '../../sqlite/migrate.js';

/**
 * PostgreSQL twin of sqlite/migrations/0006-sim-ledgers-out.ts. The PostgreSQL schema never had the
 * simulators' tables; this drops them should an earlier build have left any, so the version lists match and a
 * production store of either engine holds no sim_* table.
 */
export const pgMigration0006: Migration = {
  version: 6,
  name: 'sim-ledgers-out',
  sql: `
DROP TABLE IF EXISTS sim_biller_postings;
DROP TABLE IF EXISTS sim_gateway_ledger;
DROP TABLE IF EXISTS sim_gateway_refunds;
DROP TABLE IF EXISTS sim_wallet_orders;
DROP TABLE IF EXISTS sim_wallet_outbox;
`,
};
