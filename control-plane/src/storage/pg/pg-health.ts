import type { DeviceHealthReport } from '../../../../protocol/schemas/device-health.js';
import type { HealthRecord, HealthRepository, HealthRetention, LiveEmergency } from '../health-repository.js';
import {
  type HealthRow,
  LIVE_EMERGENCIES,
  type LiveEmergencyRow,
  toHealth,
  toLiveEmergency,
  UNKNOWN_COUNTS,
} from '../sqlite/sqlite-health.js';
import type { PgDatabase } from './pg-database.js';

/** PostgreSQL twin of SqliteHealth. */
export class PgHealth implements HealthRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async record(deviceId: string, receivedAt: number, report: DeviceHealthReport, keep: HealthRetention) {
    const text = JSON.stringify(report);
    await this.#db.tx(async (c) => {
      await c.query(
        `INSERT INTO device_health (device_id, received_at, report) VALUES ($1, $2, $3)
         ON CONFLICT (device_id) DO UPDATE SET received_at = EXCLUDED.received_at, report = EXCLUDED.report`,
        [deviceId, receivedAt, text],
      );
      await c.query(
        'INSERT INTO device_health_history (device_id, received_at, report) VALUES ($1, $2, $3)',
        [deviceId, receivedAt, text],
      );
      await c.query(
        `DELETE FROM device_health_history WHERE device_id = $1 AND (received_at < $2 OR seq NOT IN (
           SELECT seq FROM device_health_history WHERE device_id = $1 ORDER BY seq DESC LIMIT $3))`,
        [deviceId, receivedAt - keep.maxAgeMs, keep.maxPerDevice],
      );
    });
  }

  async latest(deviceId: string): Promise<HealthRecord | undefined> {
    const { rows } = await this.#db.query<HealthRow>('SELECT * FROM device_health WHERE device_id = $1', [
      deviceId,
    ]);
    return rows[0] ? toHealth(rows[0]) : undefined;
  }

  async history(deviceId: string, limit: number): Promise<HealthRecord[]> {
    const { rows } = await this.#db.query<HealthRow>(
      'SELECT device_id, received_at, report FROM device_health_history WHERE device_id = $1 ORDER BY seq DESC LIMIT $2',
      [deviceId, limit],
    );
    return rows.map(toHealth);
  }

  async purge(before: number): Promise<number> {
    return (
      (await this.#db.query('DELETE FROM device_health_history WHERE received_at < $1', [before])).rowCount ??
      0
    );
  }

  async recordEmergencyAck(deviceId: string, seq: number, at: number): Promise<void> {
    await this.#db.query(
      'INSERT INTO emergency_acks (device_id, seq, at) VALUES ($1, $2, $3) ON CONFLICT (seq, device_id) DO NOTHING',
      [deviceId, seq, at],
    );
  }

  async emergencyAcks(seqs: readonly number[]) {
    if (seqs.length === 0) return [];
    const { rows } = await this.#db.query<{ device_id: string; seq: number; at: number }>(
      'SELECT device_id, seq, at FROM emergency_acks WHERE seq = ANY($1::bigint[])',
      [seqs],
    );
    return rows.map((r) => ({ deviceId: r.device_id, seq: Number(r.seq), at: Number(r.at) }));
  }

  async liveEmergencies(now: number): Promise<LiveEmergency[]> {
    const { rows } = await this.#db.query<LiveEmergencyRow>(LIVE_EMERGENCIES.replace('?', '$1'), [now]);
    return rows.map(toLiveEmergency);
  }

  async unknownPaymentCounts(since: number) {
    const { rows } = await this.#db.query<{ device_id: string; count: number | string }>(
      UNKNOWN_COUNTS.replace('?', '$1'),
      [since],
    );
    return rows.map((r) => ({ deviceId: r.device_id, count: Number(r.count) }));
  }
}
