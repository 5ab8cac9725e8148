import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type {
  ApproveNoticeRequest,
  AuditAction,
  AuditEvent,
  AuditQuery,
  CreateNoticeRequest,
  EmergencyRequest,
  NoticeActionResponse,
  NoticeContent,
  NoticeListQuery,
  NoticeStatus,
  NoticeView,
  ReasonRequest,
  UpdateNoticeRequest,
} from '../../../../protocol/schemas/notice-admin.js';
import type { DeviceNotifier } from '../../hub/device-hub.js';
import type { Repository } from '../../storage/repository.js';
import type { EmergencyIssueRecord, NewAudit, NoticeRecord } from '../../storage/signage-records.js';
import type { AdminPrincipal } from '../context.js';
import type { HierarchyService } from '../hierarchy.js';
import { requirePermission, roleHas } from '../permissions.js';
import { connectedTargeted, countTargeted, spreadFor } from './device-targeting.js';
import type { EmergencyIssuer, IssueResult } from './emergency-issuer.js';
import { normaliseContent } from './notice-content.js';
import { loadInScope, NoticeQueries, noticeView } from './notice-queries.js';

export interface NoticeServiceDeps {
  repo: Repository;
  hierarchy: HierarchyService;
  notifier: DeviceNotifier;
  emergencies: EmergencyIssuer;
  now: () => number;
  /** An admin may not approve what they edited last (emergencies: always, unless district-or-higher bypass). */
  fourEyes: boolean;
}

type Change = {
  next: NoticeRecord;
  audits: Array<Omit<NewAudit, 'noticeId' | 'at' | 'actorId' | 'revision'>>;
  /** An emergency issue recorded in the same transaction as the change, pushed once it committed. */
  emergency?: { action: 'show' | 'cancel'; ttlSec: number };
};

const districtOrHigher = (p: AdminPrincipal) => p.node.level === 'city' || p.node.level === 'district';

/**
 * Notices and their moderation: staff draft, an admin approves, only then does a notice reach a screen; an
 * edit of an approved notice goes back for approval while the approved version keeps playing; a district-or-
 * higher admin may put an emergency on screens at once, bypassing approval. Every step is an audit row
 * written in the same transaction as the change.
 */
export class NoticeService {
  readonly #d: NoticeServiceDeps;
  readonly #q: NoticeQueries;

  constructor(deps: NoticeServiceDeps) {
    this.#d = deps;
    this.#q = new NoticeQueries(deps);
  }

  async create(p: AdminPrincipal, req: CreateNoticeRequest): Promise<NoticeActionResponse> {
    const { publish, ...input } = req;
    const now = this.#d.now();
    const content = await normaliseContent(input, { principal: p, ...this.#ctx(now) });
    if (publish && !roleHas(p.admin.role, 'notices.approve')) {
      throw new LinliError(
        ErrorCode.FORBIDDEN,
        'staff accounts draft notices; submit it and an admin approves it',
      );
    }
    const record: NoticeRecord = {
      id: newId('ntc', now),
      status: 'draft',
      revision: 1,
      content,
      publishedVersion: null,
      published: null,
      approvedAt: null,
      approvedBy: null,
      emergencySeq: null,
      emergencyLiveUntil: null,
      rejectedReason: null,
      createdBy: p.admin.id,
      updatedBy: p.admin.id,
      createdAt: now,
      updatedAt: now,
    };
    const audit = (action: AuditAction, detail: Record<string, unknown> | null = null): NewAudit => ({
      noticeId: record.id,
      at: now,
      actorId: p.admin.id,
      action,
      revision: 1,
      detail,
    });
    if (!publish) {
      await this.#d.repo.notices.create(record, [audit('create')]);
      return this.#respond(record, 0, 0);
    }
    // Create-and-publish is ONE write: every rule is checked first, then the notice, all its audit rows (and an
    // emergency's first issue) commit together, so a crash or a refusal never leaves a half-published notice.
    const bypass = content.priority === 'emergency' && districtOrHigher(p);
    if (!bypass) this.#assertMayApprove(p, record);
    if (Date.parse(content.expiresAt) <= now) {
      throw this.#state(record, 'publish', 'it has already expired; edit its expiry first');
    }
    const next: NoticeRecord = {
      ...record,
      status: 'published',
      published: content,
      publishedVersion: 1,
      approvedAt: now,
      approvedBy: p.admin.id,
    };
    const audits = bypass
      ? [audit('create'), audit('emergency-bypass', { from: 'draft', ttlSec: content.emergencyTtlSec })]
      : [audit('create'), audit('submit'), audit('approve', { selfApproved: true })];
    const issue = bypass
      ? this.#d.emergencies.input(next, 'show', { ttlSec: content.emergencyTtlSec, at: now, by: p.admin.id })
      : undefined;
    const issued = await this.#d.repo.notices.create(next, audits, issue);
    // Committed: now tell the screens (a lost push is caught up by the devices' next poll).
    const told = await this.#tell(next, issued, [content]);
    return { notice: await this.#viewOf(next.id), ...told };
  }

  async update(p: AdminPrincipal, id: string, req: UpdateNoticeRequest): Promise<NoticeActionResponse> {
    const { revision, ...input } = req;
    const cur = await this.#load(p, id);
    if (cur.status === 'withdrawn') {
      throw new LinliError(
        ErrorCode.NOTICE_STATE,
        'a withdrawn notice is final; create a new notice instead',
      );
    }
    this.#checkRevision(cur, revision);
    const now = this.#d.now();
    const content = await normaliseContent(input, { principal: p, ...this.#ctx(now) });
    // Editing something submitted or approved sends it (back) for approval; the approved version keeps playing.
    const status: NoticeStatus = cur.status === 'draft' || cur.status === 'rejected' ? 'draft' : 'pending';
    return this.#apply(p, cur, {
      next: { ...cur, status, content, revision: cur.revision + 1, rejectedReason: null },
      audits: [{ action: 'edit', detail: { from: cur.status, to: status } }],
    });
  }

  async submit(p: AdminPrincipal, id: string): Promise<NoticeActionResponse> {
    const cur = await this.#load(p, id);
    if (cur.status !== 'draft' && cur.status !== 'rejected') {
      throw this.#state(cur, 'submit', 'only a draft or a rejected notice can be submitted');
    }
    return this.#apply(p, cur, {
      next: { ...cur, status: 'pending' },
      audits: [{ action: 'submit', detail: null }],
    });
  }

  async approve(p: AdminPrincipal, id: string, req: ApproveNoticeRequest): Promise<NoticeActionResponse> {
    requirePermission(p, 'notices.approve');
    const cur = await this.#load(p, id);
    if (cur.status !== 'pending')
      throw this.#state(cur, 'approve', 'only a submitted (pending) notice can be approved');
    this.#checkRevision(cur, req.revision);
    this.#assertMayApprove(p, cur);
    return this.#publish(p, cur, 'approve', { selfApproved: cur.updatedBy === p.admin.id });
  }

  /** The approver rules: no own emergency below district level, no own notice under four-eyes moderation. */
  #assertMayApprove(p: AdminPrincipal, cur: NoticeRecord): void {
    const own = cur.updatedBy === p.admin.id;
    if (own && cur.content.priority === 'emergency' && !districtOrHigher(p)) {
      throw new LinliError(
        ErrorCode.NOTICE_APPROVAL,
        'an emergency needs a second admin to approve it, or a district-or-higher admin to put it up directly',
      );
    }
    if (own && this.#d.fourEyes && cur.content.priority !== 'emergency') {
      throw new LinliError(
        ErrorCode.NOTICE_APPROVAL,
        'four-eyes moderation is on: another admin must approve what you edited',
      );
    }
  }

  async reject(p: AdminPrincipal, id: string, req: ReasonRequest): Promise<NoticeActionResponse> {
    requirePermission(p, 'notices.approve');
    const cur = await this.#load(p, id);
    if (cur.status !== 'pending')
      throw this.#state(cur, 'reject', 'only a submitted (pending) notice can be rejected');
    const reason = req.reason ?? 'rejected without a reason';
    return this.#apply(p, cur, {
      next: { ...cur, status: 'rejected', rejectedReason: reason },
      audits: [{ action: 'reject', detail: { reason } }],
    });
  }

  async withdraw(p: AdminPrincipal, id: string, req: ReasonRequest): Promise<NoticeActionResponse> {
    requirePermission(p, 'notices.withdraw');
    const cur = await this.#load(p, id);
    if (cur.status === 'withdrawn') throw this.#state(cur, 'withdraw', 'it is already withdrawn');
    const live = cur.emergencyLiveUntil !== null && cur.emergencyLiveUntil > this.#d.now();
    return this.#apply(p, cur, {
      next: { ...cur, status: 'withdrawn', emergencyLiveUntil: null },
      audits: [{ action: 'withdraw', detail: req.reason ? { reason: req.reason } : null }],
      // Take the takeover down at once on every connected screen; the others drop it from their manifest.
      ...(live
        ? {
            emergency: {
              action: 'cancel' as const,
              ttlSec: cur.published?.emergencyTtlSec ?? cur.content.emergencyTtlSec,
            },
          }
        : {}),
    });
  }

  /** District-or-higher admins: publish an emergency now, without approval (audited as a bypass). */
  async emergency(p: AdminPrincipal, id: string, req: EmergencyRequest): Promise<NoticeActionResponse> {
    requirePermission(p, 'notices.emergency');
    if (!districtOrHigher(p)) {
      throw new LinliError(
        ErrorCode.NOTICE_APPROVAL,
        `only a district-or-higher admin may bypass approval; you are at the ${p.node.level} "${p.node.name}": submit it for approval`,
      );
    }
    const cur = await this.#load(p, id);
    if (cur.status === 'withdrawn') throw this.#state(cur, 'publish', 'a withdrawn notice is final');
    if (cur.content.priority !== 'emergency') {
      throw this.#state(
        cur,
        'put up as an emergency',
        'only a notice with priority "emergency" takes over screens',
      );
    }
    const content = req.ttlSec ? { ...cur.content, emergencyTtlSec: req.ttlSec } : cur.content;
    return this.#publish(p, { ...cur, content }, 'emergency-bypass', {
      from: cur.status,
      ttlSec: content.emergencyTtlSec,
    });
  }

  /** Keeps an emergency up for another TTL (the dead-man switch drops it otherwise). */
  async renew(p: AdminPrincipal, id: string, req: EmergencyRequest): Promise<NoticeActionResponse> {
    requirePermission(p, 'notices.emergency');
    const cur = await this.#load(p, id);
    if (cur.status === 'withdrawn' || !cur.published || cur.published.priority !== 'emergency') {
      throw this.#state(cur, 'renew', 'only a published emergency can be renewed');
    }
    const ttlSec = req.ttlSec ?? cur.published.emergencyTtlSec;
    // The renewed issue is pushed; a device that gets a push syncs on its own, so no sync frame follows.
    return this.#apply(p, cur, {
      next: { ...cur },
      audits: [{ action: 'emergency-renew', detail: { ttlSec } }],
      emergency: { action: 'show', ttlSec },
    });
  }

  get(p: AdminPrincipal, id: string): Promise<NoticeView> {
    return this.#q.get(p, id);
  }

  list(p: AdminPrincipal, q: NoticeListQuery): Promise<NoticeView[]> {
    return this.#q.list(p, q);
  }

  audit(p: AdminPrincipal, q: AuditQuery): Promise<AuditEvent[]> {
    return this.#q.audit(p, q);
  }

  view(n: NoticeRecord): NoticeView {
    return noticeView(n, this.#d.now());
  }

  // --- internals

  #ctx(now: number) {
    return { hierarchy: this.#d.hierarchy, repo: this.#d.repo, now };
  }

  async #viewOf(id: string): Promise<NoticeView> {
    return this.view((await this.#d.repo.notices.get(id))!);
  }

  #load(p: AdminPrincipal, id: string): Promise<NoticeRecord> {
    return loadInScope(this.#d, p, id);
  }

  #checkRevision(cur: NoticeRecord, revision: number): void {
    if (revision !== cur.revision) {
      throw new LinliError(
        ErrorCode.NOTICE_REVISION,
        `notice ${cur.id} is at revision ${cur.revision}, not ${revision}: someone changed it; reload and try again`,
        { revision: cur.revision },
      );
    }
  }

  #state(cur: NoticeRecord, action: string, why: string): LinliError {
    return new LinliError(
      ErrorCode.NOTICE_STATE,
      `cannot ${action} notice ${cur.id} while it is ${cur.status}: ${why}`,
      {
        status: cur.status,
      },
    );
  }

  async #publish(
    p: AdminPrincipal,
    cur: NoticeRecord,
    action: AuditAction,
    detail: Record<string, unknown>,
  ): Promise<NoticeActionResponse> {
    const now = this.#d.now();
    const content: NoticeContent = cur.content;
    if (Date.parse(content.expiresAt) <= now) {
      throw this.#state(cur, 'publish', 'it has already expired; edit its expiry first');
    }
    const next: NoticeRecord = {
      ...cur,
      status: 'published',
      published: content,
      publishedVersion: (cur.publishedVersion ?? 0) + 1,
      approvedAt: now,
      approvedBy: p.admin.id,
      rejectedReason: null,
    };
    const emergency =
      content.priority === 'emergency'
        ? { action: 'show' as const, ttlSec: content.emergencyTtlSec }
        : undefined;
    // Every (re)publication tells its devices, also when the content object compares equal.
    return this.#apply(
      p,
      cur,
      { next, audits: [{ action, detail }], ...(emergency ? { emergency } : {}) },
      'always',
    );
  }

  /** Writes the change with its audit rows (compare-and-set), then tells affected devices (push and/or sync). */
  async #apply(
    p: AdminPrincipal,
    cur: NoticeRecord,
    change: Change,
    sync: 'changed' | 'always' = 'changed',
  ): Promise<NoticeActionResponse> {
    const now = this.#d.now();
    const next: NoticeRecord = {
      ...change.next,
      updatedBy: p.admin.id,
      updatedAt: Math.max(now, cur.updatedAt + 1),
    };
    const issue = change.emergency
      ? this.#d.emergencies.input(next, change.emergency.action, {
          ttlSec: change.emergency.ttlSec,
          at: now,
          by: p.admin.id,
        })
      : undefined;
    const result = await this.#d.repo.notices.update(
      next,
      { revision: cur.revision, status: cur.status, updatedAt: cur.updatedAt },
      change.audits.map((a) => ({
        ...a,
        noticeId: cur.id,
        at: now,
        actorId: p.admin.id,
        revision: next.revision,
      })),
      issue,
    );
    if (!result.ok) {
      throw new LinliError(
        ErrorCode.NOTICE_REVISION,
        `notice ${cur.id} changed meanwhile; reload it and try again`,
      );
    }
    const publishedChanged =
      sync === 'always' || next.published !== cur.published || next.status === 'withdrawn';
    const contents = publishedChanged ? [next.published, cur.published] : [];
    // Committed together with the change: now push and sync (a lost push is caught up by the next poll).
    const told = await this.#tell(next, result.issued, contents);
    if (!result.issued) return this.#respond(next, told.targetedDevices, told.notifiedDevices);
    return { notice: await this.#viewOf(cur.id), ...told };
  }

  /**
   * After the commit: the emergency push (if any) goes out first, then a sync to the connected devices the
   * contents reach that did not get the push (a device syncs on its own after a push: a second frame would
   * only double its work). Targets come from the hub's index; the total targeted is counted afterwards.
   */
  async #tell(
    notice: NoticeRecord,
    issued: EmergencyIssueRecord | undefined,
    contents: Array<NoticeContent | null | undefined>,
  ): Promise<{ targetedDevices: number; notifiedDevices: number }> {
    const pushed: IssueResult | undefined = issued
      ? await this.#d.emergencies.push(notice, issued)
      : undefined;
    const targets = contents.filter((c): c is NoticeContent => !!c).map((c) => c.targets);
    const except = new Set(pushed?.pushedTo ?? []);
    const ids = (await connectedTargeted(this.#d.notifier, this.#d.repo, targets)).filter(
      (id) => !except.has(id),
    );
    const notified =
      ids.length > 0
        ? this.#d.notifier.notify(ids, { type: 'sync', topic: 'content', spreadMs: spreadFor(ids.length) })
        : 0;
    // Push and sync went to disjoint devices; the count of all targeted (offline too) is read last, and not
    // twice when the push already counted the same targets.
    const pushedTargets = notice.published?.targets ?? notice.content.targets;
    const same =
      pushed !== undefined && targets.every((t) => JSON.stringify(t) === JSON.stringify(pushedTargets));
    const targeted = same ? pushed.targeted : await countTargeted(this.#d.repo, targets);
    return {
      targetedDevices: Math.max(pushed?.targeted ?? 0, targeted),
      notifiedDevices: (pushed?.notified ?? 0) + notified,
    };
  }

  #respond(n: NoticeRecord, targeted: number, notified: number): NoticeActionResponse {
    return { notice: this.view(n), targetedDevices: targeted, notifiedDevices: notified };
  }
}
