import { newId } from '../../../protocol/ids.js';
import type { NoticeContent } from '../../../protocol/schemas/notice-admin.js';
import type { AppointmentSlip } from '../../../protocol/schemas/services.js';
import type { Repository } from '../storage/repository.js';
import type { MatterRecord } from '../storage/services-records.js';
import type { BookInput } from '../storage/services-repository.js';
import type { NoticeRecord } from '../storage/signage-records.js';
import { officeBody } from './service-fixtures.js';

/**
 * Records for the content contract tests and their worker processes: the same rows on either store, and
 * the node, admin and device they reference (created through the Repository, so foreign keys hold).
 */
export interface ContentWorld {
  nodeId: string;
  otherNodeId: string;
  adminId: string;
  deviceId: string;
}

export async function seedWorld(repo: Repository, now = Date.now()): Promise<ContentWorld> {
  const nodeId = newId('node', now);
  const otherNodeId = newId('node', now);
  await repo.nodes.create({
    id: nodeId,
    parentId: null,
    level: 'city',
    name: '测试市',
    timezone: 'Asia/Shanghai',
    ancestry: [nodeId],
    createdAt: now,
  });
  await repo.nodes.create({
    id: otherNodeId,
    parentId: nodeId,
    level: 'district',
    name: '和平区',
    timezone: 'Asia/Shanghai',
    ancestry: [nodeId, otherNodeId],
    createdAt: now,
  });
  const adminId = newId('adm', now);
  await repo.admins.create({
    id: adminId,
    username: `admin-${adminId}`,
    passwordHash: 'x',
    role: 'admin',
    nodeId,
    createdAt: now,
  });
  const tokenId = newId('tok', now);
  await repo.tokens.create({
    id: tokenId,
    secretHash: 'x',
    nodeId,
    role: 'lobby',
    maxUses: 5,
    uses: 0,
    expiresAt: now + 3_600_000,
    revokedAt: null,
    tags: [],
    createdBy: adminId,
    createdAt: now,
  });
  const deviceId = newId('dev', now);
  const res = await repo.tokens.consumeAndCreateDevice(
    tokenId,
    {
      id: deviceId,
      nodeId,
      role: 'lobby',
      name: 'lobby-1',
      publicKey: `pk-${deviceId}`,
      status: 'active',
      tags: [],
      hardware: null,
      tokenId,
      enrolledAt: now,
      lastSeenAt: null,
      lastStatus: null,
      revokedAt: null,
    },
    now,
  );
  if (!res.ok) throw new Error(`fixture device not created: ${res.reason}`);
  return { nodeId, otherNodeId, adminId, deviceId };
}

export function noticeContent(nodeIds: string[], title = '停水通知', expiresAt = Date.now() + 86_400_000) {
  return {
    kind: 'text',
    title: { zh: title },
    body: { zh: '明日 9:00–12:00 停水' },
    category: 'utility',
    priority: 'normal',
    targets: { nodeIds, roles: [] },
    expiresAt: new Date(expiresAt).toISOString(),
  } as unknown as NoticeContent;
}

export function noticeRecord(
  w: ContentWorld,
  patch: Partial<NoticeRecord> = {},
  now = Date.now(),
): NoticeRecord {
  const content = noticeContent([w.nodeId]);
  return {
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
    createdBy: w.adminId,
    updatedBy: w.adminId,
    createdAt: now,
    updatedAt: now,
    ...patch,
  };
}

/** One accepted edit of `cur`: the next revision and published version, stamped `at`. */
export function nextRevision(cur: NoticeRecord, at: number, title: string): NoticeRecord {
  const content = { ...cur.content, title: { zh: title } } as NoticeContent;
  return {
    ...cur,
    status: 'published',
    revision: cur.revision + 1,
    content,
    published: content,
    publishedVersion: (cur.publishedVersion ?? 0) + 1,
    updatedAt: at,
  };
}

const audit = (now: number) => ({
  at: now,
  actor: 'test',
  action: 'create' as const,
  entityId: 'x',
  detail: null,
});

/** A category, an office and a bookable matter at the node; returns the office and matter ids. */
export async function seedOffice(
  repo: Pick<Repository, 'services'>,
  nodeId: string,
  now = Date.now(),
): Promise<{ officeId: string; matterId: string }> {
  if (!(await repo.services.getCategory('elderly'))) {
    await repo.services.createCategory(
      { id: 'elderly', name: { zh: '老年人' }, icon: 'elderly', order: 1, createdAt: now, updatedAt: now },
      { ...audit(now), entity: 'category' },
    );
  }
  const officeId = newId('ofc', now);
  const { nodeId: _n, ...office } = officeBody(nodeId);
  await repo.services.saveOffice(
    { office: { id: officeId, nodeId, ...office }, createdAt: now, updatedAt: now },
    { ...audit(now), entity: 'office', entityId: officeId },
  );
  const matterId = newId('svc', now);
  await repo.services.saveMatter(matterRecord(matterId, nodeId, officeId, now), {
    ...audit(now),
    entity: 'matter',
    entityId: matterId,
  });
  return { officeId, matterId };
}

export function matterRecord(
  id: string,
  nodeId: string,
  officeId: string | undefined,
  now: number,
): MatterRecord {
  return {
    matter: {
      id,
      categoryId: 'elderly',
      name: { zh: '测试' },
      initials: 'CS',
      legalBasis: { zh: '无' },
      covers: { zh: '无' },
      materials: [],
      steps: [{ zh: '来' }],
      timeLimit: { zh: '即时' },
      fee: { zh: '免费' },
      bookable: true,
      order: 1,
      ...(officeId ? { officeId } : {}),
    },
    nodeId,
    createdBy: 'test',
    updatedBy: 'test',
    createdAt: now,
    updatedAt: now,
  };
}

/** A booking request as the appointment service builds it, with a throwaway slip (storage never reads it). */
export function bookInput(
  o: { officeId: string; matterId: string; slotStart: number; capacity: number },
  patch: Partial<BookInput> = {},
): BookInput {
  const id = patch.id ?? newId('apt');
  return {
    id,
    officeId: o.officeId,
    matterId: o.matterId,
    deviceId: null,
    day: new Date(o.slotStart + 8 * 3_600_000).toISOString().slice(0, 10),
    slotStart: o.slotStart,
    slotEnd: o.slotStart + 1_800_000,
    capacity: o.capacity,
    idempotencyKey: null,
    requestHash: null,
    createdAt: Date.now(),
    newCode: () => String(Math.floor(Math.random() * 1e8)).padStart(8, '0'),
    seal: (seq, code) => {
      const slip = { id, seq, code } as unknown as AppointmentSlip;
      return {
        number: `A${String(seq).padStart(3, '0')}`,
        slip,
        envelope: { payload: slip, kid: 'k', sig: 's' } as never,
      };
    },
    ...patch,
  };
}
