import type { ReceiptPrinter } from '../../../device-drivers/contracts/receipt-printer.js';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import type { I18nText } from '../../../protocol/schemas/common.js';
import type { AppointmentSlip, DayView, SlotView } from '../../../protocol/schemas/services.js';
import type { DeviceApiClient } from '../api-client.js';
import type { Trust } from '../identity/trust.js';
import type { Logger } from '../logger.js';
import { type DayStatus, dayStatus } from './day-status.js';
import { type OfficeView, officeView, type ServiceCatalogueView } from './service-catalogue.js';
import { buildSlipJob } from './slip-document.js';
import { verifySlip } from './slip-verify.js';

export interface AppointmentView {
  id: string;
  number: string;
  code: string;
  status: AppointmentSlip['status'];
  matterId: string;
  matterName: I18nText;
  office: OfficeView;
  slotStart: string;
  slotEnd: string;
  slotLabel: string;
  verifyUrl: string;
  qrImageUrl: string;
}

export interface BookResult {
  appointment: AppointmentView;
  printed: boolean;
  printError?: { code: string; message: string };
}

export interface AppointmentDeskOptions {
  api: Pick<
    DeviceApiClient,
    'appointmentDays' | 'appointmentSlots' | 'bookAppointment' | 'lookupAppointment' | 'cancelAppointment'
  >;
  trust: Pick<Trust, 'keyring'>;
  catalogue: ServiceCatalogueView;
  printer: ReceiptPrinter;
  deviceId: string;
  communityName: string;
  log: Logger;
  now?: () => number;
  /**
   * The booking screens are in use (`true`: days or slots asked) or the booking ended (`false`: booked, or a
   * definite refusal); remote settings that would change the screen wait meanwhile (roles/kiosk-fleet.ts).
   */
  activity?: (open: boolean) => void;
}

/** How long a booking whose answer never came keeps its key: a second tap on "book" is the same booking. */
const PENDING_MS = 10 * 60_000;
const KEEP_SLIPS = 100;

/**
 * Appointments at the community office: free days and slots are read live from the control plane; a
 * booking carries an idempotency key made here (reused after a lost answer), its signed slip is verified
 * before anything is shown or printed, and paper out never undoes a booking (the screen shows the QR).
 */
export class AppointmentDesk {
  readonly #o: AppointmentDeskOptions;
  readonly #pending = new Map<string, { key: string; at: number }>();
  readonly #slips = new Map<string, AppointmentSlip>();

  constructor(opts: AppointmentDeskOptions) {
    this.#o = opts;
  }

  async days(matterId: string): Promise<{ office: OfficeView; days: (DayView & { status: DayStatus })[] }> {
    this.#o.activity?.(true);
    const office = this.#bookableOffice(matterId);
    const res = await this.#live(office.phone, () => this.#o.api.appointmentDays(matterId));
    const now = (this.#o.now ?? Date.now)();
    return {
      office: officeView(res.office),
      days: res.days.map((d) => ({ ...d, status: dayStatus(d, res.office, now) })),
    };
  }

  async slots(
    matterId: string,
    date: string,
  ): Promise<{ office: OfficeView; date: string; slots: SlotView[] }> {
    this.#o.activity?.(true);
    const office = this.#bookableOffice(matterId);
    const res = await this.#live(office.phone, () => this.#o.api.appointmentSlots(matterId, date));
    return { office: officeView(res.office), date: res.date, slots: res.slots };
  }

  async book(matterId: string, slotStart: string): Promise<BookResult> {
    try {
      const done = await this.#book(matterId, slotStart);
      this.#o.activity?.(false);
      return done;
    } catch (err) {
      // A lost answer keeps the booking open: the resident taps "book" again.
      if (!(isLinliError(err) && err.code === ErrorCode.UNAVAILABLE)) this.#o.activity?.(false);
      throw err;
    }
  }

  async #book(matterId: string, slotStart: string): Promise<BookResult> {
    const office = this.#bookableOffice(matterId);
    const now = (this.#o.now ?? Date.now)();
    const pendingKey = `${matterId}|${new Date(slotStart).toISOString()}`;
    for (const [k, p] of this.#pending) if (now - p.at > PENDING_MS) this.#pending.delete(k);
    const key = this.#pending.get(pendingKey)?.key ?? newId('idk');
    this.#pending.set(pendingKey, { key, at: this.#pending.get(pendingKey)?.at ?? now });
    let envelope: unknown;
    try {
      envelope = (
        await this.#live(office.phone, () => this.#o.api.bookAppointment(key, { matterId, slotStart }))
      ).envelope;
    } catch (err) {
      // A definite answer (slot full, closed…) ends this attempt; a lost one keeps the key for the retry.
      if (!(isLinliError(err) && err.code === ErrorCode.UNAVAILABLE)) this.#pending.delete(pendingKey);
      throw err;
    }
    this.#pending.delete(pendingKey);
    const slip = this.#accept(
      verifySlip(envelope, this.#o.trust.keyring, {
        deviceId: this.#o.deviceId,
        matterId,
        slotStart,
        status: 'booked',
      }),
    );
    this.#o.log.info({ appointmentId: slip.id, number: slip.number }, 'appointment booked');
    const appointment = this.view(slip);
    try {
      await this.print(slip);
      return { appointment, printed: true };
    } catch (err) {
      const code = (err as { code?: string }).code ?? ErrorCode.PRINTER_UNAVAILABLE;
      this.#o.log.warn(
        { appointmentId: slip.id, code },
        'appointment slip not printed; the screen shows its QR',
      );
      return {
        appointment,
        printed: false,
        printError: {
          code,
          message: `凭条未能打印，请扫描屏幕上的二维码或记下预约码。The slip could not be printed (${(err as Error).message}); scan the QR code on the screen or note the booking code.`,
        },
      };
    }
  }

  async lookup(input: string): Promise<AppointmentView> {
    const q = parseCode(input);
    const res = await this.#live(this.#anyPhone(), () => this.#o.api.lookupAppointment(q.send));
    return this.view(
      this.#accept(
        verifySlip(res.envelope, this.#o.trust.keyring, { deviceId: this.#o.deviceId, ...q.want }),
      ),
    );
  }

  async cancel(input: string): Promise<AppointmentView> {
    const q = parseCode(input);
    const res = await this.#live(this.#anyPhone(), () => this.#o.api.cancelAppointment(q.send));
    const slip = verifySlip(res.envelope, this.#o.trust.keyring, {
      deviceId: this.#o.deviceId,
      ...q.want,
      status: 'canceled',
    });
    this.#o.log.info({ appointmentId: slip.id }, 'appointment canceled at the kiosk');
    return this.view(this.#accept(slip));
  }

  /** A slip this kiosk verified (booked, looked up or canceled here since it started). */
  slip(id: string): AppointmentSlip {
    const s = this.#slips.get(id);
    if (!s) {
      throw new LinliError(
        ErrorCode.APPOINTMENT_NOT_FOUND,
        `no appointment ${id} was shown on this kiosk; look it up by its code`,
      );
    }
    return s;
  }

  print(slip: AppointmentSlip) {
    const matter = this.#catalogue()?.matters.find((m) => m.id === slip.matterId);
    return this.#o.printer.print(buildSlipJob(slip, matter, { communityName: this.#o.communityName }));
  }

  view(s: AppointmentSlip): AppointmentView {
    // The slip carries what the resident needs; the catalogue (if here) adds the office hours.
    const office = this.#catalogue()?.offices.find((o) => o.id === s.officeId);
    return {
      id: s.id,
      number: s.number,
      code: s.code,
      status: s.status,
      matterId: s.matterId,
      matterName: s.matterName,
      office: office
        ? officeView(office)
        : {
            id: s.officeId,
            name: s.officeName,
            address: s.officeAddress,
            hours: { zh: '' },
            phone: s.officePhone,
          },
      slotStart: s.slotStart,
      slotEnd: s.slotEnd,
      slotLabel: s.slotLabel,
      verifyUrl: s.verifyUrl,
      qrImageUrl: `/kiosk/api/appointments/${encodeURIComponent(s.id)}/qr.svg`,
    };
  }

  #accept(slip: AppointmentSlip): AppointmentSlip {
    this.#slips.delete(slip.id);
    this.#slips.set(slip.id, slip);
    while (this.#slips.size > KEEP_SLIPS) this.#slips.delete(this.#slips.keys().next().value!);
    return slip;
  }

  #bookableOffice(matterId: string) {
    const matter = this.#o.catalogue.matter(matterId);
    if (!matter.bookable) {
      throw new LinliError(
        ErrorCode.BAD_REQUEST,
        '此事项无需预约，请直接到办理地点办理。This matter needs no appointment; go to the office during its hours.',
        { matterId },
      );
    }
    return this.#o.catalogue.officeOf(matter);
  }

  #catalogue() {
    try {
      return this.#o.catalogue.ready();
    } catch {
      return undefined;
    }
  }

  #anyPhone(): string | undefined {
    return this.#catalogue()?.offices[0]?.phone;
  }

  /** Live calls: a control plane out of reach becomes one clear answer with the office's phone number. */
  async #live<T>(phone: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (isLinliError(err) && err.code === ErrorCode.UNAVAILABLE) {
        throw new LinliError(
          ErrorCode.UNAVAILABLE,
          `预约需要联网，本机暂时无法连接${phone ? `，请致电 ${phone} 预约` : ''}。Booking needs the network and this kiosk cannot reach it now${phone ? `; call ${phone} to book` : ''}.`,
          { ...(phone ? { phone } : {}) },
          { cause: err },
        );
      }
      throw err;
    }
  }
}

/** What the resident typed (8 digits, spaces allowed) or what a scanner typed from the slip's QR (its URL). */
export function parseCode(input: string): { send: string; want: { code?: string; scanned?: string } } {
  const text = input.trim();
  const digits = text.replace(/[\s-]/g, '');
  if (/^[0-9]{8}$/.test(digits)) return { send: digits, want: { code: digits } };
  if (/^https?:\/\/\S+$/i.test(text)) return { send: text, want: { scanned: text } };
  throw new LinliError(
    ErrorCode.BAD_REQUEST,
    '请输入凭条上的 8 位预约码，或扫描凭条上的二维码。Enter the 8-digit booking code from the slip, or scan its QR code.',
    { field: 'code' },
  );
}
