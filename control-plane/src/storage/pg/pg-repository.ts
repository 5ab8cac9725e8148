import type { Repository } from '../repository.js';
import type { MigrationReport } from '../sqlite/migrate.js';
import { PG_MIGRATIONS } from './migrations/index.js';
import { PgAdminIdempotency } from './pg-admin-idempotency.js';
import { PgAdmins } from './pg-admins.js';
import { PgAlerts } from './pg-alerts.js';
import { PgAppointments } from './pg-appointments.js';
import { PgBills, PgReceipts } from './pg-bills.js';
import { PgCards } from './pg-cards.js';
import { PgCluster } from './pg-cluster.js';
import { PgCommands } from './pg-commands.js';
import { PgConfig } from './pg-config.js';
import { PgDatabase, type PgDatabaseOptions } from './pg-database.js';
import { PgDeviceSessions } from './pg-device-sessions.js';
import { PgDevices } from './pg-devices.js';
import { PgHealth } from './pg-health.js';
import { PgMetrics } from './pg-metrics.js';
import { migratePg } from './pg-migrate.js';
import { PgNodes } from './pg-nodes.js';
import { PgNotices } from './pg-notices.js';
import { PgPayments } from './pg-payments.js';
import { PgRefunds } from './pg-refunds.js';
import { PgReprints, PgWalletEvents } from './pg-reprints.js';
import { PgServices } from './pg-services.js';
import { PgMedia, PgPlays, PgTufViews } from './pg-signage.js';
import { PgTokens } from './pg-tokens.js';
import { PgWebhooks } from './pg-webhooks.js';

/**
 * The store for more than one machine: PostgreSQL, migrated on open (under an advisory lock, so instances
 * starting together take turns). Each domain is a class beside its SQLite twin, constructed from the one
 * shared PgDatabase; transactions live inside single methods, as the Repository interface requires.
 */
export class PgRepository implements Repository {
  readonly engine = 'postgres';
  readonly db: PgDatabase;
  readonly migrations: MigrationReport;
  readonly nodes: PgNodes;
  readonly admins: PgAdmins;
  readonly tokens: PgTokens;
  readonly devices: PgDevices;
  readonly adminIdempotency: PgAdminIdempotency;
  readonly bills: PgBills;
  readonly payments: PgPayments;
  readonly receipts: PgReceipts;
  readonly cards: PgCards;
  readonly refunds: PgRefunds;
  readonly reprints: PgReprints;
  readonly walletEvents: PgWalletEvents;
  readonly notices: PgNotices;
  readonly media: PgMedia;
  readonly tufViews: PgTufViews;
  readonly plays: PgPlays;
  readonly services: PgServices;
  readonly appointments: PgAppointments;
  readonly cluster: PgCluster;
  readonly webhooks: PgWebhooks;
  readonly metrics: PgMetrics;
  readonly config: PgConfig;
  readonly deviceSessions: PgDeviceSessions;
  readonly health: PgHealth;
  readonly alerts: PgAlerts;
  readonly commands: PgCommands;
  #closed = false;

  private constructor(db: PgDatabase, migrations: MigrationReport) {
    this.db = db;
    this.migrations = migrations;
    this.nodes = new PgNodes(db);
    this.admins = new PgAdmins(db);
    this.tokens = new PgTokens(db);
    this.devices = new PgDevices(db);
    this.adminIdempotency = new PgAdminIdempotency(db);
    this.bills = new PgBills(db);
    this.payments = new PgPayments(db);
    this.receipts = new PgReceipts(db);
    this.cards = new PgCards(db);
    this.refunds = new PgRefunds(db);
    this.reprints = new PgReprints(db);
    this.walletEvents = new PgWalletEvents(db);
    this.notices = new PgNotices(db);
    this.media = new PgMedia(db);
    this.tufViews = new PgTufViews(db);
    this.plays = new PgPlays(db);
    this.services = new PgServices(db);
    this.appointments = new PgAppointments(db);
    this.cluster = new PgCluster(db);
    this.webhooks = new PgWebhooks(db);
    this.metrics = new PgMetrics(db);
    this.config = new PgConfig(db);
    this.deviceSessions = new PgDeviceSessions(db);
    this.cluster = new PgCluster(db, this.deviceSessions);
    this.health = new PgHealth(db);
    this.alerts = new PgAlerts(db);
    this.commands = new PgCommands(db);
  }

  static async open(opts: PgDatabaseOptions): Promise<PgRepository> {
    const db = await PgDatabase.open(opts);
    try {
      return new PgRepository(db, await migratePg(db, PG_MIGRATIONS));
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.db.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one === 1;
    } catch {
      return false;
    }
  }

  /** Idempotent: pg refuses to end a pool twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.close();
  }
}
