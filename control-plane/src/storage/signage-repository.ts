import type { Signed } from '../../../protocol/schemas/common.js';
import type { EmergencyAlert } from '../../../protocol/schemas/notice.js';
import type {
  AuditRecord,
  EmergencyIssueRecord,
  FaultRecord,
  MediaRecord,
  NewAudit,
  NoticeRecord,
  StoredPlay,
  TufViewRecord,
} from './signage-records.js';

/** One emergency issue: `sign` builds the envelope for the seq storage hands out. */
export interface EmergencyIssueInput {
  noticeId: string;
  action: 'show' | 'cancel';
  ttlSec: number;
  at: number;
  by: string;
  liveUntil: number | null;
  sign: (seq: number) => Signed<EmergencyAlert>;
}

export interface NoticeRepository {
  count(): Promise<number>;
  get(id: string): Promise<NoticeRecord | undefined>;
  list(): Promise<NoticeRecord[]>;
  /**
   * Inserts the notice with its audit rows (and, for an emergency put up at creation, its first issue) in ONE
   * transaction: a create-and-publish is never left half done (a draft with a submit row, never approved).
   */
  create(
    notice: NoticeRecord,
    audits: readonly NewAudit[],
    emergency?: EmergencyIssueInput,
  ): Promise<EmergencyIssueRecord | undefined>;
  /**
   * Compare-and-set on the revision and status the caller read: writes the notice, its published targets (when
   * `published` changed) and the audit rows in one transaction. Returns false, writing nothing, when the
   * notice moved on in between. An emergency issue, if given, is recorded in the same transaction.
   */
  update(
    next: NoticeRecord,
    expected: { revision: number; status: NoticeRecord['status']; updatedAt: number },
    audits: readonly NewAudit[],
    emergency?: EmergencyIssueInput,
  ): Promise<{ ok: false } | { ok: true; issued: EmergencyIssueRecord | undefined }>;
  /** Published notices whose targets include one of these nodes and that have not expired at `now`. */
  listPublishedForNodes(nodeIds: readonly string[], now: number): Promise<NoticeRecord[]>;
  listAudit(filter: {
    noticeIds?: readonly string[];
    action?: string;
    limit: number;
  }): Promise<AuditRecord[]>;
  /**
   * Takes the next emergency sequence number, has `sign` build the envelope for it, stores it and marks the
   * notice, in one transaction, so a seq is never issued twice or lost.
   */
  issueEmergency(input: EmergencyIssueInput): Promise<EmergencyIssueRecord>;
  /** The highest emergency seq ever issued for a notice whose published targets include one of these nodes. */
  maxEmergencySeqForNodes(nodeIds: readonly string[]): Promise<number>;
}

export interface MediaRepository {
  put(media: MediaRecord, data: Uint8Array): Promise<void>;
  get(sha256: string): Promise<MediaRecord | undefined>;
  data(sha256: string): Promise<Buffer | undefined>;
}

export interface TufViewRepository {
  get(deviceId: string): Promise<TufViewRecord | undefined>;
  /**
   * Stores the view, the new snapshot/targets texts and the manifest, keeping `keep` versions of each. Versions
   * only move forward: a save whose timestamp version is not above the stored one (another instance signed
   * that version first), or that moves snapshot or targets back, writes nothing and returns false.
   */
  save(
    view: TufViewRecord,
    texts: { snapshot?: string; targets?: string },
    manifest: { sha256: string; data: Uint8Array } | undefined,
    keep: number,
  ): Promise<boolean>;
  text(deviceId: string, role: 'snapshot' | 'targets', version: number): Promise<string | undefined>;
  manifest(sha256: string): Promise<{ deviceId: string; data: Buffer } | undefined>;
}

export interface PlayRepository {
  /**
   * Inserts the plays a device uploaded. A play id seen before is not stored again: a longer duration for the
   * same showing updates it (counted as accepted), anything else is counted as a duplicate.
   */
  insert(plays: readonly StoredPlay[]): Promise<{ accepted: number; duplicates: number }>;
  forNotice(noticeId: string, since: number, limit: number): Promise<StoredPlay[]>;
  summaryForNotice(
    noticeId: string,
    since: number,
  ): Promise<{ deviceId: string; plays: number; totalMs: number; firstAt: number; lastAt: number }[]>;
  forDevice(deviceId: string, since: number, limit: number): Promise<StoredPlay[]>;
  insertFault(fault: FaultRecord): Promise<void>;
  faultsForNotice(noticeId: string): Promise<FaultRecord[]>;
}
