import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type {
  AlertListQuery,
  AlertRule,
  AlertView,
  DeviceHealthResponse,
} from '../../../../protocol/schemas/alerts-admin.js';
import type { AlertRecord } from '../../storage/health-repository.js';
import { type AdminPrincipal, iso } from '../context.js';
import type { DeviceService } from '../devices.js';
import type { HierarchyService } from '../hierarchy.js';
import { requirePermission } from '../permissions.js';
import { AlertEngine, type AlertEngineOptions } from './alert-engine.js';

/**
 * Alerts for admins (issue 12): the engine (evaluation, `transition` events) plus what the console asks:
 * alerts owned by a node and below it, acknowledging one, a device's health. Scope is re-checked here: an
 * alert or device outside the admin's subtree answers NOT_FOUND like an unknown id.
 */
export class AlertService extends AlertEngine {
  readonly #o: AlertEngineOptions;
  readonly #hierarchy: HierarchyService;
  readonly #devices: DeviceService;

  constructor(o: AlertEngineOptions & { hierarchy: HierarchyService; devices: DeviceService }) {
    super(o);
    this.#o = o;
    this.#hierarchy = o.hierarchy;
    this.#devices = o.devices;
  }

  async list(principal: AdminPrincipal, q: AlertListQuery): Promise<AlertView[]> {
    requirePermission(principal, 'alerts.read');
    const root = q.nodeId ? await this.#hierarchy.nodeInScope(principal, q.nodeId) : principal.node;
    const nodeIds = (await this.#hierarchy.subtree(root.id)).map((n) => n.id);
    const alerts = await this.#o.repo.alerts.list({
      nodeIds,
      ...(q.state ? { state: q.state } : {}),
      ...(q.rule ? { rule: q.rule } : {}),
      limit: q.limit ?? 200,
    });
    return this.#views(alerts);
  }

  /** open → acknowledged (who, when). Acknowledging twice answers the alert as it stands. */
  async acknowledge(principal: AdminPrincipal, id: string): Promise<AlertView> {
    requirePermission(principal, 'alerts.ack');
    const alert = await this.#inScope(principal, id);
    if (alert.state === 'resolved') {
      throw new LinliError(
        ErrorCode.ALERT_ALREADY_RESOLVED,
        `alert ${id} was already resolved; nothing to acknowledge (reload the list)`,
        { field: 'id' },
      );
    }
    const acked = await this.#o.repo.alerts.acknowledge(id, principal.admin.id, this.#o.now());
    if (acked) {
      this.emitTransition(acked, 'open');
      return (await this.#views([acked]))[0]!;
    }
    // Acknowledged or resolved meanwhile (another admin, another instance): answer what stands.
    const now = (await this.#o.repo.alerts.get(id))!;
    if (now.state === 'resolved') {
      throw new LinliError(ErrorCode.ALERT_ALREADY_RESOLVED, `alert ${id} was resolved meanwhile`, {
        field: 'id',
      });
    }
    return (await this.#views([now]))[0]!;
  }

  async deviceHealth(
    principal: AdminPrincipal,
    deviceId: string,
    limit = 100,
  ): Promise<DeviceHealthResponse> {
    requirePermission(principal, 'alerts.read');
    const device = await this.#devices.inScope(principal, deviceId);
    const { repo } = this.#o;
    const latest = await repo.health.latest(device.id);
    const history = await repo.health.history(device.id, limit);
    const alerts = await repo.alerts.list({ nodeIds: [device.nodeId], deviceId: device.id, limit: 50 });
    return {
      deviceId: device.id,
      online: this.#devices.view(device).online,
      latest: latest ? { receivedAt: iso(latest.receivedAt), report: latest.report } : null,
      history: history.map((h) => ({ receivedAt: iso(h.receivedAt), report: h.report })),
      alerts: await this.#views(alerts),
    };
  }

  async #inScope(principal: AdminPrincipal, id: string): Promise<AlertRecord> {
    const alert = await this.#o.repo.alerts.get(id);
    if (!alert || !(await this.#hierarchy.inScope(principal, alert.nodeId))) {
      throw new LinliError(ErrorCode.NOT_FOUND, `no alert ${id}`, { field: 'id' });
    }
    return alert;
  }

  async #views(alerts: readonly AlertRecord[]): Promise<AlertView[]> {
    const { repo } = this.#o;
    const names = new Map<string, string>();
    const admin = async (id: string | null): Promise<string | null> => {
      if (id === null || id === 'auto') return id;
      if (!names.has(id)) names.set(id, (await repo.admins.get(id))?.username ?? id);
      return names.get(id)!;
    };
    const deviceNames = new Map<string, string | null>();
    const out: AlertView[] = [];
    for (const a of alerts) {
      let deviceName: string | null = null;
      if (a.deviceId) {
        if (!deviceNames.has(a.deviceId)) {
          deviceNames.set(a.deviceId, (await repo.devices.get(a.deviceId))?.name ?? null);
        }
        deviceName = deviceNames.get(a.deviceId) ?? null;
      }
      out.push({
        id: a.id,
        rule: a.rule as AlertRule,
        severity: a.severity,
        state: a.state,
        nodeId: a.nodeId,
        deviceId: a.deviceId,
        deviceName,
        detail: a.detail,
        openedAt: iso(a.openedAt),
        acknowledgedAt: a.ackedAt === null ? null : iso(a.ackedAt),
        acknowledgedBy: await admin(a.ackedBy),
        resolvedAt: a.resolvedAt === null ? null : iso(a.resolvedAt),
        resolvedBy: await admin(a.resolvedBy),
      });
    }
    return out;
  }
}
