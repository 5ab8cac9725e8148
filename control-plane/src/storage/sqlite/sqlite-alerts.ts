import type { Database } from 'better-sqlite3';
import type {
  AlertFilter,
  AlertRecord,
  AlertRepository,
  AlertSeverity,
  AlertState,
} from '../health-repository.js';
import { prepared } from './statements.js';

export interface AlertRow {
  id: string;
  rule: string;
  subject: string;
  node_id: string;
  device_id: string | null;
  severity: AlertSeverity;
  state: AlertState;
  detail: string;
  opened_at: number;
  acked_at: number | null;
  acked_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

export const toAlert = (r: AlertRow): AlertRecord => ({
  id: r.id,
  rule: r.rule,
  subject: r.subject,
  nodeId: r.node_id,
  deviceId: r.device_id,
  severity: r.severity,
  state: r.state,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
  openedAt: Number(r.opened_at),
  ackedAt: num(r.acked_at),
  ackedBy: r.acked_by,
  resolvedAt: num(r.resolved_at),
  resolvedBy: r.resolved_by,
});

export const alertParams = (a: AlertRecord): unknown[] => [
  a.id,
  a.rule,
  a.subject,
  a.nodeId,
  a.deviceId,
  a.severity,
  a.state,
  JSON.stringify(a.detail),
  a.openedAt,
  a.ackedAt,
  a.ackedBy,
  a.resolvedAt,
  a.resolvedBy,
];

export const ALERT_COLUMNS =
  'id, rule, subject, node_id, device_id, severity, state, detail, opened_at, acked_at, acked_by, resolved_at, resolved_by';

/** Unresolved first (open, then acknowledged), newest opened first within each. */
export const ALERT_ORDER =
  "ORDER BY CASE state WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END, opened_at DESC, id DESC";

export class SqliteAlerts implements AlertRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async open(alert: AlertRecord): Promise<{ opened: boolean; alert: AlertRecord }> {
    return this.#db.transaction(() => {
      const inserted = prepared(
        this.#db,
        `INSERT INTO alerts (${ALERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (rule, subject) WHERE state <> 'resolved' DO NOTHING`,
      ).run(...alertParams(alert)).changes;
      if (inserted === 1) return { opened: true, alert };
      const row = prepared(
        this.#db,
        "SELECT * FROM alerts WHERE rule = ? AND subject = ? AND state <> 'resolved'",
      ).get(alert.rule, alert.subject) as AlertRow;
      return { opened: false, alert: toAlert(row) };
    })();
  }

  async acknowledge(id: string, by: string, at: number): Promise<AlertRecord | undefined> {
    const row = prepared(
      this.#db,
      "UPDATE alerts SET state = 'acknowledged', acked_at = ?, acked_by = ? WHERE id = ? AND state = 'open' RETURNING *",
    ).get(at, by, id) as AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  async resolve(id: string, by: string, at: number): Promise<AlertRecord | undefined> {
    const row = prepared(
      this.#db,
      "UPDATE alerts SET state = 'resolved', resolved_at = ?, resolved_by = ? WHERE id = ? AND state <> 'resolved' RETURNING *",
    ).get(at, by, id) as AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    const row = prepared(this.#db, 'SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  async current(rule: string, subject: string): Promise<AlertRecord | undefined> {
    const row = prepared(
      this.#db,
      "SELECT * FROM alerts WHERE rule = ? AND subject = ? AND state <> 'resolved'",
    ).get(rule, subject) as AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  async unresolved(rules: readonly string[]): Promise<AlertRecord[]> {
    if (rules.length === 0) return [];
    const rows = this.#db
      .prepare(
        `SELECT * FROM alerts WHERE state <> 'resolved' AND rule IN (${rules.map(() => '?').join(',')})`,
      )
      .all(...rules) as AlertRow[];
    return rows.map(toAlert);
  }

  async list(f: AlertFilter): Promise<AlertRecord[]> {
    if (f.nodeIds.length === 0) return [];
    const where = [`node_id IN (${f.nodeIds.map(() => '?').join(',')})`];
    const params: unknown[] = [...f.nodeIds];
    if (f.state) {
      where.push('state = ?');
      params.push(f.state);
    }
    if (f.rule) {
      where.push('rule = ?');
      params.push(f.rule);
    }
    if (f.deviceId) {
      where.push('device_id = ?');
      params.push(f.deviceId);
    }
    params.push(f.limit);
    const rows = this.#db
      .prepare(`SELECT * FROM alerts WHERE ${where.join(' AND ')} ${ALERT_ORDER} LIMIT ?`)
      .all(...params) as AlertRow[];
    return rows.map(toAlert);
  }
}
