import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { signSnapshot, signTargets, signTimestamp } from '../../../protocol/tuf/device-view.js';
import { KeyedLock } from '../services/keyed-lock.js';
import type { DeviceContent } from '../services/notices/manifest-builder.js';
import type { DeviceRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import type { TufViewRecord } from '../storage/signage-records.js';
import type { TufKeys } from './tuf-keys.js';

export interface TufServiceOptions {
  repo: Repository;
  keys: TufKeys;
  manifests: { forDevice(device: DeviceRecord): Promise<DeviceContent> };
  now: () => number;
  timestampTtlSec: number;
  metadataTtlSec: number;
}

/** Snapshot and targets versions kept fetchable after a newer one is signed. */
const KEEP_VERSIONS = 3;

const MEDIA_FILE = /^media\/([0-9a-f]{64})\.([0-9a-f]{64})\.(png|jpg|webp)$/;
const MANIFEST_FILE = /^manifest\/([0-9a-f]{64})\.(dev_[0-9A-HJKMNP-TV-Z]{26})\.json$/;

export interface TargetBody {
  data: Buffer;
  contentType: string;
}

/**
 * Each device's own TUF repository view, signed lazily: a device asking for timestamp.json gets metadata
 * re-signed only if what it should play changed, the root rotated, or an expiry is half gone. Publishing a
 * notice costs nothing per device until the device asks, so a city-wide change does not sign 10,000 views
 * at once. One view per device at a time (keyed lock), so two requests never sign the same version twice.
 */
export class TufService {
  readonly #o: TufServiceOptions;
  readonly #lock = new KeyedLock();

  constructor(opts: TufServiceOptions) {
    this.#o = opts;
  }

  get keys(): TufKeys {
    return this.#o.keys;
  }

  /** The device's current view, re-signed first if it is stale. */
  view(device: DeviceRecord): Promise<TufViewRecord> {
    return this.#lock.run(device.id, () => this.#ensure(device));
  }

  async #ensure(device: DeviceRecord): Promise<TufViewRecord> {
    const { repo, keys } = this.#o;
    await keys.refresh();
    const now = this.#o.now();
    const content = await this.#o.manifests.forDevice(device);
    const view = await repo.tufViews.get(device.id);
    const tsTtl = this.#o.timestampTtlSec * 1000;
    const mdTtl = this.#o.metadataTtlSec * 1000;
    const contentStale =
      !view ||
      view.manifestSha256 !== content.sha256 ||
      view.rootVersion !== keys.rootVersion ||
      view.targetsExpires - now < mdTtl / 2 ||
      view.snapshotExpires - now < mdTtl / 2;
    if (contentStale) {
      const targets = { version: (view?.targetsVersion ?? 0) + 1, expiresMs: now + mdTtl };
      const snapshot = { version: (view?.snapshotVersion ?? 0) + 1, expiresMs: now + mdTtl };
      const timestamp = { version: (view?.timestampVersion ?? 0) + 1, expiresMs: now + tsTtl };
      const targetsText = signTargets(device.id, targets, content.targets, keys.key('targets'));
      const snapshotText = signSnapshot(
        device.id,
        snapshot,
        { text: targetsText, version: targets.version },
        keys.key('snapshot'),
      );
      const next: TufViewRecord = {
        deviceId: device.id,
        rootVersion: keys.rootVersion,
        manifestSha256: content.sha256,
        targetsVersion: targets.version,
        targetsExpires: targets.expiresMs,
        snapshotVersion: snapshot.version,
        snapshotExpires: snapshot.expiresMs,
        timestampVersion: timestamp.version,
        timestampExpires: timestamp.expiresMs,
        timestampText: signTimestamp(
          device.id,
          timestamp,
          { text: snapshotText, version: snapshot.version },
          keys.key('timestamp'),
        ),
        updatedAt: now,
      };
      const saved = await repo.tufViews.save(
        next,
        { snapshot: snapshotText, targets: targetsText },
        { sha256: content.sha256, data: content.bytes },
        KEEP_VERSIONS,
      );
      return saved ? next : this.#stored(device.id);
    }
    if (view.timestampExpires - now < tsTtl / 2) {
      const snapshotText = await repo.tufViews.text(device.id, 'snapshot', view.snapshotVersion);
      if (snapshotText === undefined) throw new Error(`internal: snapshot ${view.snapshotVersion} missing`);
      const timestamp = { version: view.timestampVersion + 1, expiresMs: now + tsTtl };
      const next: TufViewRecord = {
        ...view,
        timestampVersion: timestamp.version,
        timestampExpires: timestamp.expiresMs,
        timestampText: signTimestamp(
          device.id,
          timestamp,
          { text: snapshotText, version: view.snapshotVersion },
          keys.key('timestamp'),
        ),
        updatedAt: now,
      };
      return (await repo.tufViews.save(next, {}, undefined, KEEP_VERSIONS)) ? next : this.#stored(device.id);
    }
    return view;
  }

  /** Another instance signed this version first (the save was refused): serve the view that stands. */
  async #stored(deviceId: string): Promise<TufViewRecord> {
    const view = await this.#o.repo.tufViews.get(deviceId);
    if (!view) throw new Error(`internal: TUF view of ${deviceId} refused but missing`);
    return view;
  }

  /**
   * A metadata file of the device's view: `<v>.root.json` (shared by all devices), `timestamp.json`,
   * `<v>.snapshot.json`, `<v>.targets.json`. Unknown versions are 404, which is how TUF ends the root walk.
   */
  async metadata(device: DeviceRecord, file: string): Promise<string> {
    const m = /^(?:(\d{1,9})\.)?(root|timestamp|snapshot|targets)\.json$/.exec(file);
    const notFound = () =>
      new LinliError(ErrorCode.NOT_FOUND, `no TUF metadata ${file} for this device`, { file });
    if (!m) throw notFound();
    const version = m[1] === undefined ? undefined : Number(m[1]);
    const role = m[2] as 'root' | 'timestamp' | 'snapshot' | 'targets';
    if (role === 'root') {
      if (version === undefined) throw notFound();
      await this.#o.keys.refresh();
      const text = this.#o.keys.rootText(version);
      if (text === undefined) throw notFound();
      return text;
    }
    if (role === 'timestamp') {
      if (version !== undefined) throw notFound();
      return (await this.view(device)).timestampText;
    }
    if (version === undefined) throw notFound();
    const text = await this.#o.repo.tufViews.text(device.id, role, version);
    if (text === undefined) throw notFound();
    return text;
  }

  /** A target by its hashed name; media are shared by hash, a manifest only with the device it was made for. */
  async target(device: DeviceRecord, path: string): Promise<TargetBody> {
    const notFound = () =>
      new LinliError(ErrorCode.TARGET_MISSING, `no target ${path} for this device`, { path });
    const media = MEDIA_FILE.exec(path);
    if (media) {
      if (media[1] !== media[2]) throw notFound();
      const meta = await this.#o.repo.media.get(media[1]!);
      const data = meta && (await this.#o.repo.media.data(media[1]!));
      if (!meta || !data || meta.ext !== media[3]) throw notFound();
      return { data, contentType: meta.contentType };
    }
    const manifest = MANIFEST_FILE.exec(path);
    if (manifest && manifest[2] === device.id) {
      const found = await this.#o.repo.tufViews.manifest(manifest[1]!);
      if (found && found.deviceId === device.id) return { data: found.data, contentType: 'application/json' };
    }
    throw notFound();
  }
}
