import { verifyEnvelope } from '../../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { ID_PATTERN } from '../../../../protocol/ids.js';
import { AppointmentSlip } from '../../../../protocol/schemas/services.js';
import type {
  AppointmentListQuery,
  AppointmentListResponse,
  AppointmentView,
} from '../../../../protocol/schemas/services-admin.js';
import { safeEqual } from '../../crypto/secrets.js';
import type { KeyStore } from '../../keys/key-store.js';
import type { Repository } from '../../storage/repository.js';
import type { AppointmentRecord } from '../../storage/services-records.js';
import { type AdminPrincipal, iso, type Logger } from '../context.js';
import { isWithin } from '../hierarchy.js';
import { currentSlip, slipTag } from './appointment-slip.js';
import type { CatalogueService } from './catalogue-service.js';
import { officeView } from './catalogue-service.js';
import { addDays, parseDate, zonedInstant } from './slot-calendar.js';

export interface AppointmentAdminDeps {
  repo: Repository;
  keys: KeyStore;
  catalogue: CatalogueService;
  now: () => number;
  log: Logger;
}

/** What the public page at /a/:id shows: the verdict, and the slip as it stands when the link is genuine. */
export interface SlipVerdict {
  status: 'valid' | 'invalid' | 'unknown';
  reason: { en: string; zh: string };
  code?: string;
  slip?: AppointmentSlip;
}

const ID_RE = new RegExp(ID_PATTERN);

export const appointmentView = (r: AppointmentRecord): AppointmentView => ({
  id: r.id,
  number: r.number,
  code: r.code,
  status: r.status,
  matterId: r.matterId,
  matterName: r.slip.matterName,
  officeId: r.officeId,
  slotStart: iso(r.slotStart),
  slotEnd: iso(r.slotEnd),
  slotLabel: r.slip.slotLabel,
  ...(r.deviceId ? { deviceId: r.deviceId } : {}),
  createdAt: iso(r.createdAt),
  ...(r.canceledAt !== null ? { canceledAt: iso(r.canceledAt) } : {}),
  ...(r.canceledBy ? { canceledBy: r.canceledBy } : {}),
});

/** Office staff's view of appointments (by office and day, within scope), their cancel, and the public check. */
export class AppointmentAdmin {
  readonly #d: AppointmentAdminDeps;

  constructor(deps: AppointmentAdminDeps) {
    this.#d = deps;
  }

  async list(p: AdminPrincipal, q: AppointmentListQuery): Promise<AppointmentListResponse> {
    const office = await this.#d.catalogue.officeInScope(p, q.officeId, 'querystring/officeId');
    if (!parseDate(q.date)) {
      throw new LinliError(
        ErrorCode.BAD_REQUEST,
        `querystring/date "${q.date}" is not a calendar day; use YYYY-MM-DD`,
        {
          field: 'querystring/date',
        },
      );
    }
    const tz = office.office.timezone;
    const rows = await this.#d.repo.appointments.listAppointments(
      office.office.id,
      zonedInstant(q.date, 0, tz),
      zonedInstant(addDays(q.date, 1), 0, tz),
      q.status,
    );
    return { office: officeView(office), date: q.date, appointments: rows.map(appointmentView) };
  }

  /** Staff cancel a booking (the office closes, the resident phoned); audited with the reason. */
  async cancel(p: AdminPrincipal, id: string, reason?: string): Promise<AppointmentView> {
    const found = await this.#d.repo.appointments.getAppointment(id);
    const office = found ? await this.#d.repo.services.getOffice(found.officeId) : undefined;
    const node = office ? await this.#d.repo.nodes.get(office.office.nodeId) : undefined;
    if (!found || !node || !isWithin(node, p.node.id)) {
      throw new LinliError(
        ErrorCode.APPOINTMENT_NOT_FOUND,
        `no appointment ${id} in your part of the hierarchy`,
        {
          field: 'id',
        },
      );
    }
    const now = this.#d.now();
    const by = `admin:${p.admin.id}`;
    const canceled =
      found.status === 'booked'
        ? await this.#d.repo.appointments.cancel(id, now, by, {
            at: now,
            actor: by,
            action: 'cancel',
            entity: 'appointment',
            entityId: id,
            detail: reason ? { reason } : null,
          })
        : undefined;
    if (!canceled) {
      throw new LinliError(
        ErrorCode.APPOINTMENT_CLOSED,
        `appointment ${found.number} is ${found.status}; nothing to cancel`,
        {
          status: found.status,
        },
      );
    }
    return appointmentView(canceled);
  }

  /** The slip page's question: our stored slip must verify and `s` must be the tag printed in its QR. */
  async checkLink(id: string, s: string | undefined): Promise<SlipVerdict> {
    const stored =
      ID_RE.test(id) && id.startsWith('apt_')
        ? await this.#d.repo.appointments.getAppointment(id)
        : undefined;
    if (!stored) {
      return {
        status: 'unknown',
        reason: { en: 'There is no appointment with this number.', zh: '没有这个编号的预约。' },
        code: ErrorCode.APPOINTMENT_NOT_FOUND,
      };
    }
    let booked: AppointmentSlip;
    try {
      booked = verifyEnvelope<AppointmentSlip>(stored.envelope, this.#d.keys.keyring, {
        type: 'linli.appointment/v1',
        schema: AppointmentSlip,
      });
    } catch (err) {
      this.#d.log.error({ err, appointmentId: id }, 'a stored appointment slip no longer verifies');
      return invalid(
        'Our own record of this slip fails its signature check.',
        '本系统的预约记录未通过签名校验。',
      );
    }
    const tag = slipTag(booked);
    if (!s)
      return invalid(
        'The link has no check code; scan the QR code on the slip.',
        '链接缺少校验码，请扫描预约单上的二维码。',
      );
    if (!tag || !safeEqual(tag, s)) {
      return invalid(
        'The check code does not match this appointment: the slip may be forged or altered.',
        '校验码与预约不符，预约单可能被伪造或篡改。',
      );
    }
    return {
      status: 'valid',
      reason: {
        en: 'Genuine: booked and signed by this Linli control plane.',
        zh: '真实有效：由本系统登记并签名。',
      },
      slip: currentSlip(stored),
    };
  }
}

function invalid(en: string, zh: string): SlipVerdict {
  return { status: 'invalid', reason: { en, zh }, code: ErrorCode.SIGNATURE_INVALID };
}
