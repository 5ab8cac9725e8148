import type { DeviceRole } from '../../../../protocol/schemas/common.js';
import type { NoticeTargets } from '../../../../protocol/schemas/notice.js';
import type { DeviceNotifier } from '../../hub/device-hub.js';
import type { DeviceRecord } from '../../storage/records.js';
import type { Repository } from '../../storage/repository.js';

/** True when the notice's targets reach this device: a target node above it, and its role and tags match. */
export function targetsDevice(
  targets: NoticeTargets,
  device: { role: DeviceRole; tags: readonly string[] },
  ancestry: readonly string[],
): boolean {
  if (!targets.nodeIds.some((id) => ancestry.includes(id))) return false;
  if (targets.roles && !targets.roles.includes(device.role)) return false;
  if (targets.tags && !targets.tags.some((t) => device.tags.includes(t))) return false;
  return true;
}

/** Active devices a set of targets reaches (deduplicated), for fan-out. */
export async function devicesTargeted(repo: Repository, targets: NoticeTargets): Promise<DeviceRecord[]> {
  const seen = new Map<string, DeviceRecord>();
  for (const nodeId of new Set(targets.nodeIds)) {
    for (const d of await repo.devices.list({ subtreeOf: nodeId, activeOnly: true })) {
      if (seen.has(d.id)) continue;
      if (targets.roles && !targets.roles.includes(d.role)) continue;
      if (targets.tags && !targets.tags.some((t) => d.tags.includes(t))) continue;
      seen.set(d.id, d);
    }
  }
  return [...seen.values()];
}

/** How long devices told at once spread their follow-up fetches: ~3 ms per device, at most a minute. */
export function spreadFor(devices: number): number {
  return Math.min(60_000, devices * 3);
}

/**
 * Connected devices the targets reach: from the notifier's in-memory index when it has one (no storage read
 * before a send), else the stored devices the notifier then filters to the connected ones.
 */
export async function connectedTargeted(
  notifier: DeviceNotifier,
  repo: Repository,
  targets: readonly NoticeTargets[],
): Promise<string[]> {
  if (notifier.connectedTargets) return notifier.connectedTargets(targets);
  const ids = new Set<string>();
  for (const t of targets) for (const d of await devicesTargeted(repo, t)) ids.add(d.id);
  return [...ids];
}

/** How many active devices (connected or not) the targets reach, for the admin's answer; read after sending. */
export async function countTargeted(repo: Repository, targets: readonly NoticeTargets[]): Promise<number> {
  // One subtree, no tags (the common case): storage counts, nothing is read row by row.
  const only = targets.length === 1 ? targets[0]! : undefined;
  if (only && !only.tags && new Set(only.nodeIds).size === 1 && repo.devices.countActive) {
    return repo.devices.countActive(only.nodeIds[0]!, only.roles);
  }
  const ids = new Set<string>();
  for (const t of targets) {
    if (t.tags) {
      for (const d of await devicesTargeted(repo, t)) ids.add(d.id);
      continue;
    }
    // No tag filter: ids are enough, no full rows to decode.
    for (const nodeId of new Set(t.nodeIds)) {
      for (const id of await repo.devices.listActiveIds(nodeId, t.roles)) ids.add(id);
    }
  }
  return ids.size;
}
