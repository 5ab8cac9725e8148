import type { Database } from 'better-sqlite3';
import type { AuditAction, NoticeContent, NoticeStatus } from '../../../../protocol/schemas/notice-admin.js';
import type { AuditRecord, EmergencyIssueRecord, NewAudit, NoticeRecord } from '../signage-records.js';
import type { EmergencyIssueInput, NoticeRepository } from '../signage-repository.js';
import { fromJson, toJson } from './rows.js';
import { prepared } from './statements.js';

interface NoticeRow {
  id: string;
  status: NoticeStatus;
  revision: number;
  content: string;
  published_version: number | null;
  published: string | null;
  approved_at: number | null;
  approved_by: string | null;
  published_expires_at: number | null;
  emergency_seq: number | null;
  emergency_live_until: number | null;
  rejected_reason: string | null;
  created_by: string;
  updated_by: string;
  created_at: number;
  updated_at: number;
}

function toRecord(r: NoticeRow): NoticeRecord {
  return {
    id: r.id,
    status: r.status,
    revision: r.revision,
    content: JSON.parse(r.content) as NoticeContent,
    publishedVersion: r.published_version,
    published: fromJson<NoticeContent>(r.published),
    approvedAt: r.approved_at,
    approvedBy: r.approved_by,
    emergencySeq: r.emergency_seq,
    emergencyLiveUntil: r.emergency_live_until,
    rejectedReason: r.rejected_reason,
    createdBy: r.created_by,
    updatedBy: r.updated_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function row(n: NoticeRecord) {
  return {
    id: n.id,
    status: n.status,
    revision: n.revision,
    content: JSON.stringify(n.content),
    published_version: n.publishedVersion,
    published: toJson(n.published),
    approved_at: n.approvedAt,
    approved_by: n.approvedBy,
    published_expires_at: n.published ? Date.parse(n.published.expiresAt) : null,
    emergency_seq: n.emergencySeq,
    emergency_live_until: n.emergencyLiveUntil,
    rejected_reason: n.rejectedReason,
    created_by: n.createdBy,
    updated_by: n.updatedBy,
    created_at: n.createdAt,
    updated_at: n.updatedAt,
  };
}

const COLUMNS = Object.keys(row({ content: {}, published: null } as unknown as NoticeRecord));

export class SqliteNotices implements NoticeRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async count(): Promise<number> {
    return (prepared(this.#db, 'SELECT COUNT(*) AS n FROM notices').get() as { n: number }).n;
  }

  async get(id: string): Promise<NoticeRecord | undefined> {
    const r = prepared(this.#db, 'SELECT * FROM notices WHERE id = ?').get(id) as NoticeRow | undefined;
    return r ? toRecord(r) : undefined;
  }

  async list(): Promise<NoticeRecord[]> {
    return (
      prepared(this.#db, 'SELECT * FROM notices ORDER BY created_at DESC, id DESC').all() as NoticeRow[]
    ).map(toRecord);
  }

  #audit(a: NewAudit): void {
    prepared(
      this.#db,
      'INSERT INTO notice_audit (at, notice_id, actor_id, action, revision, detail) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(a.at, a.noticeId, a.actorId, a.action, a.revision, toJson(a.detail));
  }

  #targets(n: NoticeRecord): void {
    prepared(this.#db, 'DELETE FROM notice_targets WHERE notice_id = ?').run(n.id);
    // Kept after a withdrawal: the cancel's seq must still count for the devices the notice reached.
    if (!n.published) return;
    const ins = prepared(this.#db, 'INSERT INTO notice_targets (notice_id, node_id) VALUES (?, ?)');
    for (const nodeId of new Set(n.published.targets.nodeIds)) ins.run(n.id, nodeId);
  }

  async create(
    n: NoticeRecord,
    audits: readonly NewAudit[],
    emergency?: EmergencyIssueInput,
  ): Promise<EmergencyIssueRecord | undefined> {
    return this.#db.transaction(() => {
      prepared(
        this.#db,
        `INSERT INTO notices (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
      ).run(row(n));
      this.#targets(n);
      for (const a of audits) this.#audit(a);
      return emergency ? this.#issue(emergency) : undefined;
    })();
  }

  async update(
    n: NoticeRecord,
    expected: { revision: number; status: NoticeStatus; updatedAt: number },
    audits: readonly NewAudit[],
    emergency?: EmergencyIssueInput,
  ): Promise<{ ok: false } | { ok: true; issued: EmergencyIssueRecord | undefined }> {
    return this.#db.transaction(
      (): { ok: false } | { ok: true; issued: EmergencyIssueRecord | undefined } => {
        const sets = COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = @${c}`);
        const changed = prepared(
          this.#db,
          `UPDATE notices SET ${sets.join(', ')}
           WHERE id = @id AND revision = @exp_revision AND status = @exp_status AND updated_at = @exp_updated`,
        ).run({
          ...row(n),
          exp_revision: expected.revision,
          exp_status: expected.status,
          exp_updated: expected.updatedAt,
        }).changes;
        if (changed !== 1) return { ok: false };
        this.#targets(n);
        for (const a of audits) this.#audit(a);
        return { ok: true, issued: emergency ? this.#issue(emergency) : undefined };
      },
    )();
  }

  async listPublishedForNodes(nodeIds: readonly string[], now: number): Promise<NoticeRecord[]> {
    if (nodeIds.length === 0) return [];
    const rows = prepared(
      this.#db,
      `SELECT DISTINCT n.* FROM notices n JOIN notice_targets t ON t.notice_id = n.id
         WHERE t.node_id IN (${nodeIds.map(() => '?').join(',')})
           AND n.published IS NOT NULL AND n.status != 'withdrawn' AND n.published_expires_at > ?
         ORDER BY n.id`,
    ).all(...nodeIds, now) as NoticeRow[];
    return rows.map(toRecord);
  }

  async listAudit(f: {
    noticeIds?: readonly string[];
    action?: string;
    limit: number;
  }): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.noticeIds) {
      if (f.noticeIds.length === 0) return [];
      where.push(`notice_id IN (${f.noticeIds.map(() => '?').join(',')})`);
      params.push(...f.noticeIds);
    }
    if (f.action) {
      where.push('action = ?');
      params.push(f.action);
    }
    const rows = prepared(
      this.#db,
      `SELECT * FROM notice_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
    ).all(...params, f.limit) as {
      seq: number;
      at: number;
      notice_id: string;
      actor_id: string;
      action: AuditAction;
      revision: number;
      detail: string | null;
    }[];
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      noticeId: r.notice_id,
      actorId: r.actor_id,
      action: r.action,
      revision: r.revision,
      detail: fromJson<Record<string, unknown>>(r.detail),
    }));
  }

  async issueEmergency(input: EmergencyIssueInput): Promise<EmergencyIssueRecord> {
    return this.#db.transaction(() => this.#issue(input))();
  }

  #issue(input: EmergencyIssueInput): EmergencyIssueRecord {
    const seq = Number(
      prepared(
        this.#db,
        "INSERT INTO emergency_issues (notice_id, action, ttl_sec, issued_at, issued_by, envelope) VALUES (?, ?, ?, ?, ?, '')",
      ).run(input.noticeId, input.action, input.ttlSec, input.at, input.by).lastInsertRowid,
    );
    const envelope = input.sign(seq);
    prepared(this.#db, 'UPDATE emergency_issues SET envelope = ? WHERE seq = ?').run(
      JSON.stringify(envelope),
      seq,
    );
    prepared(this.#db, 'UPDATE notices SET emergency_seq = ?, emergency_live_until = ? WHERE id = ?').run(
      seq,
      input.liveUntil,
      input.noticeId,
    );
    return {
      seq,
      noticeId: input.noticeId,
      action: input.action,
      ttlSec: input.ttlSec,
      issuedAt: input.at,
      issuedBy: input.by,
      envelope,
    };
  }

  async maxEmergencySeqForNodes(nodeIds: readonly string[]): Promise<number> {
    if (nodeIds.length === 0) return 0;
    const r = prepared(
      this.#db,
      `SELECT MAX(n.emergency_seq) AS m FROM notices n JOIN notice_targets t ON t.notice_id = n.id
         WHERE t.node_id IN (${nodeIds.map(() => '?').join(',')})`,
    ).get(...nodeIds) as { m: number | null };
    return r.m ?? 0;
  }
}
