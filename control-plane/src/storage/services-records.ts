import type { Signed } from '../../../protocol/schemas/common.js';
import type {
  AppointmentSlip,
  AppointmentStatus,
  Matter,
  Office,
  ServiceCategory,
} from '../../../protocol/schemas/services.js';

/** Storage shapes of the service catalogue and appointments (issue #6); times are epoch ms. */

export interface CategoryRecord extends ServiceCategory {
  createdAt: number;
  updatedAt: number;
}

/** The matter as delivered (protocol `Matter`) plus who owns and changed it. */
export interface MatterRecord {
  matter: Matter;
  nodeId: string;
  createdBy: string;
  updatedBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface OfficeRecord {
  office: Office;
  createdAt: number;
  updatedAt: number;
}

export interface AppointmentRecord {
  id: string;
  officeId: string;
  matterId: string;
  deviceId: string | null;
  /** The slot's calendar day in the office's timezone (YYYY-MM-DD): the queue-number day. */
  day: string;
  /** Position in the day's queue (1 → A001); assigned by the repository inside the booking transaction. */
  seq: number;
  number: string;
  code: string;
  status: AppointmentStatus;
  slotStart: number;
  slotEnd: number;
  /** The slip as booked (status booked); later states are this plus status and canceledAt. */
  slip: AppointmentSlip;
  /** The booked slip signed by the transaction key; its verifyUrl tag is what the public page checks. */
  envelope: Signed<AppointmentSlip>;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: number;
  canceledAt: number | null;
  canceledBy: string | null;
}

export type AuditEntity = 'category' | 'matter' | 'office' | 'appointment';

export interface ServiceAuditInput {
  at: number;
  actor: string;
  action: 'create' | 'update' | 'delete' | 'cancel';
  entity: AuditEntity;
  entityId: string;
  detail: Record<string, unknown> | null;
}

export interface ServiceAuditRecord extends ServiceAuditInput {
  seq: number;
}
