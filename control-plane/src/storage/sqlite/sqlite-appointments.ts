import type { Database } from 'better-sqlite3';
import type { Signed } from '../../../../protocol/schemas/common.js';
import type { AppointmentSlip, AppointmentStatus } from '../../../../protocol/schemas/services.js';
import type { AppointmentRecord, ServiceAuditInput } from '../services-records.js';
import type { AppointmentRepository, BookInput, BookResult } from '../services-repository.js';
import { prepared } from './statements.js';

interface AppointmentRow {
  id: string;
  office_id: string;
  matter_id: string;
  device_id: string | null;
  day: string;
  seq: number;
  number: string;
  code: string;
  status: AppointmentStatus;
  slot_start: number;
  slot_end: number;
  slip: string;
  envelope: string;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: number;
  canceled_at: number | null;
  canceled_by: string | null;
}

const appointment = (r: AppointmentRow): AppointmentRecord => ({
  id: r.id,
  officeId: r.office_id,
  matterId: r.matter_id,
  deviceId: r.device_id,
  day: r.day,
  seq: r.seq,
  number: r.number,
  code: r.code,
  status: r.status,
  slotStart: r.slot_start,
  slotEnd: r.slot_end,
  slip: JSON.parse(r.slip) as AppointmentSlip,
  envelope: JSON.parse(r.envelope) as Signed<AppointmentSlip>,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  createdAt: r.created_at,
  canceledAt: r.canceled_at,
  canceledBy: r.canceled_by,
});

/** Tries a fresh code this many times before giving up (10^8 codes: a collision run this long is a bug). */
const CODE_ATTEMPTS = 20;

/**
 * Appointments. `book` runs as an IMMEDIATE transaction: the slot count, the queue number and the code are
 * read and the row written under SQLite's write lock, so concurrent bookings can never exceed capacity.
 */
export class SqliteAppointments implements AppointmentRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  #audit(a: ServiceAuditInput): void {
    prepared(
      this.#db,
      'INSERT INTO service_audit (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(a.at, a.actor, a.action, a.entity, a.entityId, a.detail ? JSON.stringify(a.detail) : null);
  }

  async book(input: BookInput): Promise<BookResult> {
    return this.#db
      .transaction((): BookResult => {
        if (input.deviceId && input.idempotencyKey) {
          const existing = this.#byKey(input.deviceId, input.idempotencyKey);
          if (existing) return { ok: false, reason: 'replay', existing };
        }
        const { n } = prepared(
          this.#db,
          "SELECT COUNT(*) AS n FROM appointments WHERE office_id = ? AND slot_start = ? AND status = 'booked'",
        ).get(input.officeId, input.slotStart) as { n: number };
        if (n >= input.capacity) return { ok: false, reason: 'full' };
        const { last } = prepared(
          this.#db,
          'SELECT COALESCE(MAX(seq), 0) AS last FROM appointments WHERE office_id = ? AND day = ?',
        ).get(input.officeId, input.day) as { last: number };
        const seq = last + 1;
        const taken = prepared(this.#db, "SELECT 1 FROM appointments WHERE code = ? AND status = 'booked'");
        let code = input.newCode();
        for (let i = 0; taken.get(code) !== undefined; i++) {
          if (i >= CODE_ATTEMPTS) throw new Error('internal: could not find a free appointment code');
          code = input.newCode();
        }
        const sealed = input.seal(seq, code);
        prepared(
          this.#db,
          `INSERT INTO appointments (id, office_id, matter_id, device_id, day, seq, number, code, status,
             slot_start, slot_end, slip, envelope, idempotency_key, request_hash, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'booked', ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          input.id,
          input.officeId,
          input.matterId,
          input.deviceId,
          input.day,
          seq,
          sealed.number,
          code,
          input.slotStart,
          input.slotEnd,
          JSON.stringify(sealed.slip),
          JSON.stringify(sealed.envelope),
          input.idempotencyKey,
          input.requestHash,
          input.createdAt,
        );
        this.#audit({
          at: input.createdAt,
          actor: input.deviceId ? `device:${input.deviceId}` : 'system',
          action: 'create',
          entity: 'appointment',
          entityId: input.id,
          detail: { officeId: input.officeId, matterId: input.matterId, slotStart: input.slotStart },
        });
        return { ok: true, appointment: this.#get(input.id)! };
      })
      .immediate();
  }

  #get(id: string): AppointmentRecord | undefined {
    const r = prepared(this.#db, 'SELECT * FROM appointments WHERE id = ?').get(id) as
      | AppointmentRow
      | undefined;
    return r ? appointment(r) : undefined;
  }

  #byKey(deviceId: string, key: string): AppointmentRecord | undefined {
    const r = prepared(
      this.#db,
      'SELECT * FROM appointments WHERE device_id = ? AND idempotency_key = ?',
    ).get(deviceId, key) as AppointmentRow | undefined;
    return r ? appointment(r) : undefined;
  }

  async getAppointment(id: string): Promise<AppointmentRecord | undefined> {
    return this.#get(id);
  }

  async findByIdempotency(deviceId: string, key: string): Promise<AppointmentRecord | undefined> {
    return this.#byKey(deviceId, key);
  }

  async findByCode(code: string): Promise<AppointmentRecord | undefined> {
    const r = prepared(
      this.#db,
      "SELECT * FROM appointments WHERE code = ? ORDER BY status = 'booked' DESC, created_at DESC LIMIT 1",
    ).get(code) as AppointmentRow | undefined;
    return r ? appointment(r) : undefined;
  }

  async listAppointments(
    officeId: string,
    from: number,
    to: number,
    status?: AppointmentStatus,
  ): Promise<AppointmentRecord[]> {
    const rows = prepared(
      this.#db,
      `SELECT * FROM appointments WHERE office_id = ? AND slot_start >= ? AND slot_start < ?
           AND (? IS NULL OR status = ?) ORDER BY slot_start, seq`,
    ).all(officeId, from, to, status ?? null, status ?? null) as AppointmentRow[];
    return rows.map(appointment);
  }

  async countBooked(officeId: string, from: number, to: number): Promise<Map<number, number>> {
    const rows = prepared(
      this.#db,
      `SELECT slot_start, COUNT(*) AS n FROM appointments
         WHERE office_id = ? AND slot_start >= ? AND slot_start < ? AND status = 'booked' GROUP BY slot_start`,
    ).all(officeId, from, to) as { slot_start: number; n: number }[];
    return new Map(rows.map((r) => [r.slot_start, r.n]));
  }

  async cancel(
    id: string,
    at: number,
    by: string,
    audit: ServiceAuditInput,
  ): Promise<AppointmentRecord | undefined> {
    return this.#db.transaction(() => {
      const changed = prepared(
        this.#db,
        "UPDATE appointments SET status = 'canceled', canceled_at = ?, canceled_by = ? WHERE id = ? AND status = 'booked'",
      ).run(at, by, id).changes;
      if (changed !== 1) return undefined;
      this.#audit(audit);
      return this.#get(id);
    })();
  }

  async countOpenFrom(officeId: string, from: number): Promise<number> {
    return (
      prepared(
        this.#db,
        "SELECT COUNT(*) AS n FROM appointments WHERE office_id = ? AND slot_end > ? AND status = 'booked'",
      ).get(officeId, from) as { n: number }
    ).n;
  }
}
