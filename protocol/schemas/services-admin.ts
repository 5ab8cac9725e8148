import { type Static, Type } from '@sinclair/typebox';
import { I18nText, IdSchema, IsoTime, strict } from './common.js';
import { AppointmentStatus, CategoryId, Material, Office, ServiceCategory, SlotRules } from './services.js';

/**
 * Admin API for the service catalogue, offices and appointments (issue #6). Kept apart from services.ts,
 * which is the device contract; these shapes only cross between the admin console and the control plane.
 */

export const CategoryIdParams = Type.Object({ id: CategoryId }, strict);
export type CategoryIdParams = Static<typeof CategoryIdParams>;

export const CategoryUpdate = Type.Object(
  { name: I18nText(32), icon: ServiceCategory.properties.icon, order: ServiceCategory.properties.order },
  strict,
);
export type CategoryUpdate = Static<typeof CategoryUpdate>;

export const CategoryView = Type.Object({
  ...ServiceCategory.properties,
  /** Matters anywhere that use this category (a category in use cannot be deleted). */
  matters: Type.Integer({ minimum: 0 }),
  updatedAt: IsoTime,
});
export type CategoryView = Static<typeof CategoryView>;

export const CategoryListResponse = Type.Object({ categories: Type.Array(CategoryView) });
export type CategoryListResponse = Static<typeof CategoryListResponse>;

/** A matter as an admin writes it; the id and the pinyin initials are the control plane's. */
export const MatterInput = Type.Object(
  {
    /** Owner: the matter reaches kiosks at this node and below it. */
    nodeId: IdSchema('node'),
    categoryId: CategoryId,
    name: I18nText(64),
    legalBasis: I18nText(1000),
    covers: I18nText(1000),
    materials: Type.Array(Material, { maxItems: 30 }),
    steps: Type.Array(I18nText(300), { minItems: 1, maxItems: 20 }),
    timeLimit: I18nText(100),
    fee: I18nText(100),
    bookable: Type.Boolean(),
    order: Type.Integer({ minimum: 0, maximum: 10_000 }),
    officeId: Type.Optional(IdSchema('ofc')),
  },
  strict,
);
export type MatterInput = Static<typeof MatterInput>;

export const MatterIdParams = Type.Object({ id: IdSchema('svc') }, strict);
export type MatterIdParams = Static<typeof MatterIdParams>;

export const MatterView = Type.Object({
  ...MatterInput.properties,
  id: IdSchema('svc'),
  initials: Type.String(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  updatedBy: Type.String(),
});
export type MatterView = Static<typeof MatterView>;

export const MatterListQuery = Type.Object(
  {
    /** Matters owned at this node and below it (default: your node). */
    nodeId: Type.Optional(IdSchema('node')),
    categoryId: Type.Optional(CategoryId),
  },
  strict,
);
export type MatterListQuery = Static<typeof MatterListQuery>;

export const MatterListResponse = Type.Object({ matters: Type.Array(MatterView) });
export type MatterListResponse = Static<typeof MatterListResponse>;

export const OfficeInput = Type.Object(
  {
    nodeId: IdSchema('node'),
    name: I18nText(64),
    address: I18nText(200),
    hours: I18nText(200),
    phone: Office.properties.phone,
    timezone: Office.properties.timezone,
    slots: SlotRules,
  },
  strict,
);
export type OfficeInput = Static<typeof OfficeInput>;

export const OfficeIdParams = Type.Object({ id: IdSchema('ofc') }, strict);
export type OfficeIdParams = Static<typeof OfficeIdParams>;

export const OfficeView = Type.Object({ ...Office.properties, createdAt: IsoTime, updatedAt: IsoTime });
export type OfficeView = Static<typeof OfficeView>;

export const OfficeListQuery = Type.Object({ nodeId: Type.Optional(IdSchema('node')) }, strict);
export type OfficeListQuery = Static<typeof OfficeListQuery>;

export const OfficeListResponse = Type.Object({ offices: Type.Array(OfficeView) });
export type OfficeListResponse = Static<typeof OfficeListResponse>;

export const AppointmentListQuery = Type.Object(
  {
    officeId: IdSchema('ofc'),
    /** A day in the office's timezone (YYYY-MM-DD). */
    date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    status: Type.Optional(AppointmentStatus),
  },
  strict,
);
export type AppointmentListQuery = Static<typeof AppointmentListQuery>;

export const AppointmentIdParams = Type.Object({ id: IdSchema('apt') }, strict);
export type AppointmentIdParams = Static<typeof AppointmentIdParams>;

export const AppointmentView = Type.Object({
  id: IdSchema('apt'),
  number: Type.String(),
  code: Type.String(),
  status: AppointmentStatus,
  matterId: IdSchema('svc'),
  matterName: I18nText(64),
  officeId: IdSchema('ofc'),
  slotStart: IsoTime,
  slotEnd: IsoTime,
  slotLabel: Type.String(),
  deviceId: Type.Optional(IdSchema('dev')),
  createdAt: IsoTime,
  canceledAt: Type.Optional(IsoTime),
  canceledBy: Type.Optional(Type.String()),
});
export type AppointmentView = Static<typeof AppointmentView>;

export const AppointmentListResponse = Type.Object({
  office: OfficeView,
  date: Type.String(),
  appointments: Type.Array(AppointmentView),
});
export type AppointmentListResponse = Static<typeof AppointmentListResponse>;

export const AdminCancelRequest = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, strict),
  Type.Null(),
]);
export type AdminCancelRequest = Static<typeof AdminCancelRequest>;
