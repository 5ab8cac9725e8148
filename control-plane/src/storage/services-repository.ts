import type { Signed } from '../../../protocol/schemas/common.js';
import type { AppointmentSlip, AppointmentStatus } from '../../../protocol/schemas/services.js';
import type {
  AppointmentRecord,
  AuditEntity,
  CategoryRecord,
  MatterRecord,
  OfficeRecord,
  ServiceAuditInput,
  ServiceAuditRecord,
} from './services-records.js';

/** What the booking transaction needs from the caller once the queue position and code are fixed. */
export interface SealedSlip {
  number: string;
  slip: AppointmentSlip;
  envelope: Signed<AppointmentSlip>;
}

export interface BookInput {
  id: string;
  officeId: string;
  matterId: string;
  deviceId: string | null;
  day: string;
  slotStart: number;
  slotEnd: number;
  capacity: number;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: number;
  /** A fresh random 8-digit code; asked again while the code is taken by an open booking. */
  newCode(): string;
  /** Builds and signs the slip; called inside the transaction, so it must be synchronous. */
  seal(seq: number, code: string): SealedSlip;
}

export type BookResult =
  | { ok: true; appointment: AppointmentRecord }
  | { ok: false; reason: 'full' }
  | { ok: false; reason: 'replay'; existing: AppointmentRecord };

export type DeleteCategoryResult = 'deleted' | 'missing' | 'in_use';

/** The service catalogue and offices; every change is written with its audit row in one transaction. */
export interface ServiceRepository {
  /** True when no category, matter or catalogue change was ever stored (the seed runs only then). */
  isPristine(): Promise<boolean>;
  listCategories(): Promise<CategoryRecord[]>;
  getCategory(id: string): Promise<CategoryRecord | undefined>;
  /** False when the id exists. */
  createCategory(c: CategoryRecord, audit: ServiceAuditInput): Promise<boolean>;
  updateCategory(c: CategoryRecord, audit: ServiceAuditInput): Promise<boolean>;
  deleteCategory(id: string, audit: ServiceAuditInput): Promise<DeleteCategoryResult>;
  /** Live matters per category id. */
  countMattersByCategory(): Promise<Map<string, number>>;

  getMatter(id: string): Promise<MatterRecord | undefined>;
  /** Live matters owned at any of these nodes, by order then id. */
  listMattersForNodes(nodeIds: readonly string[]): Promise<MatterRecord[]>;
  /** Inserts or replaces the live matter. */
  saveMatter(m: MatterRecord, audit: ServiceAuditInput): Promise<void>;
  deleteMatter(id: string, at: number, audit: ServiceAuditInput): Promise<boolean>;
  /** Live matters that name this office. */
  listMattersForOffice(officeId: string): Promise<MatterRecord[]>;
  listAudit(entity: AuditEntity, entityId: string): Promise<ServiceAuditRecord[]>;

  getOffice(id: string): Promise<OfficeRecord | undefined>;
  getOffices(ids: readonly string[]): Promise<OfficeRecord[]>;
  /** Live offices at any of these nodes, oldest first. */
  listOfficesForNodes(nodeIds: readonly string[]): Promise<OfficeRecord[]>;
  saveOffice(o: OfficeRecord, audit: ServiceAuditInput): Promise<void>;
  deleteOffice(id: string, at: number, audit: ServiceAuditInput): Promise<boolean>;
}

/** Appointments: a booking counts the slot and inserts in one transaction, so capacity holds. */
export interface AppointmentRepository {
  /** Counts booked rows of the slot and inserts only below capacity, in one transaction (see BookResult). */
  book(input: BookInput): Promise<BookResult>;
  getAppointment(id: string): Promise<AppointmentRecord | undefined>;
  findByIdempotency(deviceId: string, key: string): Promise<AppointmentRecord | undefined>;
  /** The open (booked) appointment with this code, else the newest one that had it. */
  findByCode(code: string): Promise<AppointmentRecord | undefined>;
  /** Appointments of an office whose slot starts in [from, to), by slot then queue number. */
  listAppointments(
    officeId: string,
    from: number,
    to: number,
    status?: AppointmentStatus,
  ): Promise<AppointmentRecord[]>;
  /** Booked count per slot start in [from, to). */
  countBooked(officeId: string, from: number, to: number): Promise<Map<number, number>>;
  /** booked → canceled (compare-and-set) with its audit row; undefined when it was no longer booked. */
  cancel(
    id: string,
    at: number,
    by: string,
    audit: ServiceAuditInput,
  ): Promise<AppointmentRecord | undefined>;
  /** Booked appointments of an office from `from` on (an office with future bookings is not deleted). */
  countOpenFrom(officeId: string, from: number): Promise<number>;
}
