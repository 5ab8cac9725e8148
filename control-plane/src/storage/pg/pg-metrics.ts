import type { DeviceRole, NodeLevel } from '../../../../protocol/schemas/common.js';
import type { PaymentState } from '../../../../protocol/schemas/payment.js';
import type { MetricsRepository } from '../metrics-repository.js';
import { devicesOnlineSql, PAYMENTS_BY_STATE_SQL } from '../sqlite/sqlite-metrics.js';
import type { PgDatabase } from './pg-database.js';

/** PostgreSQL twin of SqliteMetrics (COUNT is BIGINT here, so it comes back as a string). */
export class PgMetrics implements MetricsRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async paymentsByState() {
    const { rows } = await this.#db.query<{ state: PaymentState; n: string }>(PAYMENTS_BY_STATE_SQL);
    return rows.map((r) => ({ state: r.state, count: Number(r.n) }));
  }

  async devicesOnline(cutoff: number) {
    const { rows } = await this.#db.query<{ role: DeviceRole; level: NodeLevel; n: string }>(
      devicesOnlineSql('$1'),
      [cutoff],
    );
    return rows.map((r) => ({ role: r.role, level: r.level, count: Number(r.n) }));
  }
}
