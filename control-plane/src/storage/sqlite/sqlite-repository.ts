import type { Database } from 'better-sqlite3';
import type { Repository } from '../repository.js';
import { openDatabase } from './database.js';
import { GroupCommit } from './group-commit.js';
import { type MigrationReport, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { SqliteAdminIdempotency } from './sqlite-admin-idempotency.js';
import { SqliteAdmins } from './sqlite-admins.js';
import { SqliteAlerts } from './sqlite-alerts.js';
import { SqliteAppointments } from './sqlite-appointments.js';
import { SqliteBills, SqliteReceipts } from './sqlite-bills.js';
import { SqliteCards } from './sqlite-cards.js';
import { SqliteCluster } from './sqlite-cluster.js';
import { SqliteCommands } from './sqlite-commands.js';
import { SqliteConfig } from './sqlite-config.js';
import { SqliteDeviceSessions } from './sqlite-device-sessions.js';
import { SqliteDevices } from './sqlite-devices.js';
import { SqliteHealth } from './sqlite-health.js';
import { SqliteMetrics } from './sqlite-metrics.js';
import { SqliteNodes } from './sqlite-nodes.js';
import { SqliteNotices } from './sqlite-notices.js';
import { SqlitePayments } from './sqlite-payments.js';
import { SqliteRefunds } from './sqlite-refunds.js';
import { SqliteReprints, SqliteWalletEvents } from './sqlite-reprints.js';
import { SqliteServices } from './sqlite-services.js';
import { SqliteMedia, SqlitePlays, SqliteTufViews } from './sqlite-signage.js';
import { SqliteTokens } from './sqlite-tokens.js';
import { SqliteWebhooks } from './sqlite-webhooks.js';
import { prepared } from './statements.js';

/** The embedded default: one SQLite file in the data dir, migrated on open. */
export class SqliteRepository implements Repository {
  readonly engine = 'sqlite';
  readonly db: Database;
  readonly migrations: MigrationReport;
  readonly nodes: SqliteNodes;
  readonly admins: SqliteAdmins;
  readonly tokens: SqliteTokens;
  readonly devices: SqliteDevices;
  readonly notices: SqliteNotices;
  readonly media: SqliteMedia;
  readonly tufViews: SqliteTufViews;
  readonly plays: SqlitePlays;
  readonly bills: SqliteBills;
  readonly payments: SqlitePayments;
  readonly receipts: SqliteReceipts;
  readonly cards: SqliteCards;
  readonly refunds: SqliteRefunds;
  readonly reprints: SqliteReprints;
  readonly walletEvents: SqliteWalletEvents;
  readonly services: SqliteServices;
  readonly appointments: SqliteAppointments;
  readonly adminIdempotency: SqliteAdminIdempotency;
  readonly cluster: SqliteCluster;
  readonly webhooks: SqliteWebhooks;
  readonly metrics: SqliteMetrics;
  readonly config: SqliteConfig;
  readonly deviceSessions: SqliteDeviceSessions;
  readonly health: SqliteHealth;
  readonly alerts: SqliteAlerts;
  readonly commands: SqliteCommands;
  /** Shared by the payment-path writes so concurrent payments share fsyncs. */
  readonly groupCommit: GroupCommit;

  private constructor(db: Database, migrations: MigrationReport) {
    this.db = db;
    this.migrations = migrations;
    this.nodes = new SqliteNodes(db);
    this.admins = new SqliteAdmins(db);
    this.tokens = new SqliteTokens(db);
    this.devices = new SqliteDevices(db);
    this.notices = new SqliteNotices(db);
    this.media = new SqliteMedia(db);
    this.tufViews = new SqliteTufViews(db);
    this.plays = new SqlitePlays(db);
    this.groupCommit = new GroupCommit(db);
    this.bills = new SqliteBills(db, this.groupCommit);
    this.payments = new SqlitePayments(db, this.groupCommit);
    this.receipts = new SqliteReceipts(db);
    this.cards = new SqliteCards(db);
    this.refunds = new SqliteRefunds(db, this.groupCommit);
    this.reprints = new SqliteReprints(db);
    this.walletEvents = new SqliteWalletEvents(db, this.groupCommit);
    this.services = new SqliteServices(db);
    this.appointments = new SqliteAppointments(db);
    this.adminIdempotency = new SqliteAdminIdempotency(db);
    this.cluster = new SqliteCluster(db);
    this.webhooks = new SqliteWebhooks(db);
    this.metrics = new SqliteMetrics(db);
    this.config = new SqliteConfig(db);
    this.deviceSessions = new SqliteDeviceSessions(db);
    this.cluster = new SqliteCluster(db, this.deviceSessions);
    this.health = new SqliteHealth(db);
    this.alerts = new SqliteAlerts(db);
    this.commands = new SqliteCommands(db);
  }

  static open(dataDir: string): SqliteRepository {
    const db = openDatabase(dataDir);
    try {
      return new SqliteRepository(db, migrate(db, MIGRATIONS));
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (prepared(this.db, 'SELECT 1 AS one').get() as { one: number }).one === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
