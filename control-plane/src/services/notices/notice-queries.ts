import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type {
  AuditEvent,
  AuditQuery,
  NoticeListQuery,
  NoticeView,
} from '../../../../protocol/schemas/notice-admin.js';
import type { Repository } from '../../storage/repository.js';
import type { NoticeRecord } from '../../storage/signage-records.js';
import { type AdminPrincipal, iso } from '../context.js';
import { type HierarchyService, isWithin } from '../hierarchy.js';

interface QueryDeps {
  repo: Repository;
  hierarchy: HierarchyService;
  now: () => number;
}

/** A notice as an admin sees it: the latest revision, the version devices play, the emergency state. */
export function noticeView(n: NoticeRecord, now: number): NoticeView {
  return {
    id: n.id,
    status: n.status,
    revision: n.revision,
    content: n.content,
    published:
      n.published && n.publishedVersion !== null
        ? {
            version: n.publishedVersion,
            content: n.published,
            approvedAt: iso(n.approvedAt ?? 0),
            approvedBy: n.approvedBy ?? '',
          }
        : null,
    emergency:
      n.emergencySeq !== null
        ? {
            seq: n.emergencySeq,
            liveUntil: iso(n.emergencyLiveUntil ?? 0),
            live: n.emergencyLiveUntil !== null && n.emergencyLiveUntil > now && n.status !== 'withdrawn',
          }
        : null,
    rejectedReason: n.rejectedReason,
    createdBy: n.createdBy,
    updatedBy: n.updatedBy,
    createdAt: iso(n.createdAt),
    updatedAt: iso(n.updatedAt),
  };
}

/** True when every target of the notice, as drafted and as published, lies in the admin's subtree. */
async function targetsInScope(d: QueryDeps, p: AdminPrincipal, n: NoticeRecord): Promise<boolean> {
  const targets = new Set([...n.content.targets.nodeIds, ...(n.published?.targets.nodeIds ?? [])]);
  for (const nodeId of targets) {
    if (!(await d.hierarchy.inScope(p, nodeId))) return false;
  }
  return true;
}

/** Loads a notice the admin may act on: every target (draft and published) within their subtree. */
export async function loadInScope(d: QueryDeps, p: AdminPrincipal, id: string): Promise<NoticeRecord> {
  const n = await d.repo.notices.get(id);
  // A notice reaching beyond the admin's subtree answers like one that does not exist (no owner named).
  if (!n || !(await targetsInScope(d, p, n))) {
    throw new LinliError(
      ErrorCode.NOTICE_NOT_FOUND,
      `no notice ${id}; list them with GET /api/v1/admin/notices`,
    );
  }
  return n;
}

/** The read side of notices: one, a list in scope, the moderation audit log. */
export class NoticeQueries {
  readonly #d: QueryDeps;

  constructor(deps: QueryDeps) {
    this.#d = deps;
  }

  async get(p: AdminPrincipal, id: string): Promise<NoticeView> {
    return noticeView(await loadInScope(this.#d, p, id), this.#d.now());
  }

  async list(p: AdminPrincipal, q: NoticeListQuery): Promise<NoticeView[]> {
    const within = q.nodeId ? await this.#d.hierarchy.nodeInScope(p, q.nodeId) : p.node;
    const all = (await this.#d.repo.notices.list()).filter((n) => !q.status || n.status === q.status);
    const ids = [...new Set(all.flatMap((n) => n.content.targets.nodeIds))];
    const nodes = new Map((await this.#d.repo.nodes.getMany(ids)).map((n) => [n.id, n]));
    const inScope = (id: string) => {
      const node = nodes.get(id);
      return node !== undefined && isWithin(node, p.node.id);
    };
    const under = (id: string) => {
      const node = nodes.get(id);
      return node !== undefined && isWithin(node, within.id);
    };
    return all
      .filter((n) => n.content.targets.nodeIds.every(inScope) && n.content.targets.nodeIds.some(under))
      .map((n) => noticeView(n, this.#d.now()));
  }

  async audit(p: AdminPrincipal, q: AuditQuery): Promise<AuditEvent[]> {
    const visible = q.noticeId
      ? [(await loadInScope(this.#d, p, q.noticeId)).id]
      : (await this.list(p, {})).map((n) => n.id);
    const events = await this.#d.repo.notices.listAudit({
      noticeIds: visible,
      ...(q.action ? { action: q.action } : {}),
      limit: q.limit ?? 200,
    });
    const admins = new Map((await this.#d.repo.admins.list()).map((a) => [a.id, a]));
    return events.map((e) => {
      const a = admins.get(e.actorId);
      return {
        seq: e.seq,
        at: iso(e.at),
        noticeId: e.noticeId,
        action: e.action,
        revision: e.revision,
        actor: {
          id: e.actorId,
          username: a?.username ?? '?',
          role: a?.role ?? '?',
          nodeId: a?.nodeId ?? '?',
        },
        detail: e.detail,
      };
    });
  }
}
