import type { Signed } from '../../../protocol/schemas/common.js';
import type { EmergencyAlert } from '../../../protocol/schemas/notice.js';
import type { AuditAction, NoticeContent, NoticeStatus } from '../../../protocol/schemas/notice-admin.js';
import type { PlayRecord } from '../../../protocol/schemas/signage-device.js';

/** A notice and its moderation state. `content` is the latest revision; `published` is what devices play. */
export interface NoticeRecord {
  id: string;
  status: NoticeStatus;
  revision: number;
  content: NoticeContent;
  publishedVersion: number | null;
  published: NoticeContent | null;
  approvedAt: number | null;
  approvedBy: string | null;
  /** The last emergency issue (show or cancel) and, while shown, until when the server considers it live. */
  emergencySeq: number | null;
  emergencyLiveUntil: number | null;
  rejectedReason: string | null;
  createdBy: string;
  updatedBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface AuditRecord {
  seq: number;
  at: number;
  noticeId: string;
  actorId: string;
  action: AuditAction;
  revision: number;
  detail: Record<string, unknown> | null;
}

export type NewAudit = Omit<AuditRecord, 'seq'>;

export interface EmergencyIssueRecord {
  seq: number;
  noticeId: string;
  action: 'show' | 'cancel';
  ttlSec: number;
  issuedAt: number;
  issuedBy: string;
  envelope: Signed<EmergencyAlert>;
}

export interface MediaRecord {
  sha256: string;
  contentType: string;
  ext: 'png' | 'jpg' | 'webp';
  length: number;
  width: number;
  height: number;
  uploadedBy: string;
  uploadedAt: number;
}

/** A device's TUF view as last signed; the snapshot and targets texts live in their own rows by version. */
export interface TufViewRecord {
  deviceId: string;
  rootVersion: number;
  manifestSha256: string;
  targetsVersion: number;
  targetsExpires: number;
  snapshotVersion: number;
  snapshotExpires: number;
  timestampVersion: number;
  timestampExpires: number;
  timestampText: string;
  updatedAt: number;
}

export interface StoredPlay extends PlayRecord {
  deviceId: string;
  receivedAt: number;
}

export interface FaultRecord {
  deviceId: string;
  noticeId: string;
  version: number;
  code: string;
  reason: string;
  at: number;
  receivedAt: number;
}
