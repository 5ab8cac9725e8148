import type { AlertFilter, AlertRecord, AlertRepository } from '../health-repository.js';
import { ALERT_COLUMNS, ALERT_ORDER, type AlertRow, alertParams, toAlert } from '../sqlite/sqlite-alerts.js';
import type { PgDatabase } from './pg-database.js';

/** How often open() retries when the alert it lost to is resolved before it can be read. */
const OPEN_ATTEMPTS = 5;

/** PostgreSQL twin of SqliteAlerts. */
export class PgAlerts implements AlertRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  /**
   * ON CONFLICT on the partial unique index waits for a concurrent open of the same rule and subject to
   * commit, so of two instances sweeping at once exactly one inserts; the other reads the winner.
   */
  async open(alert: AlertRecord): Promise<{ opened: boolean; alert: AlertRecord }> {
    for (let attempt = 1; ; attempt++) {
      const inserted = await this.#db.query(
        `INSERT INTO alerts (${ALERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (rule, subject) WHERE state <> 'resolved' DO NOTHING`,
        alertParams(alert),
      );
      if (inserted.rowCount === 1) return { opened: true, alert };
      const existing = await this.current(alert.rule, alert.subject);
      if (existing) return { opened: false, alert: existing };
      if (attempt >= OPEN_ATTEMPTS)
        throw new Error(`alert ${alert.rule}/${alert.subject} flapped during open`);
    }
  }

  async acknowledge(id: string, by: string, at: number): Promise<AlertRecord | undefined> {
    const { rows } = await this.#db.query<AlertRow>(
      "UPDATE alerts SET state = 'acknowledged', acked_at = $1, acked_by = $2 WHERE id = $3 AND state = 'open' RETURNING *",
      [at, by, id],
    );
    return rows[0] ? toAlert(rows[0]) : undefined;
  }

  async resolve(id: string, by: string, at: number): Promise<AlertRecord | undefined> {
    const { rows } = await this.#db.query<AlertRow>(
      "UPDATE alerts SET state = 'resolved', resolved_at = $1, resolved_by = $2 WHERE id = $3 AND state <> 'resolved' RETURNING *",
      [at, by, id],
    );
    return rows[0] ? toAlert(rows[0]) : undefined;
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    const { rows } = await this.#db.query<AlertRow>('SELECT * FROM alerts WHERE id = $1', [id]);
    return rows[0] ? toAlert(rows[0]) : undefined;
  }

  async current(rule: string, subject: string): Promise<AlertRecord | undefined> {
    const { rows } = await this.#db.query<AlertRow>(
      "SELECT * FROM alerts WHERE rule = $1 AND subject = $2 AND state <> 'resolved'",
      [rule, subject],
    );
    return rows[0] ? toAlert(rows[0]) : undefined;
  }

  async unresolved(rules: readonly string[]): Promise<AlertRecord[]> {
    if (rules.length === 0) return [];
    const { rows } = await this.#db.query<AlertRow>(
      "SELECT * FROM alerts WHERE state <> 'resolved' AND rule = ANY($1::text[])",
      [rules],
    );
    return rows.map(toAlert);
  }

  async list(f: AlertFilter): Promise<AlertRecord[]> {
    if (f.nodeIds.length === 0) return [];
    const params: unknown[] = [f.nodeIds];
    const where = ['node_id = ANY($1::text[])'];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.state) add('state = ?', f.state);
    if (f.rule) add('rule = ?', f.rule);
    if (f.deviceId) add('device_id = ?', f.deviceId);
    params.push(f.limit);
    const { rows } = await this.#db.query<AlertRow>(
      `SELECT * FROM alerts WHERE ${where.join(' AND ')} ${ALERT_ORDER} LIMIT $${params.length}`,
      params,
    );
    return rows.map(toAlert);
  }
}
