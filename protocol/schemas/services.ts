import { type Static, Type } from '@sinclair/typebox';
import { I18nText, IdSchema, IsoTime, strict } from './common.js';

/**
 * Public-service information (一口式办理): categories, service matters and community offices. Published by
 * admins, delivered to kiosks signed inside their TUF manifest (`ContentManifest.services`), so the kiosk
 * shows only verified text. Appointments are live control-plane data; the slip a resident takes home is
 * signed by the transaction key like a receipt.
 */

/** Category ids are short slugs chosen by admins (`elderly`, `civil-affairs`, …), stable across edits. */
export const CategoryId = Type.String({ pattern: '^[a-z][a-z0-9-]{1,31}$', description: 'category slug' });

export const ServiceCategory = Type.Object(
  {
    id: CategoryId,
    name: I18nText(32),
    /** One of a fixed set of icons the kiosk ships (no remote images needed). */
    icon: Type.String({ pattern: '^[a-z][a-z0-9-]{1,31}$' }),
    order: Type.Integer({ minimum: 0, maximum: 10_000 }),
  },
  strict,
);
export type ServiceCategory = Static<typeof ServiceCategory>;

/** "HH:MM" in the office's timezone (notice.ts has the same shape; not imported to keep the files acyclic). */
const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, 24 h' });

export const SlotRules = Type.Object(
  {
    /** ISO weekdays the office takes appointments (1 = Monday … 7 = Sunday). */
    weekdays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
    }),
    /** Opening windows, e.g. 09:00–11:30 and 14:00–17:00; a window never crosses midnight. */
    windows: Type.Array(Type.Object({ start: ClockTime, end: ClockTime }, strict), {
      minItems: 1,
      maxItems: 6,
    }),
    slotMinutes: Type.Integer({ minimum: 5, maximum: 240 }),
    capacityPerSlot: Type.Integer({ minimum: 1, maximum: 50 }),
    /** How many days ahead residents may book (today counts as day 0). */
    daysAhead: Type.Integer({ minimum: 1, maximum: 30 }),
    /** Dates (YYYY-MM-DD) the office is closed (public holidays). */
    closedDates: Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { maxItems: 366 }),
  },
  strict,
);
export type SlotRules = Static<typeof SlotRules>;

export const Office = Type.Object(
  {
    id: IdSchema('ofc'),
    /** The community (hierarchy node) this office serves. */
    nodeId: IdSchema('node'),
    name: I18nText(64),
    address: I18nText(200),
    hours: I18nText(200),
    phone: Type.String({ pattern: '^[0-9+() -]{3,32}$' }),
    timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Asia/Shanghai' }),
    slots: SlotRules,
  },
  strict,
);
export type Office = Static<typeof Office>;

export const Material = Type.Object(
  {
    name: I18nText(200),
    copies: Type.Integer({ minimum: 1, maximum: 20 }),
    /** The original must be shown (not only a copy). */
    original: Type.Boolean(),
    note: Type.Optional(I18nText(300)),
  },
  strict,
);
export type Material = Static<typeof Material>;

export const Matter = Type.Object(
  {
    id: IdSchema('svc'),
    categoryId: CategoryId,
    name: I18nText(64),
    /** Pinyin initials of the Chinese name (老年人优待证办理 → LNRYDZBL), computed by the control plane. */
    initials: Type.String({ pattern: '^[A-Z0-9]{1,64}$' }),
    legalBasis: I18nText(1000),
    covers: I18nText(1000),
    materials: Type.Array(Material, { maxItems: 30 }),
    steps: Type.Array(I18nText(300), { minItems: 1, maxItems: 20 }),
    timeLimit: I18nText(100),
    fee: I18nText(100),
    bookable: Type.Boolean(),
    order: Type.Integer({ minimum: 0, maximum: 10_000 }),
    /** Handled at this office; absent: at the office of the kiosk's own community. */
    officeId: Type.Optional(IdSchema('ofc')),
  },
  strict,
);
export type Matter = Static<typeof Matter>;

/** The `services` part of a kiosk's manifest: what its community's residents may look up and book. */
export const ServiceCatalogue = Type.Object(
  {
    categories: Type.Array(ServiceCategory, { maxItems: 50 }),
    matters: Type.Array(Matter, { maxItems: 500 }),
    /** The offices the matters refer to; the first is the kiosk's own community office (if it has one). */
    offices: Type.Array(Office, { maxItems: 20 }),
    updatedAt: IsoTime,
  },
  strict,
);
export type ServiceCatalogue = Static<typeof ServiceCatalogue>;

export const AppointmentStatus = Type.Union([
  Type.Literal('booked'),
  Type.Literal('canceled'),
  Type.Literal('done'),
]);
export type AppointmentStatus = Static<typeof AppointmentStatus>;

/** The appointment slip, signed by the transaction key; its QR opens `verifyUrl`. */
export const AppointmentSlip = Type.Object(
  {
    type: Type.Literal('linli.appointment/v1'),
    id: IdSchema('apt'),
    /** Queue number for the day at the office, e.g. A012. */
    number: Type.String({ pattern: '^[A-Z][0-9]{3}$' }),
    /** 8-digit code the resident types to look up or cancel; unique among open bookings. */
    code: Type.String({ pattern: '^[0-9]{8}$' }),
    status: AppointmentStatus,
    deviceId: Type.Optional(IdSchema('dev')),
    matterId: IdSchema('svc'),
    matterName: I18nText(64),
    officeId: IdSchema('ofc'),
    officeName: I18nText(64),
    officeAddress: I18nText(200),
    officePhone: Type.String({ maxLength: 32 }),
    slotStart: IsoTime,
    slotEnd: IsoTime,
    /** "2026-11-30 09:00–09:30" in the office's timezone. */
    slotLabel: Type.String({ maxLength: 40 }),
    createdAt: IsoTime,
    canceledAt: Type.Optional(IsoTime),
    verifyUrl: Type.String({ maxLength: 512 }),
  },
  strict,
);
export type AppointmentSlip = Static<typeof AppointmentSlip>;

// --- device API (kiosk → control plane)

export const DayQuery = Type.Object({ matterId: IdSchema('svc') }, strict);
export type DayQuery = Static<typeof DayQuery>;

export const DayView = Type.Object({
  date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  weekday: Type.Integer({ minimum: 1, maximum: 7 }),
  open: Type.Boolean(),
  free: Type.Integer({ minimum: 0 }),
});
export type DayView = Static<typeof DayView>;

export const DaysResponse = Type.Object({ office: Office, days: Type.Array(DayView) });
export type DaysResponse = Static<typeof DaysResponse>;

export const SlotQuery = Type.Object(
  { matterId: IdSchema('svc'), date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) },
  strict,
);
export type SlotQuery = Static<typeof SlotQuery>;

export const SlotView = Type.Object({
  start: IsoTime,
  end: IsoTime,
  label: Type.String(),
  free: Type.Integer({ minimum: 0 }),
  capacity: Type.Integer({ minimum: 1 }),
});
export type SlotView = Static<typeof SlotView>;

export const SlotsResponse = Type.Object({
  office: Office,
  date: Type.String(),
  slots: Type.Array(SlotView),
});
export type SlotsResponse = Static<typeof SlotsResponse>;

/** Booking is idempotent on the kiosk's key (sent in the `idempotency-key` header, as for payments). */
export const BookRequest = Type.Object({ matterId: IdSchema('svc'), slotStart: IsoTime }, strict);
export type BookRequest = Static<typeof BookRequest>;

/** Answers to book, lookup and cancel: the signed slip (envelope of `AppointmentSlip`). */
export const SlipResponse = Type.Object({ envelope: Type.Unknown() });
export type SlipResponse = Static<typeof SlipResponse>;

export const CodeRequest = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 600, description: '8-digit code, or the scanned slip URL' }),
  },
  strict,
);
export type CodeRequest = Static<typeof CodeRequest>;
