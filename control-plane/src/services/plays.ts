import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type {
  DevicePlaysResponse,
  FaultReport,
  NoticePlaysResponse,
  PlaysQuery,
  PlayView,
  UploadPlaysRequest,
  UploadPlaysResponse,
} from '../../../protocol/schemas/signage-device.js';
import type { Repository } from '../storage/repository.js';
import type { StoredPlay } from '../storage/signage-records.js';
import { type AdminPrincipal, type DevicePrincipal, iso } from './context.js';
import type { HierarchyService } from './hierarchy.js';
import type { NoticeService } from './notices/notice-service.js';

const view = (p: StoredPlay): PlayView => ({
  noticeId: p.noticeId,
  version: p.version,
  deviceId: p.deviceId,
  startedAt: p.startedAt,
  durationMs: p.durationMs,
  surface: p.surface,
  emergency: p.emergency === true,
});

/** Proof of play: what devices report they showed, and the admin's questions about it. */
export class PlayService {
  readonly #repo: Repository;
  readonly #hierarchy: HierarchyService;
  readonly #notices: NoticeService;
  readonly #now: () => number;

  constructor(repo: Repository, hierarchy: HierarchyService, notices: NoticeService, now: () => number) {
    this.#repo = repo;
    this.#hierarchy = hierarchy;
    this.#notices = notices;
    this.#now = now;
  }

  /** Idempotent by play id: a batch re-sent after a lost answer stores nothing twice. */
  upload(d: DevicePrincipal, req: UploadPlaysRequest): Promise<UploadPlaysResponse> {
    const receivedAt = this.#now();
    return this.#repo.plays.insert(req.plays.map((p) => ({ ...p, deviceId: d.device.id, receivedAt })));
  }

  async fault(d: DevicePrincipal, f: FaultReport): Promise<void> {
    await this.#repo.plays.insertFault({
      ...f,
      at: Date.parse(f.at),
      deviceId: d.device.id,
      receivedAt: this.#now(),
    });
  }

  /** Which screens showed this notice, and when: per device, and the latest showings. */
  async forNotice(p: AdminPrincipal, noticeId: string, q: PlaysQuery): Promise<NoticePlaysResponse> {
    await this.#notices.get(p, noticeId);
    const since = q.since ? Date.parse(q.since) : 0;
    const summary = await this.#repo.plays.summaryForNotice(noticeId, since);
    const devices = [];
    for (const s of summary) {
      const dev = await this.#repo.devices.get(s.deviceId);
      if (!dev) continue;
      const node = await this.#repo.nodes.get(dev.nodeId);
      // A city admin sees every device; a community admin only the devices of their own subtree.
      if (!node?.ancestry.includes(p.node.id)) continue;
      devices.push({
        deviceId: dev.id,
        name: dev.name,
        role: dev.role,
        nodeId: dev.nodeId,
        plays: s.plays,
        totalMs: s.totalMs,
        firstAt: iso(s.firstAt),
        lastAt: iso(s.lastAt),
      });
    }
    const allowed = new Set(devices.map((d) => d.deviceId));
    const plays = (await this.#repo.plays.forNotice(noticeId, since, q.limit ?? 500)).filter((x) =>
      allowed.has(x.deviceId),
    );
    return { noticeId, devices, plays: plays.map(view) };
  }

  async forDevice(p: AdminPrincipal, deviceId: string, q: PlaysQuery): Promise<DevicePlaysResponse> {
    const dev = await this.#repo.devices.get(deviceId);
    // Outside the admin's scope answers like an unknown id.
    if (!dev || !(await this.#hierarchy.inScope(p, dev.nodeId))) {
      throw new LinliError(ErrorCode.NOT_FOUND, `no device ${deviceId}`, { field: 'id' });
    }
    const plays = await this.#repo.plays.forDevice(
      deviceId,
      q.since ? Date.parse(q.since) : 0,
      q.limit ?? 500,
    );
    return { deviceId, plays: plays.map(view) };
  }
}
