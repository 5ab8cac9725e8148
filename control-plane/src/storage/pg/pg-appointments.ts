import type { Signed } from '../../../../protocol/schemas/common.js';
import type { AppointmentSlip, AppointmentStatus } from '../../../../protocol/schemas/services.js';
import type { AppointmentRecord, ServiceAuditInput } from '../services-records.js';
import type { AppointmentRepository, BookInput, BookResult } from '../services-repository.js';
import { isPgUniqueViolation, type PgDatabase } from './pg-database.js';
import { fromPgJson, type Queryable } from './pg-json.js';
import { appendServiceAudit } from './pg-service-audit.js';

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
  slip: unknown;
  envelope: unknown;
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
  slip: fromPgJson<AppointmentSlip>(r.slip)!,
  envelope: fromPgJson<Signed<AppointmentSlip>>(r.envelope)!,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  createdAt: r.created_at,
  canceledAt: r.canceled_at,
  canceledBy: r.canceled_by,
});

/** Tries a fresh code this many times before giving up (10^8 codes: a collision run this long is a bug). */
const CODE_ATTEMPTS = 20;

type Attempt = { done: BookResult } | { retry: 'code' };

/**
 * Appointments. `book` is a READ COMMITTED transaction that first takes the office row's lock
 * (`FOR NO KEY UPDATE`): every booking of an office, from any instance, queues there, and each statement
 * after it sees every booking committed before, so the slot count, the day's queue number and the
 * idempotency check are exact. A row lock rather than SERIALIZABLE: bookings of one popular slot all
 * conflict, and under SERIALIZABLE most would fail with 40001 and be re-run (re-signing their slips each
 * time), while the lock simply queues them and lets bookings of other offices run in parallel.
 * What the lock cannot cover is caught by unique indexes: the same idempotency key sent to two offices
 * (the loser returns the winner as a replay) and an 8-digit code taken at another office at the same
 * moment (a new code is drawn).
 */
export class PgAppointments implements AppointmentRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async book(input: BookInput): Promise<BookResult> {
    return this.#db.tx(async (c) => {
      await c.query('SELECT 1 FROM service_offices WHERE id = $1 FOR NO KEY UPDATE', [input.officeId]);
      if (input.deviceId && input.idempotencyKey) {
        const existing = await this.#byKey(c, input.deviceId, input.idempotencyKey);
        if (existing) return { ok: false, reason: 'replay', existing };
      }
      const { n } = (
        await c.query<{ n: number }>(
          "SELECT COUNT(*)::int AS n FROM appointments WHERE office_id = $1 AND slot_start = $2 AND status = 'booked'",
          [input.officeId, input.slotStart],
        )
      ).rows[0]!;
      if (n >= input.capacity) return { ok: false, reason: 'full' };
      const { last } = (
        await c.query<{ last: number }>(
          'SELECT COALESCE(MAX(seq), 0)::int AS last FROM appointments WHERE office_id = $1 AND day = $2',
          [input.officeId, input.day],
        )
      ).rows[0]!;
      const seq = last + 1;
      for (let i = 0; ; i++) {
        if (i >= CODE_ATTEMPTS) throw new Error('internal: could not find a free appointment code');
        const attempt = await this.#insert(c, input, seq);
        if ('done' in attempt) return attempt.done;
      }
    });
  }

  /** One try at a code: free among open bookings, then inserted under a savepoint so a race is survivable. */
  async #insert(c: Queryable, input: BookInput, seq: number): Promise<Attempt> {
    const code = input.newCode();
    const taken = await c.query("SELECT 1 FROM appointments WHERE code = $1 AND status = 'booked'", [code]);
    if (taken.rowCount) return { retry: 'code' };
    const sealed = input.seal(seq, code);
    await c.query('SAVEPOINT book');
    try {
      await c.query(
        `INSERT INTO appointments (id, office_id, matter_id, device_id, day, seq, number, code, status,
           slot_start, slot_end, slip, envelope, idempotency_key, request_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $10, $11, $12, $13, $14, $15)`,
        [
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
        ],
      );
    } catch (err) {
      if (!isPgUniqueViolation(err)) throw err;
      await c.query('ROLLBACK TO SAVEPOINT book');
      // The key was just used for a booking at another office (committed while we waited on the index).
      if (input.deviceId && input.idempotencyKey) {
        const existing = await this.#byKey(c, input.deviceId, input.idempotencyKey);
        if (existing) return { done: { ok: false, reason: 'replay', existing } };
      }
      // Same office and day cannot collide on seq under the office lock, and an id is fresh: the code.
      if (await this.#get(c, input.id)) throw err;
      return { retry: 'code' };
    }
    await c.query('RELEASE SAVEPOINT book');
    await appendServiceAudit(c, {
      at: input.createdAt,
      actor: input.deviceId ? `device:${input.deviceId}` : 'system',
      action: 'create',
      entity: 'appointment',
      entityId: input.id,
      detail: { officeId: input.officeId, matterId: input.matterId, slotStart: input.slotStart },
    });
    return { done: { ok: true, appointment: (await this.#get(c, input.id))! } };
  }

  async #get(c: Queryable, id: string): Promise<AppointmentRecord | undefined> {
    const r = (await c.query<AppointmentRow>('SELECT * FROM appointments WHERE id = $1', [id])).rows[0];
    return r ? appointment(r) : undefined;
  }

  async #byKey(c: Queryable, deviceId: string, key: string): Promise<AppointmentRecord | undefined> {
    const r = (
      await c.query<AppointmentRow>(
        'SELECT * FROM appointments WHERE device_id = $1 AND idempotency_key = $2',
        [deviceId, key],
      )
    ).rows[0];
    return r ? appointment(r) : undefined;
  }

  async getAppointment(id: string): Promise<AppointmentRecord | undefined> {
    return this.#get(this.#db, id);
  }

  async findByIdempotency(deviceId: string, key: string): Promise<AppointmentRecord | undefined> {
    return this.#byKey(this.#db, deviceId, key);
  }

  async findByCode(code: string): Promise<AppointmentRecord | undefined> {
    const r = (
      await this.#db.query<AppointmentRow>(
        "SELECT * FROM appointments WHERE code = $1 ORDER BY (status = 'booked') DESC, created_at DESC LIMIT 1",
        [code],
      )
    ).rows[0];
    return r ? appointment(r) : undefined;
  }

  async listAppointments(
    officeId: string,
    from: number,
    to: number,
    status?: AppointmentStatus,
  ): Promise<AppointmentRecord[]> {
    return (
      await this.#db.query<AppointmentRow>(
        `SELECT * FROM appointments WHERE office_id = $1 AND slot_start >= $2 AND slot_start < $3
           AND ($4::text IS NULL OR status = $4) ORDER BY slot_start, seq`,
        [officeId, from, to, status ?? null],
      )
    ).rows.map(appointment);
  }

  async countBooked(officeId: string, from: number, to: number): Promise<Map<number, number>> {
    const rows = (
      await this.#db.query<{ slot_start: number; n: number }>(
        `SELECT slot_start, COUNT(*)::int AS n FROM appointments
         WHERE office_id = $1 AND slot_start >= $2 AND slot_start < $3 AND status = 'booked' GROUP BY slot_start`,
        [officeId, from, to],
      )
    ).rows;
    return new Map(rows.map((r) => [r.slot_start, r.n]));
  }

  async cancel(
    id: string,
    at: number,
    by: string,
    audit: ServiceAuditInput,
  ): Promise<AppointmentRecord | undefined> {
    return this.#db.tx(async (c) => {
      // Compare-and-set: of two cancels at once the second re-checks status on the committed row and misses.
      const changed = (
        await c.query(
          "UPDATE appointments SET status = 'canceled', canceled_at = $1, canceled_by = $2 WHERE id = $3 AND status = 'booked'",
          [at, by, id],
        )
      ).rowCount;
      if (changed !== 1) return undefined;
      await appendServiceAudit(c, audit);
      return this.#get(c, id);
    });
  }

  async countOpenFrom(officeId: string, from: number): Promise<number> {
    return (
      await this.#db.query<{ n: number }>(
        "SELECT COUNT(*)::int AS n FROM appointments WHERE office_id = $1 AND slot_end > $2 AND status = 'booked'",
        [officeId, from],
      )
    ).rows[0]!.n;
  }
}
