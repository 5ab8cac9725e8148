import type { AuditAction, NoticeContent, NoticeStatus } from '../../../../protocol/schemas/notice-admin.js';
import type { AuditRecord, EmergencyIssueRecord, NewAudit, NoticeRecord } from '../signage-records.js';
import type { EmergencyIssueInput, NoticeRepository } from '../signage-repository.js';
import type { PgDatabase } from './pg-database.js';
import { fromPgJson, type Queryable, toPgJson } from './pg-json.js';

interface NoticeRow {
  id: string;
  status: NoticeStatus;
  revision: number;
  content: unknown;
  published_version: number | null;
  published: unknown;
  approved_at: number | null;
  approved_by: string | null;
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
    content: fromPgJson<NoticeContent>(r.content)!,
    publishedVersion: r.published_version,
    published: fromPgJson<NoticeContent>(r.published),
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

/** Column order of every insert and update; `values` lists the parameters in the same order. */
const COLUMNS = [
  'id',
  'status',
  'revision',
  'content',
  'published_version',
  'published',
  'approved_at',
  'approved_by',
  'published_expires_at',
  'emergency_seq',
  'emergency_live_until',
  'rejected_reason',
  'created_by',
  'updated_by',
  'created_at',
  'updated_at',
] as const;

function values(n: NoticeRecord): unknown[] {
  return [
    n.id,
    n.status,
    n.revision,
    JSON.stringify(n.content),
    n.publishedVersion,
    toPgJson(n.published),
    n.approvedAt,
    n.approvedBy,
    n.published ? Date.parse(n.published.expiresAt) : null,
    n.emergencySeq,
    n.emergencyLiveUntil,
    n.rejectedReason,
    n.createdBy,
    n.updatedBy,
    n.createdAt,
    n.updatedAt,
  ];
}

const INSERT = `INSERT INTO notices (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;
// The compare-and-set. Under READ COMMITTED a second writer blocks on the row lock of the first and, once
// that commits, re-evaluates this WHERE against the committed row: it matches nothing and reports 0 rows,
// so of two edits made from the same revision exactly one is accepted.
const UPDATE = `UPDATE notices SET ${COLUMNS.slice(1)
  .map((c, i) => `${c} = $${i + 2}`)
  .join(', ')}
  WHERE id = $1 AND revision = $${COLUMNS.length + 1} AND status = $${COLUMNS.length + 2}
    AND updated_at = $${COLUMNS.length + 3}`;

/**
 * Emergency seqs are what devices compare against replays, so they must become visible in the order they
 * are numbered: a seq taken by one instance must not commit after a higher one taken by another (a device
 * would refuse it as a replay). Issuers take this transaction-scoped advisory lock before `nextval`, after
 * the notice row lock (always in that order, so two issuers never deadlock).
 */
const EMERGENCY_LOCK = 7_514_611;

export class PgNotices implements NoticeRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async count(): Promise<number> {
    return (await this.#db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM notices')).rows[0]!.n;
  }

  async get(id: string): Promise<NoticeRecord | undefined> {
    const r = (await this.#db.query<NoticeRow>('SELECT * FROM notices WHERE id = $1', [id])).rows[0];
    return r ? toRecord(r) : undefined;
  }

  async list(): Promise<NoticeRecord[]> {
    return (
      await this.#db.query<NoticeRow>('SELECT * FROM notices ORDER BY created_at DESC, id DESC')
    ).rows.map(toRecord);
  }

  async #audit(c: Queryable, a: NewAudit): Promise<void> {
    await c.query(
      'INSERT INTO notice_audit (at, notice_id, actor_id, action, revision, detail) VALUES ($1, $2, $3, $4, $5, $6)',
      [a.at, a.noticeId, a.actorId, a.action, a.revision, toPgJson(a.detail)],
    );
  }

  async #targets(c: Queryable, n: NoticeRecord): Promise<void> {
    await c.query('DELETE FROM notice_targets WHERE notice_id = $1', [n.id]);
    // Kept after a withdrawal: the cancel's seq must still count for the devices the notice reached.
    if (!n.published) return;
    const nodeIds = [...new Set(n.published.targets.nodeIds)];
    if (nodeIds.length === 0) return;
    await c.query('INSERT INTO notice_targets (notice_id, node_id) SELECT $1, unnest($2::text[])', [
      n.id,
      nodeIds,
    ]);
  }

  async create(
    n: NoticeRecord,
    audits: readonly NewAudit[],
    emergency?: EmergencyIssueInput,
  ): Promise<EmergencyIssueRecord | undefined> {
    return this.#db.tx(async (c) => {
      await c.query(INSERT, values(n));
      await this.#targets(c, n);
      for (const a of audits) await this.#audit(c, a);
      return emergency ? this.#issue(c, emergency) : undefined;
    });
  }

  async update(
    n: NoticeRecord,
    expected: { revision: number; status: NoticeStatus; updatedAt: number },
    audits: readonly NewAudit[],
    emergency?: EmergencyIssueInput,
  ): Promise<{ ok: false } | { ok: true; issued: EmergencyIssueRecord | undefined }> {
    return this.#db.tx(
      async (c): Promise<{ ok: false } | { ok: true; issued: EmergencyIssueRecord | undefined }> => {
        const changed = (
          await c.query(UPDATE, [...values(n), expected.revision, expected.status, expected.updatedAt])
        ).rowCount;
        if (changed !== 1) return { ok: false };
        await this.#targets(c, n);
        for (const a of audits) await this.#audit(c, a);
        return { ok: true, issued: emergency ? await this.#issue(c, emergency) : undefined };
      },
    );
  }

  async listPublishedForNodes(nodeIds: readonly string[], now: number): Promise<NoticeRecord[]> {
    if (nodeIds.length === 0) return [];
    const rows = (
      await this.#db.query<NoticeRow>(
        `SELECT n.* FROM notices n
         WHERE EXISTS (SELECT 1 FROM notice_targets t WHERE t.notice_id = n.id AND t.node_id = ANY($1::text[]))
           AND n.published IS NOT NULL AND n.status <> 'withdrawn' AND n.published_expires_at > $2
         ORDER BY n.id`,
        [[...nodeIds], now],
      )
    ).rows;
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
      params.push([...f.noticeIds]);
      where.push(`notice_id = ANY($${params.length}::text[])`);
    }
    if (f.action) {
      params.push(f.action);
      where.push(`action = $${params.length}`);
    }
    params.push(f.limit);
    const rows = (
      await this.#db.query<{
        seq: number;
        at: number;
        notice_id: string;
        actor_id: string;
        action: AuditAction;
        revision: number;
        detail: unknown;
      }>(
        `SELECT * FROM notice_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      )
    ).rows;
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      noticeId: r.notice_id,
      actorId: r.actor_id,
      action: r.action,
      revision: r.revision,
      detail: fromPgJson<Record<string, unknown>>(r.detail),
    }));
  }

  async issueEmergency(input: EmergencyIssueInput): Promise<EmergencyIssueRecord> {
    return this.#db.tx(async (c) => {
      // The notice row first, as update() takes it, then the issue lock (see EMERGENCY_LOCK).
      await c.query('SELECT 1 FROM notices WHERE id = $1 FOR UPDATE', [input.noticeId]);
      return this.#issue(c, input);
    });
  }

  async #issue(c: Queryable, input: EmergencyIssueInput): Promise<EmergencyIssueRecord> {
    await c.query('SELECT pg_advisory_xact_lock($1)', [EMERGENCY_LOCK]);
    // The seq is taken first so the envelope that carries it is written with the row, in one insert.
    const seq = (
      await c.query<{ seq: number }>(
        "SELECT nextval(pg_get_serial_sequence('emergency_issues', 'seq')) AS seq",
      )
    ).rows[0]!.seq;
    const envelope = input.sign(seq);
    await c.query(
      `INSERT INTO emergency_issues (seq, notice_id, action, ttl_sec, issued_at, issued_by, envelope)
       OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [seq, input.noticeId, input.action, input.ttlSec, input.at, input.by, JSON.stringify(envelope)],
    );
    await c.query('UPDATE notices SET emergency_seq = $1, emergency_live_until = $2 WHERE id = $3', [
      seq,
      input.liveUntil,
      input.noticeId,
    ]);
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
    const r = (
      await this.#db.query<{ m: number | null }>(
        `SELECT MAX(n.emergency_seq) AS m FROM notices n JOIN notice_targets t ON t.notice_id = n.id
         WHERE t.node_id = ANY($1::text[])`,
        [[...nodeIds]],
      )
    ).rows[0];
    return r?.m ?? 0;
  }
}
