import type {
  DeviceDetail,
  DeviceSessionsQuery,
  DeviceSessionsResponse,
} from '../../../protocol/schemas/device-admin.js';
import type { DeviceSessionRecord } from '../storage/device-sessions-repository.js';
import type { Repository } from '../storage/repository.js';
import { type AdminPrincipal, iso } from './context.js';
import type { DeviceService } from './devices.js';
import type { HierarchyService } from './hierarchy.js';
import { requirePermission } from './permissions.js';

const DEFAULT_LIMIT = 200;

/**
 * The console's device page: one device with where it sits, its runtime version and its online history.
 * Scope as everywhere: a device outside the admin's subtree answers like an unknown id (DeviceService.inScope).
 */
export class DeviceDetailService {
  readonly #repo: Repository;
  readonly #hierarchy: HierarchyService;
  readonly #devices: DeviceService;

  constructor(repo: Repository, hierarchy: HierarchyService, devices: DeviceService) {
    this.#repo = repo;
    this.#hierarchy = hierarchy;
    this.#devices = devices;
  }

  async detail(principal: AdminPrincipal, deviceId: string): Promise<DeviceDetail> {
    requirePermission(principal, 'devices.read');
    const device = await this.#devices.inScope(principal, deviceId);
    const [node, latest, runtime] = await Promise.all([
      this.#hierarchy.node(device.nodeId),
      this.#repo.deviceSessions.list(device.id, { limit: 1 }),
      this.#repo.deviceSessions.latestRuntime(device.id),
    ]);
    const view = this.#devices.view(device);
    const open = latest[0]?.disconnectedAt === null ? latest[0] : undefined;
    return {
      ...view,
      nodeLevel: node?.level ?? 'community',
      nodePath: node ? await this.#hierarchy.pathOf(node) : [device.nodeId],
      timezone: node?.timezone ?? 'Asia/Shanghai',
      onlineSince: view.online && open ? iso(open.connectedAt) : null,
      runtime: runtime ? { ...runtime.runtime, reportedAt: iso(runtime.at) } : null,
      hardware: device.hardware,
    };
  }

  async sessions(
    principal: AdminPrincipal,
    deviceId: string,
    q: DeviceSessionsQuery,
  ): Promise<DeviceSessionsResponse> {
    requirePermission(principal, 'devices.read');
    const device = await this.#devices.inScope(principal, deviceId);
    const rows = await this.#repo.deviceSessions.list(device.id, {
      limit: q.limit ?? DEFAULT_LIMIT,
      ...(q.since ? { since: Date.parse(q.since) } : {}),
    });
    return { deviceId: device.id, sessions: rows.map(sessionView) };
  }
}

function sessionView(s: DeviceSessionRecord): DeviceSessionsResponse['sessions'][number] {
  return {
    id: s.id,
    instanceId: s.instanceId,
    connectedAt: iso(s.connectedAt),
    disconnectedAt: s.disconnectedAt === null ? null : iso(s.disconnectedAt),
    closeReason: s.closeReason,
    closeCode: s.closeCode,
    runtime: s.runtime,
  };
}
