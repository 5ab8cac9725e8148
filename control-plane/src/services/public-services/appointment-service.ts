import { createHash, randomInt } from 'node:crypto';
import { canonicalJson } from '../../../../protocol/canonical-json.js';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type {
  BookRequest,
  DaysResponse,
  SlipResponse,
  SlotsResponse,
} from '../../../../protocol/schemas/services.js';
import { safeEqual } from '../../crypto/secrets.js';
import type { KeyStore } from '../../keys/key-store.js';
import type { Repository } from '../../storage/repository.js';
import type { AppointmentRecord, MatterRecord, OfficeRecord } from '../../storage/services-records.js';
import { type DevicePrincipal, iso } from '../context.js';
import { requireRole } from '../device-auth.js';
import { queueNumber, sealSlip, signedSlip, slipTag } from './appointment-slip.js';
import { homeOffice } from './catalogue-builder.js';
import { addDays, bookableDays, localDate, parseDate, slotsOf, zonedInstant } from './slot-calendar.js';

export interface AppointmentDeps {
  repo: Repository;
  keys: KeyStore;
  now: () => number;
  publicUrl: () => string;
}

export interface BookResult {
  statusCode: 200 | 201;
  body: SlipResponse;
  replayed: boolean;
}

const CODE_RE = /^[0-9]{8}$/;
const SLIP_PATH = /\/a\/(apt_[0-9A-HJKMNP-TV-Z]{26})\/?$/;

/**
 * Appointments as kiosks book them: free days and slots of the office that handles a matter (in the office's
 * timezone), idempotent booking that never exceeds a slot's capacity, lookup by the 8-digit code or the
 * slip's QR link, and cancellation of a booking still to come. Every answer is the slip signed by the
 * transaction key.
 */
export class AppointmentService {
  readonly #d: AppointmentDeps;

  constructor(deps: AppointmentDeps) {
    this.#d = deps;
  }

  async days(principal: DevicePrincipal, matterId: string): Promise<DaysResponse> {
    requireRole(principal, ['kiosk']);
    const { office } = await this.#resolve(principal, matterId);
    const o = office.office;
    const now = this.#d.now();
    const days = bookableDays(now, o.slots, o.timezone);
    const from = zonedInstant(days[0]!.date, 0, o.timezone);
    const to = zonedInstant(addDays(days.at(-1)!.date, 1), 0, o.timezone);
    const booked = await this.#d.repo.appointments.countBooked(o.id, from, to);
    return {
      office: o,
      days: days.map((d) => ({
        ...d,
        free: slotsOf(d.date, o.slots, o.timezone)
          .filter((s) => s.start > now)
          .reduce((sum, s) => sum + Math.max(0, o.slots.capacityPerSlot - (booked.get(s.start) ?? 0)), 0),
      })),
    };
  }

  async slots(principal: DevicePrincipal, matterId: string, date: string): Promise<SlotsResponse> {
    requireRole(principal, ['kiosk']);
    const { office } = await this.#resolve(principal, matterId);
    const o = office.office;
    const now = this.#d.now();
    this.#bookableDate(o, date, now, 'querystring/date');
    const slots = slotsOf(date, o.slots, o.timezone).filter((s) => s.start > now);
    const booked = await this.#d.repo.appointments.countBooked(
      o.id,
      zonedInstant(date, 0, o.timezone),
      zonedInstant(addDays(date, 1), 0, o.timezone),
    );
    return {
      office: o,
      date,
      slots: slots.map((s) => ({
        start: iso(s.start),
        end: iso(s.end),
        label: s.label,
        free: Math.max(0, o.slots.capacityPerSlot - (booked.get(s.start) ?? 0)),
        capacity: o.slots.capacityPerSlot,
      })),
    };
  }

  /** Books a slot; the same idempotency key answers with the same slip, another body under it is refused. */
  async book(principal: DevicePrincipal, key: string | undefined, req: BookRequest): Promise<BookResult> {
    requireRole(principal, ['kiosk']);
    if (!key) {
      throw new LinliError(
        ErrorCode.IDEMPOTENCY_KEY_MISSING,
        'send an Idempotency-Key header (16–64 characters of A–Z a–z 0–9 _ -), kept until the slip is printed',
        { field: 'headers/idempotency-key' },
      );
    }
    const device = principal.device;
    const requestHash = createHash('sha256').update(canonicalJson(req)).digest('base64url');
    const previous = await this.#d.repo.appointments.findByIdempotency(device.id, key);
    if (previous) return this.#replay(previous, requestHash);

    const { matter, office } = await this.#resolve(principal, req.matterId);
    const o = office.office;
    const now = this.#d.now();
    const start = Date.parse(req.slotStart);
    const date = localDate(start, o.timezone);
    this.#bookableDate(o, date, now, 'body/slotStart');
    const slot = slotsOf(date, o.slots, o.timezone).find((s) => s.start === start);
    if (!slot) {
      throw new LinliError(
        ErrorCode.SLOT_CLOSED,
        `${req.slotStart} is not the start of a slot at ${o.name.zh}; pick one from the slots list`,
        { field: 'body/slotStart' },
      );
    }
    if (slot.start <= now) {
      throw new LinliError(
        ErrorCode.SLOT_CLOSED,
        `the slot ${slot.label} has already begun; pick a later one`,
        {
          field: 'body/slotStart',
        },
      );
    }
    const id = newId('apt', now);
    const transaction = this.#d.keys.transaction;
    const result = await this.#d.repo.appointments.book({
      id,
      officeId: o.id,
      matterId: matter.matter.id,
      deviceId: device.id,
      day: date,
      slotStart: slot.start,
      slotEnd: slot.end,
      capacity: o.slots.capacityPerSlot,
      idempotencyKey: key,
      requestHash,
      createdAt: now,
      newCode: () => String(randomInt(0, 100_000_000)).padStart(8, '0'),
      seal: (seq, code) => {
        const number = queueNumber(seq);
        if (!number) {
          throw new LinliError(
            ErrorCode.SLOT_FULL,
            `the office has no queue numbers left for ${date}; pick another day`,
          );
        }
        const sealed = sealSlip(
          {
            type: 'linli.appointment/v1',
            id,
            number,
            code,
            status: 'booked',
            deviceId: device.id,
            matterId: matter.matter.id,
            matterName: matter.matter.name,
            officeId: o.id,
            officeName: o.name,
            officeAddress: o.address,
            officePhone: o.phone,
            slotStart: iso(slot.start),
            slotEnd: iso(slot.end),
            slotLabel: slot.label,
            createdAt: iso(now),
          },
          this.#d.publicUrl(),
          transaction,
        );
        return { number, ...sealed };
      },
    });
    if (!result.ok && result.reason === 'replay') return this.#replay(result.existing, requestHash);
    if (!result.ok) {
      throw new LinliError(
        ErrorCode.SLOT_FULL,
        `the slot ${slot.label} is fully booked (${o.slots.capacityPerSlot} people); pick another slot`,
        { field: 'body/slotStart', phone: o.phone },
      );
    }
    return {
      statusCode: 201,
      body: { envelope: signedSlip(result.appointment, transaction) },
      replayed: false,
    };
  }

  async lookup(principal: DevicePrincipal, codeOrUrl: string): Promise<SlipResponse> {
    requireRole(principal, ['kiosk']);
    return { envelope: signedSlip(await this.#find(codeOrUrl), this.#d.keys.transaction) };
  }

  /** Cancels a booking still to come; anything else (canceled, done, begun) is closed. */
  async cancel(principal: DevicePrincipal, codeOrUrl: string): Promise<SlipResponse> {
    requireRole(principal, ['kiosk']);
    const found = await this.#find(codeOrUrl);
    const now = this.#d.now();
    const closed = () =>
      new LinliError(
        ErrorCode.APPOINTMENT_CLOSED,
        found.status !== 'booked'
          ? `appointment ${found.number} is already ${found.status}; nothing to cancel`
          : `appointment ${found.number} (${found.slip.slotLabel}) has already begun; call the office to change it`,
        { status: found.status, phone: found.slip.officePhone },
      );
    if (found.status !== 'booked' || found.slotStart <= now) throw closed();
    const canceled = await this.#d.repo.appointments.cancel(found.id, now, `device:${principal.device.id}`, {
      at: now,
      actor: `device:${principal.device.id}`,
      action: 'cancel',
      entity: 'appointment',
      entityId: found.id,
      detail: null,
    });
    if (!canceled) throw closed();
    return { envelope: signedSlip(canceled, this.#d.keys.transaction) };
  }

  // --- internals

  #replay(existing: AppointmentRecord, requestHash: string): BookResult {
    if (existing.requestHash !== requestHash) {
      throw new LinliError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        'this Idempotency-Key was used for a different booking; make a new key for a new booking',
        { field: 'headers/idempotency-key' },
      );
    }
    return {
      statusCode: 200,
      body: { envelope: signedSlip(existing, this.#d.keys.transaction) },
      replayed: true,
    };
  }

  /** The matter (published at the kiosk's node or above, bookable) and the office that takes its bookings. */
  async #resolve(
    principal: DevicePrincipal,
    matterId: string,
  ): Promise<{ matter: MatterRecord; office: OfficeRecord }> {
    const matter = await this.#d.repo.services.getMatter(matterId);
    if (!matter || !principal.node.ancestry.includes(matter.nodeId)) {
      throw new LinliError(
        ErrorCode.MATTER_NOT_FOUND,
        `no service matter ${matterId} for this kiosk; sync the catalogue`,
        {
          field: 'matterId',
        },
      );
    }
    if (!matter.matter.bookable) {
      throw new LinliError(
        ErrorCode.SLOT_CLOSED,
        `${matter.matter.name.zh} is not booked by appointment; go to the office in its opening hours`,
        { field: 'matterId' },
      );
    }
    const office = matter.matter.officeId
      ? await this.#d.repo.services.getOffice(matter.matter.officeId)
      : await homeOffice(this.#d.repo, principal.node.ancestry);
    if (!office) {
      throw new LinliError(
        ErrorCode.OFFICE_NOT_FOUND,
        'no office takes appointments for this community yet; ask the community office in person',
        { field: 'matterId' },
      );
    }
    return { matter, office };
  }

  #bookableDate(o: OfficeRecord['office'], date: string, now: number, field: string): void {
    if (!parseDate(date)) {
      throw new LinliError(
        ErrorCode.BAD_REQUEST,
        `${field} "${date}" is not a calendar day; use YYYY-MM-DD`,
        { field },
      );
    }
    const day = bookableDays(now, o.slots, o.timezone).find((d) => d.date === date);
    if (!day?.open) {
      throw new LinliError(
        ErrorCode.SLOT_CLOSED,
        day
          ? `${o.name.zh} takes no appointments on ${date}; pick an open day`
          : `${date} is outside the ${o.slots.daysAhead} days ${o.name.zh} books ahead; pick a day from the days list`,
        { field },
      );
    }
  }

  /** By the 8-digit code, or by the slip's QR link (id plus a tag only our key makes). */
  async #find(codeOrUrl: string): Promise<AppointmentRecord> {
    const input = codeOrUrl.trim();
    const notFound = () =>
      new LinliError(
        ErrorCode.APPOINTMENT_NOT_FOUND,
        'no appointment with this code; check the 8 digits on the slip or scan its QR code',
        { field: 'body/code' },
      );
    if (CODE_RE.test(input)) {
      const found = await this.#d.repo.appointments.findByCode(input);
      if (!found) throw notFound();
      return found;
    }
    let url: URL;
    try {
      url = new URL(input, 'http://slip.invalid');
    } catch {
      throw notFound();
    }
    const id = SLIP_PATH.exec(url.pathname)?.[1];
    const s = url.searchParams.get('s');
    const found = id ? await this.#d.repo.appointments.getAppointment(id) : undefined;
    const tag = found ? slipTag(found.envelope.payload) : null;
    if (!found || !s || !tag || !safeEqual(tag, s)) throw notFound();
    return found;
  }
}
