import { canonicalBytes } from '../../../../protocol/canonical-json.js';
import type { ContentManifest, Notice } from '../../../../protocol/schemas/notice.js';
import {
  manifestTarget,
  mediaTarget,
  sha256Hex,
  type TargetSpec,
} from '../../../../protocol/tuf/device-view.js';
import type { DeviceRecord } from '../../storage/records.js';
import type { Repository } from '../../storage/repository.js';
import type { MediaRecord, NoticeRecord } from '../../storage/signage-records.js';
import { catalogueFor } from '../public-services/catalogue-builder.js';
import { targetsDevice } from './device-targeting.js';

export interface DeviceContent {
  manifest: ContentManifest;
  bytes: Buffer;
  sha256: string;
  /** The manifest and every image it references, as TUF targets. */
  targets: TargetSpec[];
}

/**
 * Builds one device's manifest: the published notices that reach it, with their images as content-addressed
 * targets, and for a kiosk the service catalogue of its community. Deterministic (canonical JSON, sorted), so an unchanged set hashes the same and no new metadata
 * version is signed.
 */
export class ManifestBuilder {
  readonly #repo: Repository;
  readonly #now: () => number;
  /** Media never change (their id is their hash): cache what was looked up. */
  readonly #media = new Map<string, MediaRecord>();

  constructor(repo: Repository, now: () => number) {
    this.#repo = repo;
    this.#now = now;
  }

  async #mediaOf(sha256: string): Promise<MediaRecord | undefined> {
    let m = this.#media.get(sha256);
    if (!m) {
      m = await this.#repo.media.get(sha256);
      if (m) this.#media.set(sha256, m);
    }
    return m;
  }

  async forDevice(device: DeviceRecord): Promise<DeviceContent> {
    const node = await this.#repo.nodes.get(device.nodeId);
    const ancestry = node?.ancestry ?? [device.nodeId];
    const now = this.#now();
    const records = await this.#repo.notices.listPublishedForNodes(ancestry, now);
    const notices: Notice[] = [];
    const media: TargetSpec[] = [];
    for (const r of records) {
      const n = await this.#toDeviceNotice(r, now);
      if (!n || !targetsDevice(r.published!.targets, device, ancestry)) continue;
      notices.push(n);
      for (const img of n.images) media.push({ path: img.target, sha256: img.sha256, length: img.length });
    }
    const manifest: ContentManifest = {
      type: 'linli.manifest/v1',
      deviceId: device.id,
      emergencySeq: await this.#repo.notices.maxEmergencySeqForNodes(ancestry),
      notices,
      // Kiosks only: lobby screens and LED signs have no use for the catalogue (issue #6).
      ...(device.role === 'kiosk' ? { services: await catalogueFor(this.#repo, ancestry) } : {}),
    };
    const bytes = Buffer.from(canonicalBytes(manifest));
    const sha256 = sha256Hex(bytes);
    const unique = new Map(media.map((m) => [m.path, m]));
    return {
      manifest,
      bytes,
      sha256,
      targets: [{ path: manifestTarget(device.id), sha256, length: bytes.length }, ...unique.values()],
    };
  }

  /**
   * An emergency notice is on devices only while live: when its TTL lapses without renewal it leaves the
   * manifest entirely (no stale alert lingers in the carousel either).
   */
  async #toDeviceNotice(r: NoticeRecord, now: number): Promise<Notice | undefined> {
    const c = r.published;
    if (!c || r.publishedVersion === null) return undefined;
    const live = r.emergencyLiveUntil !== null && r.emergencyLiveUntil > now && r.emergencySeq !== null;
    if (c.priority === 'emergency' && !live) return undefined;
    const images: Notice['images'] = [];
    for (const ref of c.images) {
      const m = await this.#mediaOf(ref.mediaId);
      if (!m) continue;
      images.push({
        target: mediaTarget(m.sha256, m.ext),
        sha256: m.sha256,
        length: m.length,
        width: m.width,
        height: m.height,
        ...(ref.alt ? { alt: ref.alt } : {}),
      });
    }
    return {
      id: r.id,
      version: r.publishedVersion,
      title: c.title,
      body: c.body,
      category: c.category,
      priority: c.priority,
      images,
      schedule: c.schedule,
      expiresAt: c.expiresAt,
      displaySec: c.displaySec,
      ...(c.priority === 'emergency' && live
        ? { emergency: { seq: r.emergencySeq!, ttlSec: c.emergencyTtlSec } }
        : {}),
    };
  }
}
