import type { Database } from 'better-sqlite3';
import type { DeviceRole, NodeLevel } from '../../../../protocol/schemas/common.js';
import type { PaymentState } from '../../../../protocol/schemas/payment.js';
import type { MetricsRepository } from '../metrics-repository.js';
import { prepared } from './statements.js';

/** Grouped counts for /metrics; the SQL is the same on PostgreSQL (pg-metrics.ts) but for the placeholders. */
export const PAYMENTS_BY_STATE_SQL = 'SELECT state, COUNT(*) AS n FROM payments GROUP BY state';
export const devicesOnlineSql = (p: string): string => `
  SELECT d.role AS role, n.level AS level, COUNT(*) AS n
    FROM device_presence p
    JOIN cluster_instances i ON i.id = p.instance_id AND i.heartbeat_at > ${p}
    JOIN devices d ON d.id = p.device_id
    JOIN nodes n ON n.id = d.node_id
   GROUP BY d.role, n.level`;

export class SqliteMetrics implements MetricsRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async paymentsByState() {
    const rows = prepared(this.#db, PAYMENTS_BY_STATE_SQL).all() as { state: PaymentState; n: number }[];
    return rows.map((r) => ({ state: r.state, count: Number(r.n) }));
  }

  async devicesOnline(cutoff: number) {
    const rows = prepared(this.#db, devicesOnlineSql('?')).all(cutoff) as {
      role: DeviceRole;
      level: NodeLevel;
      n: number;
    }[];
    return rows.map((r) => ({ role: r.role, level: r.level, count: Number(r.n) }));
  }
}
