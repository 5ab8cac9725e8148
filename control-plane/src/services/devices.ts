import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { DeviceListQuery, DeviceView } from '../../../protocol/schemas/admin.js';
import { CloseCode } from '../../../protocol/schemas/channel.js';
import type { DeviceNotifier } from '../hub/device-hub.js';
import type { DeviceRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import { type AdminPrincipal, iso } from './context.js';
import type { HierarchyService } from './hierarchy.js';
import { requirePermission } from './permissions.js';

/** The admin's view of devices: what is enrolled where, and whether it is online right now. */
export class DeviceService {
  readonly #repo: Repository;
  readonly #hierarchy: HierarchyService;
  readonly #notifier: DeviceNotifier;
  readonly #now: () => number;
  readonly #sessions: { forgetDevice(deviceId: string): void } | undefined;

  constructor(
    repo: Repository,
    hierarchy: HierarchyService,
    notifier: DeviceNotifier,
    now: () => number,
    /** The device-session cache, told at once when a revocation ends a device's sessions. */
    sessions?: { forgetDevice(deviceId: string): void },
  ) {
    this.#repo = repo;
    this.#hierarchy = hierarchy;
    this.#notifier = notifier;
    this.#now = now;
    this.#sessions = sessions;
  }

  async list(principal: AdminPrincipal, query: DeviceListQuery): Promise<DeviceView[]> {
    const root = query.nodeId ? await this.#hierarchy.nodeInScope(principal, query.nodeId) : principal.node;
    const devices = await this.#repo.devices.list({
      subtreeOf: root.id,
      subtreeIds: (await this.#hierarchy.subtree(root.id)).map((n) => n.id),
      ...(query.role ? { role: query.role } : {}),
    });
    return devices.map((d) => this.view(d));
  }

  /** Revokes a device: its sessions end, its channel is closed with DEVICE_REVOKED, it cannot reconnect. */
  async revoke(principal: AdminPrincipal, deviceId: string): Promise<DeviceView> {
    requirePermission(principal, 'devices.revoke');
    const device = await this.inScope(principal, deviceId);
    await this.#repo.devices.revoke(device.id, this.#now());
    this.#sessions?.forgetDevice(device.id);
    this.#notifier.disconnect(device.id, CloseCode.POLICY, ErrorCode.DEVICE_REVOKED);
    return this.view((await this.#repo.devices.get(device.id))!);
  }

  /** The device if it is installed in the admin's subtree; outside it answers like an unknown id. */
  async inScope(principal: AdminPrincipal, deviceId: string): Promise<DeviceRecord> {
    const device = await this.#repo.devices.get(deviceId);
    if (!device || !(await this.#hierarchy.inScope(principal, device.nodeId))) {
      throw new LinliError(ErrorCode.NOT_FOUND, `no device ${deviceId}`, { field: 'id' });
    }
    return device;
  }

  view(d: DeviceRecord): DeviceView {
    const memory = this.#notifier.lastSeen(d.id);
    const lastSeen = Math.max(memory ?? 0, d.lastSeenAt ?? 0);
    return {
      id: d.id,
      role: d.role,
      nodeId: d.nodeId,
      name: d.name,
      status: d.status,
      tags: d.tags,
      online: d.status === 'active' && this.#notifier.isOnline(d.id),
      lastSeenAt: lastSeen > 0 ? iso(lastSeen) : null,
      enrolledAt: iso(d.enrolledAt),
    };
  }
}
