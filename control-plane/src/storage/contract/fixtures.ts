import { newId } from '../../../../protocol/ids.js';
import type { DeviceRole, NodeLevel } from '../../../../protocol/schemas/common.js';
import type { AdminRecord, DeviceRecord, EnrollmentTokenRecord, NodeRecord } from '../records.js';
import type { Repository } from '../repository.js';

/** Records for the storage contract suite, built the way the services build them. */

export const T0 = Date.parse('2026-12-01T00:00:00.000Z');

const CHILD_LEVEL: Record<NodeLevel, NodeLevel> = {
  city: 'district',
  district: 'street',
  street: 'community',
  community: 'community',
};

export async function addNode(
  repo: Repository,
  name: string,
  parent?: NodeRecord,
  createdAt = T0,
): Promise<NodeRecord> {
  const id = newId('node', createdAt);
  const node: NodeRecord = {
    id,
    parentId: parent?.id ?? null,
    level: parent ? CHILD_LEVEL[parent.level] : 'city',
    name,
    timezone: 'Asia/Shanghai',
    ancestry: [...(parent?.ancestry ?? []), id],
    createdAt,
  };
  await repo.nodes.create(node);
  return node;
}

export async function addAdmin(
  repo: Repository,
  node: NodeRecord,
  username: string,
  createdAt = T0,
): Promise<AdminRecord> {
  const admin: AdminRecord = {
    id: newId('adm', createdAt),
    username,
    passwordHash: `hash-of-${username}`,
    role: 'admin',
    nodeId: node.id,
    createdAt,
  };
  await repo.admins.create(admin);
  return admin;
}

export async function addToken(
  repo: Repository,
  node: NodeRecord,
  admin: AdminRecord,
  opts: { maxUses?: number; expiresAt?: number; role?: DeviceRole; createdAt?: number } = {},
): Promise<EnrollmentTokenRecord> {
  const token: EnrollmentTokenRecord = {
    id: newId('enr', T0),
    secretHash: 'secret-hash',
    nodeId: node.id,
    role: opts.role ?? 'kiosk',
    maxUses: opts.maxUses ?? 1,
    uses: 0,
    expiresAt: opts.expiresAt ?? T0 + 86_400_000,
    revokedAt: null,
    tags: ['lobby-east', '一楼'],
    createdBy: admin.id,
    createdAt: opts.createdAt ?? T0,
  };
  await repo.tokens.create(token);
  return token;
}

export function deviceFor(
  token: EnrollmentTokenRecord,
  opts: { name?: string; publicKey?: string; enrolledAt?: number; nodeId?: string } = {},
): DeviceRecord {
  const enrolledAt = opts.enrolledAt ?? T0 + 1000;
  return {
    id: newId('dev', enrolledAt),
    nodeId: opts.nodeId ?? token.nodeId,
    role: token.role,
    name: opts.name ?? 'kiosk 1',
    publicKey: opts.publicKey ?? newId('key', enrolledAt),
    status: 'active',
    tags: token.tags,
    hardware: null,
    tokenId: token.id,
    enrolledAt,
    lastSeenAt: null,
    lastStatus: null,
    revokedAt: null,
  };
}

/** Enrolls a device through the token (the only way devices are created). */
export async function enroll(
  repo: Repository,
  token: EnrollmentTokenRecord,
  opts: Parameters<typeof deviceFor>[1] = {},
): Promise<DeviceRecord> {
  const res = await repo.tokens.consumeAndCreateDevice(token.id, deviceFor(token, opts), T0 + 2000);
  if (!res.ok) throw new Error(`enrollment failed: ${res.reason}`);
  return res.device;
}
