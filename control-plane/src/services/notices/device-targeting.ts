import type { DeviceRole } from '../../../../protocol/schemas/common.js';
import type { NoticeTargets } from '../../../../protocol/schemas/notice.js';
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
