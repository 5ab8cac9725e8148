import type { Database } from 'better-sqlite3';
import type { DeviceHealthReport } from '../../../../protocol/schemas/device-health.js';
import type { HealthRecord, HealthRepository, HealthRetention, LiveEmergency } from '../health-repository.js';
import { prepared } from './statements.js';

export interface HealthRow {
  device_id: string;
  received_at: number;
  report: string;
}

export const toHealth = (r: HealthRow): HealthRecord => ({
  deviceId: r.device_id,
  receivedAt: Number(r.received_at),
  report: JSON.parse(r.report) as DeviceHealthReport,
});

export interface LiveEmergencyRow {
  seq: number;
  notice_id: string;
  issued_at: number;
  live_until: number;
  envelope: string;
}

export const toLiveEmergency = (r: LiveEmergencyRow): LiveEmergency => ({
  seq: Number(r.seq),
  noticeId: r.notice_id,
  issuedAt: Number(r.issued_at),
  liveUntil: Number(r.live_until),
  envelope: JSON.parse(r.envelope) as unknown,
});

/** Shared SQL (the same text runs on both engines, placeholders aside). */
export const LIVE_EMERGENCIES = `SELECT e.seq, e.notice_id, e.issued_at, n.emergency_live_until AS live_until, e.envelope
   FROM notices n JOIN emergency_issues e ON e.seq = n.emergency_seq
  WHERE e.action = 'show' AND n.emergency_live_until > ?
  ORDER BY e.seq`;
export const UNKNOWN_COUNTS = `SELECT p.device_id, COUNT(*) AS count
   FROM payment_transitions t JOIN payments p ON p.id = t.payment_id
  WHERE t.to_state = 'unknown' AND t.at >= ?
  GROUP BY p.device_id`;

export class SqliteHealth implements HealthRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async record(deviceId: string, receivedAt: number, report: DeviceHealthReport, keep: HealthRetention) {
    const text = JSON.stringify(report);
    this.#db.transaction(() => {
      prepared(
        this.#db,
        `INSERT INTO device_health (device_id, received_at, report) VALUES (?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET received_at = excluded.received_at, report = excluded.report`,
      ).run(deviceId, receivedAt, text);
      prepared(
        this.#db,
        'INSERT INTO device_health_history (device_id, received_at, report) VALUES (?, ?, ?)',
      ).run(deviceId, receivedAt, text);
      prepared(
        this.#db,
        `DELETE FROM device_health_history WHERE device_id = ? AND (received_at < ? OR seq NOT IN (
           SELECT seq FROM device_health_history WHERE device_id = ? ORDER BY seq DESC LIMIT ?))`,
      ).run(deviceId, receivedAt - keep.maxAgeMs, deviceId, keep.maxPerDevice);
    })();
  }

  async latest(deviceId: string): Promise<HealthRecord | undefined> {
    const row = prepared(this.#db, 'SELECT * FROM device_health WHERE device_id = ?').get(deviceId) as
      | HealthRow
      | undefined;
    return row ? toHealth(row) : undefined;
  }

  async history(deviceId: string, limit: number): Promise<HealthRecord[]> {
    const rows = prepared(
      this.#db,
      'SELECT device_id, received_at, report FROM device_health_history WHERE device_id = ? ORDER BY seq DESC LIMIT ?',
    ).all(deviceId, limit) as HealthRow[];
    return rows.map(toHealth);
  }

  async purge(before: number): Promise<number> {
    return prepared(this.#db, 'DELETE FROM device_health_history WHERE received_at < ?').run(before).changes;
  }

  async recordEmergencyAck(deviceId: string, seq: number, at: number): Promise<void> {
    prepared(this.#db, 'INSERT OR IGNORE INTO emergency_acks (device_id, seq, at) VALUES (?, ?, ?)').run(
      deviceId,
      seq,
      at,
    );
  }

  async emergencyAcks(seqs: readonly number[]) {
    if (seqs.length === 0) return [];
    const rows = this.#db
      .prepare(
        `SELECT device_id, seq, at FROM emergency_acks WHERE seq IN (${seqs.map(() => '?').join(',')})`,
      )
      .all(...seqs) as { device_id: string; seq: number; at: number }[];
    return rows.map((r) => ({ deviceId: r.device_id, seq: r.seq, at: r.at }));
  }

  async liveEmergencies(now: number): Promise<LiveEmergency[]> {
    return (prepared(this.#db, LIVE_EMERGENCIES).all(now) as LiveEmergencyRow[]).map(toLiveEmergency);
  }

  async unknownPaymentCounts(since: number) {
    const rows = prepared(this.#db, UNKNOWN_COUNTS).all(since) as { device_id: string; count: number }[];
    return rows.map((r) => ({ deviceId: r.device_id, count: Number(r.count) }));
  }
}
