import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Low } from 'lowdb';
import { Updater } from 'tuf-js';
import { API } from '../../../protocol/api.js';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import type { ContentManifest, Notice } from '../../../protocol/schemas/notice.js';
import { manifestTarget } from '../../../protocol/tuf/device-view.js';
import { neededWithin } from '../../../signage/src/schedule/schedule.js';
import type { DeviceApiClient } from '../api-client.js';
import type { Logger } from '../logger.js';
import { writeFileDurable } from '../state/durable-file.js';
import type { ContentState } from './content-state.js';
import { makeMetadataDurable } from './durable-metadata.js';
import { ACCEPTED_TARGETS, loadTrustedTargets } from './local-trust.js';
import { parseManifest } from './manifest-check.js';
import { TargetDownloader, type TargetSpec } from './target-downloader.js';
import { tufError } from './tuf-errors.js';
import { DeviceTufFetcher } from './tuf-fetcher.js';

export interface ContentSyncOptions {
  api: Pick<DeviceApiClient, 'getRaw'>;
  serverUrl: string;
  deviceId: string;
  /** The device community's timezone: what the schedule engine reads windows in. */
  timeZone: string;
  /** TUF metadata (tuf-js writes here; content never does). */
  metadataDir: string;
  /** Verified targets, content-addressed: `<sha256>`. */
  targetsDir: string;
  state: Low<ContentState>;
  log: Logger;
  /** Fallback poll while the channel is down, and while it is up (pushes cover changes then). */
  pollIntervalMs: number;
  pollIntervalOnlineMs: number;
  online: () => boolean;
  /** Decodes an image under a pixel limit; throws a coded error for a bad one. */
  checkImage: (file: string) => Promise<unknown>;
  now?: () => number;
}

/**
 * The content channel. Each cycle builds a fresh tuf-js Updater (it fixes "now" when built), refreshes the
 * device's own TUF view, fetches the manifest if its signed hash changed, and prefetches the media of every
 * notice that plays in the next 48 h. Only complete, verified content is offered to the screens; anything
 * refused is logged with its code and what was playing keeps playing. Offline, or with expired metadata,
 * the last verified manifest keeps playing.
 */
export class ContentSync extends EventEmitter<{ change: []; manifest: [ContentManifest] }> {
  readonly #o: ContentSyncOptions;
  readonly #fetcher: DeviceTufFetcher;
  readonly #downloader: TargetDownloader;
  #manifest: ContentManifest | undefined;
  /** Media files verified by hash and decoded: sha256 → path. */
  readonly #ready = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #started = false;
  /** The outcome of the last cycle, for /healthz and tests. */
  lastError: LinliError | undefined;
  lastSyncAt: number | undefined;
  /** When the last cycle ended (any outcome) and when the running one began: the systemd watchdog's probe. */
  lastCycleAt: number | undefined;
  cycleStartedAt: number | undefined;
  /** True when tuf-js's metadata writes go through our durable write (see durable-metadata.ts). */
  durableMetadata = false;

  constructor(opts: ContentSyncOptions) {
    super();
    this.#o = opts;
    this.#fetcher = new DeviceTufFetcher(opts.api, opts.deviceId, opts.serverUrl);
    this.#downloader = new TargetDownloader(opts.api, opts.targetsDir);
  }

  get manifest(): ContentManifest | undefined {
    return this.#manifest;
  }

  /** SHA-256 of the verified manifest in use. */
  get manifestSha256(): string | undefined {
    return this.#manifest ? this.#o.state.data.manifestSha256 : undefined;
  }

  get stats() {
    return { tuf: this.#fetcher.stats, targets: this.#downloader.stats };
  }

  /** Every notice in the current manifest. */
  notices(): readonly Notice[] {
    return this.#manifest?.notices ?? [];
  }

  /** Complete: every image is here, verified and decodable. */
  isComplete(n: Notice): boolean {
    return n.images.every((i) => this.#ready.has(i.sha256));
  }

  mediaFile(sha256: string): string | undefined {
    return this.#ready.get(sha256);
  }

  /** Loads and re-verifies what was accepted before (offline-safe), then polls. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await mkdir(this.#o.targetsDir, { recursive: true, mode: 0o700 });
    await this.#loadLocal().catch((err: unknown) => {
      this.#o.log.warn(
        { code: (err as LinliError).code, err: (err as Error).message },
        'content: nothing verified on disk yet',
      );
    });
    this.#schedule();
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** New fallback poll intervals (remote settings): the next poll is rescheduled with them at once. */
  setPollIntervals(p: { offlineMs?: number; onlineMs?: number }): void {
    if (p.offlineMs !== undefined) this.#o.pollIntervalMs = p.offlineMs;
    if (p.onlineMs !== undefined) this.#o.pollIntervalOnlineMs = p.onlineMs;
    this.#schedule();
  }

  /** The poll intervals in use, ms. */
  get pollIntervals(): { offlineMs: number; onlineMs: number } {
    return { offlineMs: this.#o.pollIntervalMs, onlineMs: this.#o.pollIntervalOnlineMs };
  }

  #schedule(): void {
    if (!this.#started) return;
    clearTimeout(this.#timer);
    const ms = this.#o.online() ? this.#o.pollIntervalOnlineMs : this.#o.pollIntervalMs;
    this.#timer = setTimeout(() => void this.refresh().finally(() => this.#schedule()), ms);
    this.#timer.unref();
  }

  /** Syncs now; concurrent calls coalesce into at most one more cycle. Never throws (logs instead). */
  refresh(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.cycleStartedAt = Date.now();
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.#cycle();
          this.lastError = undefined;
          this.lastSyncAt = Date.now();
        } catch (err) {
          // Whatever failed, the next poll asks without a validator: a 304 must never stand for bytes that
          // did not verify (one tampered response would otherwise stall updates until a restart).
          this.#fetcher.resetCache();
          const coded = isLinliError(err) ? err : tufError(err);
          this.lastError = coded;
          this.#o.log.warn(
            { code: coded.code, err: coded.message },
            'content: sync refused or failed; the last verified content keeps playing',
          );
        }
      } while (this.#again && this.#started);
    })().finally(() => {
      this.cycleStartedAt = undefined;
      this.lastCycleAt = Date.now();
      this.#running = undefined;
    });
    return this.#running;
  }

  async #cycle(): Promise<void> {
    this.#fetcher.lastError = undefined;
    const make = () => {
      const u = new Updater({
        metadataDir: this.#o.metadataDir,
        metadataBaseUrl: new URL(API.deviceTufMetadata, this.#o.serverUrl).toString(),
        targetBaseUrl: new URL(API.deviceTufTargets, this.#o.serverUrl).toString(),
        fetcher: this.#fetcher,
        config: { fetchRetries: 0 },
      });
      this.durableMetadata = makeMetadataDurable(u, this.#o.metadataDir);
      return u;
    };
    let updater: Updater;
    try {
      updater = make();
    } catch (err) {
      // tuf-js rewrites root.json in place; if that write was torn, start again from the pinned root and walk
      // the signed chain forward: nothing is trusted that the chain does not prove.
      this.#o.log.error(
        { err: (err as Error).message },
        'content: root.json unreadable; restoring the pinned root',
      );
      await copyFile(join(this.#o.metadataDir, PINNED_ROOT), join(this.#o.metadataDir, 'root.json'));
      updater = make();
    }
    const targetInfo = async (path: string): Promise<TargetSpec> => {
      let info: Awaited<ReturnType<Updater['getTargetInfo']>>;
      try {
        info = await updater.getTargetInfo(path);
      } catch (err) {
        throw tufError(err, this.#fetcher.lastError);
      }
      const sha256 = info?.hashes.sha256;
      if (!info || !sha256) {
        throw new LinliError(ErrorCode.TARGET_MISSING, `the signed targets list no ${path}`, { path });
      }
      return { path, length: info.length, sha256 };
    };
    try {
      await updater.refresh();
    } catch (err) {
      throw tufError(err, this.#fetcher.lastError);
    }
    this.#fetcher.acceptPending();
    const spec = await targetInfo(manifestTarget(this.#o.deviceId));
    if (spec.sha256 !== this.#o.state.data.manifestSha256 || !this.#manifest) {
      const file = await this.#downloader.fetch(spec);
      const manifest = parseManifest(await readFile(file), this.#o.deviceId);
      for (const n of manifest.notices) {
        for (const img of n.images) {
          const t = await targetInfo(img.target);
          if (t.sha256 !== img.sha256 || t.length !== img.length) {
            throw new LinliError(
              ErrorCode.TARGET_MISMATCH,
              `image ${img.target} differs from its signed target; refused`,
            );
          }
        }
      }
      await this.#o.state.update((s) => {
        s.manifestSha256 = spec.sha256;
        s.updatedAt = new Date().toISOString();
      });
      // After the state: a crash in between leaves targets.json, which signs this manifest, to prove it.
      await writeFileDurable(
        join(this.#o.metadataDir, ACCEPTED_TARGETS),
        await readFile(join(this.#o.metadataDir, 'targets.json')),
      );
      this.#manifest = manifest;
      this.#o.log.info(
        { notices: manifest.notices.length, sha256: spec.sha256.slice(0, 12) },
        'content: new manifest',
      );
      this.emit('manifest', manifest);
      this.emit('change');
    }
    await this.#prefetch(targetInfo);
    await this.#collectGarbage(spec.sha256);
  }

  /** Media of everything that plays in the next 48 h; a bad file keeps only its own notice off the screen. */
  async #prefetch(targetInfo: (path: string) => Promise<TargetSpec>): Promise<void> {
    const now = (this.#o.now ?? Date.now)();
    let added = false;
    for (const n of neededWithin(this.notices(), now, this.#o.timeZone)) {
      for (const img of n.images) {
        if (this.#ready.has(img.sha256)) continue;
        try {
          const file = await this.#downloader.fetch(await targetInfo(img.target));
          await this.#o.checkImage(file);
          this.#ready.set(img.sha256, file);
          added = true;
        } catch (err) {
          const coded = isLinliError(err) ? err : tufError(err);
          if (coded.code === ErrorCode.MEDIA_INVALID || coded.code === ErrorCode.MEDIA_TOO_LARGE) {
            await rm(this.#downloader.pathOf(img.sha256), { force: true });
          }
          this.#o.log.error(
            { code: coded.code, noticeId: n.id, target: img.target },
            `content: image refused (${coded.message}); the notice waits, everything else plays`,
          );
        }
      }
    }
    if (added) {
      await this.#rememberChecked();
      this.emit('change');
    }
  }

  /** Records which media passed checkImage, so a restart need not decode them again (see #loadLocal). */
  async #rememberChecked(): Promise<void> {
    const checked = [...this.#ready.keys()].sort();
    if (checked.join() === (this.#o.state.data.checkedMedia ?? []).join()) return;
    await this.#o.state.update((s) => {
      s.checkedMedia = checked;
    });
  }

  /** Targets no longer referenced (and stale partial downloads) are removed once a sync succeeded. */
  async #collectGarbage(manifestSha: string): Promise<void> {
    const keep = new Set([manifestSha, ...this.notices().flatMap((n) => n.images.map((i) => i.sha256))]);
    for (const f of await readdir(this.#o.targetsDir)) {
      const sha = f.replace(/\.part$/, '');
      if (!keep.has(sha)) await rm(join(this.#o.targetsDir, f), { force: true });
    }
    for (const [sha] of this.#ready) if (!keep.has(sha)) this.#ready.delete(sha);
    await this.#rememberChecked();
  }

  /** At start: the manifest and media verified again from disk against the stored, signed targets. */
  async #loadLocal(): Promise<void> {
    const sha = this.#o.state.data.manifestSha256;
    if (!sha) return;
    const signedBy = async (file: string) => {
      const t = await loadTrustedTargets(this.#o.metadataDir, this.#o.deviceId, file);
      const entry = t.signed.targets[manifestTarget(this.#o.deviceId)];
      return entry?.hashes.sha256 === sha ? entry : undefined;
    };
    // targets.json may already list a newer manifest that was refused; the accepted copy proves the kept one.
    const signed =
      (await signedBy('targets.json').catch(() => undefined)) ??
      (await signedBy(ACCEPTED_TARGETS).catch(() => undefined));
    if (!signed) {
      throw new LinliError(
        ErrorCode.TUF_METADATA,
        'the stored manifest is not the one the stored targets sign',
      );
    }
    const bytes = await readFile(this.#downloader.pathOf(sha));
    if (createHash('sha256').update(bytes).digest('hex') !== sha || bytes.length !== signed.length) {
      throw new LinliError(ErrorCode.TARGET_MISMATCH, 'the stored manifest was changed on disk; refused');
    }
    this.#manifest = parseManifest(bytes, this.#o.deviceId);
    // The same bytes (by hash) already decoded under the limit before this restart; only others are decoded.
    const checked = new Set(this.#o.state.data.checkedMedia ?? []);
    for (const n of this.#manifest.notices) {
      for (const img of n.images) {
        const file = this.#downloader.pathOf(img.sha256);
        try {
          if ((await sha256File(file)) !== img.sha256) throw new Error('hash differs');
          if (!checked.has(img.sha256)) await this.#o.checkImage(file);
          this.#ready.set(img.sha256, file);
        } catch {
          await rm(file, { force: true });
        }
      }
    }
    this.emit('manifest', this.#manifest);
    this.emit('change');
  }
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const PINNED_ROOT = 'pinned-root.json';

/**
 * The TUF client needs a trusted root in its metadata dir before its first refresh: the root verified at
 * enrollment, kept twice (tuf-js replaces root.json on rotation; the pinned copy never changes).
 */
export async function pinRoot(metadataDir: string, rootText: string): Promise<void> {
  await mkdir(metadataDir, { recursive: true, mode: 0o700 });
  await writeFileDurable(join(metadataDir, PINNED_ROOT), rootText);
  await writeFileDurable(join(metadataDir, 'root.json'), rootText);
}
