import { createHash } from 'node:crypto';
import { signEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import type { NoticesResponse } from '../../../protocol/schemas/device-api.js';
import {
  Notice,
  type PublishNoticeRequest,
  type PublishNoticeResponse,
} from '../../../protocol/schemas/notice.js';
import { validate } from '../../../protocol/validate.js';
import type { DeviceNotifier } from '../hub/device-hub.js';
import type { KeyStore } from '../keys/key-store.js';
import type { Repository } from '../storage/repository.js';
import { type AdminPrincipal, type DevicePrincipal, iso } from './context.js';
import type { HierarchyService } from './hierarchy.js';

/** The device API returns at most this many notices, the newest ones. */
const MAX_NOTICES = 500;

export interface NoticeDeps {
  repo: Repository;
  keys: KeyStore;
  hierarchy: HierarchyService;
  notifier: DeviceNotifier;
  now: () => number;
}

/**
 * Publishing and serving notices. A notice is signed once, at publication, with the content key; devices
 * get the stored envelope byte for byte. The WebSocket push only says "sync": it carries no authority.
 */
export class NoticeService {
  readonly #d: NoticeDeps;

  constructor(deps: NoticeDeps) {
    this.#d = deps;
  }

  async publish(principal: AdminPrincipal, req: PublishNoticeRequest): Promise<PublishNoticeResponse> {
    if (principal.admin.role !== 'admin') {
      throw new LinliError(ErrorCode.FORBIDDEN, 'staff accounts draft notices; an admin publishes them');
    }
    const node = await this.#d.hierarchy.nodeInScope(principal, req.nodeId);
    const now = this.#d.now();
    if (req.expiresAt !== undefined && Date.parse(req.expiresAt) <= now) {
      throw new LinliError(
        ErrorCode.NOTICE_INVALID,
        'expiresAt is in the past; a notice must be visible for some time',
        {
          field: 'expiresAt',
        },
      );
    }
    const roles = req.roles && req.roles.length > 0 ? [...new Set(req.roles)].sort() : undefined;
    const payload: Notice = validate(
      Notice,
      {
        type: 'linli.notice/v1',
        id: newId('ntc', now),
        version: 1,
        title: req.title,
        body: req.body,
        category: req.category ?? 'general',
        priority: req.priority ?? 'normal',
        targets: { nodeIds: [node.id], ...(roles ? { roles } : {}) },
        publishedAt: iso(now),
        ...(req.expiresAt !== undefined ? { expiresAt: iso(Date.parse(req.expiresAt)) } : {}),
      },
      'notice',
    );
    const envelope = signEnvelope(payload, this.#d.keys.content);
    await this.#d.repo.notices.create(
      {
        id: payload.id,
        nodeId: node.id,
        roles: roles ?? null,
        category: payload.category,
        priority: payload.priority,
        publishedAt: now,
        expiresAt: payload.expiresAt === undefined ? null : Date.parse(payload.expiresAt),
        createdBy: principal.admin.id,
        envelope,
      },
      [node.id],
    );
    const targets = await this.#d.repo.devices.listActiveIds(node.id, roles);
    const notified = this.#d.notifier.notify(targets, { type: 'sync', topic: 'content' });
    return { notice: envelope, targetedDevices: targets.length, notifiedDevices: notified };
  }

  /** The notices that apply to a device: targeted at its node or an ancestor, for its role, not expired. */
  async forDevice(principal: DevicePrincipal): Promise<NoticesResponse> {
    const records = await this.#d.repo.notices.listForNodes(principal.node.ancestry, this.#d.now());
    const role = principal.device.role;
    const notices = records
      .filter((n) => n.roles === null || n.roles.includes(role))
      .slice(-MAX_NOTICES)
      .map((n) => n.envelope);
    const hash = createHash('sha256');
    for (const n of notices) hash.update(`${n.payload.id}:${n.sig}\n`);
    return { version: hash.digest('base64url').slice(0, 27), notices };
  }
}
