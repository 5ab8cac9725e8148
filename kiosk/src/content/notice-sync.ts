import { EventEmitter } from 'node:events';
import type { Low } from 'lowdb';
import { verifyEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import { Notice } from '../../../protocol/schemas/notice.js';
import type { DeviceApiClient } from '../api-client.js';
import type { Trust } from '../identity/trust.js';
import type { Logger } from '../logger.js';
import type { ContentFile } from './notice-store.js';

export interface NoticeSet {
  version: string | undefined;
  /** Verified payloads, in the order the control plane sent them. */
  notices: readonly Notice[];
}

export interface NoticeSyncOptions {
  api: Pick<DeviceApiClient, 'getNotices'>;
  trust: Pick<Trust, 'keyring'>;
  store: Low<ContentFile>;
  role: DeviceRole;
  log: Logger;
  /** Fallback poll for when the channel is down or a push was missed. */
  pollIntervalMs: number;
}

interface Verified {
  envelope: unknown;
  notice: Notice;
}

/**
 * Keeps the device's notices in step with the control plane: fetch with ETag, verify EVERY envelope, store
 * the verified set durably, announce changes. A notice that fails verification is logged with its code and
 * never shown; if an earlier verified version of the same notice exists, that one keeps playing.
 */
export class NoticeSync extends EventEmitter<{ change: [NoticeSet] }> {
  readonly #opts: NoticeSyncOptions;
  #verified: Verified[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #started = false;

  constructor(opts: NoticeSyncOptions) {
    super();
    this.#opts = opts;
  }

  /** Loads what was verified before (re-verifying it), then polls. Offline, the stored set keeps showing. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#verified = this.#verifyAll(this.#opts.store.data.envelopes, [], 'stored');
    this.#timer = setInterval(() => void this.refresh(), this.#opts.pollIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  get version(): string | undefined {
    return this.#opts.store.data.version;
  }

  current(): NoticeSet {
    return { version: this.version, notices: this.#verified.map((v) => v.notice) };
  }

  /** Fetches now; concurrent calls coalesce into at most one more fetch. Never throws (logs instead). */
  refresh(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#fetchOnce().catch((err: unknown) => {
          const code = isLinliError(err) ? err.code : ErrorCode.INTERNAL;
          this.#opts.log.warn(
            { code, err: (err as Error).message },
            'notices: refresh failed; keeping the last verified notices',
          );
        });
      } while (this.#again && this.#started);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #fetchOnce(): Promise<void> {
    const data = this.#opts.store.data;
    const res = await this.#opts.api.getNotices(data.etag);
    if (!res) return;
    const { body } = res;
    if (typeof body !== 'object' || body === null || !Array.isArray(body.notices)) {
      throw new LinliError(ErrorCode.PAYLOAD_SCHEMA, 'notices response has no notices array; ignored');
    }
    const accepted = this.#verifyAll(body.notices, this.#verified, 'fetched');
    const sameSet = sameNotices(accepted, this.#verified);
    await this.#opts.store.update((d) => {
      d.envelopes = accepted.map((v) => v.envelope);
      d.version = typeof body.version === 'string' ? body.version : undefined;
      if (res.etag) d.etag = res.etag;
      else delete d.etag;
      d.updatedAt = new Date().toISOString();
    });
    this.#verified = accepted;
    if (!sameSet) this.emit('change', this.current());
  }

  #verifyAll(
    envelopes: readonly unknown[],
    previous: readonly Verified[],
    source: 'stored' | 'fetched',
  ): Verified[] {
    const accepted: Verified[] = [];
    for (const envelope of envelopes) {
      try {
        const notice = verifyEnvelope<Notice>(envelope, this.#opts.trust.keyring, {
          type: 'linli.notice/v1',
          schema: Notice,
        });
        if (notice.targets.roles && !notice.targets.roles.includes(this.#opts.role)) continue;
        accepted.push({ envelope, notice });
      } catch (err) {
        const id = claimedId(envelope);
        const code = isLinliError(err) ? err.code : ErrorCode.INTERNAL;
        this.#opts.log.error(
          { code, noticeId: id, source },
          `notices: rejected a notice that failed verification (${(err as Error).message}); it is not shown`,
        );
        const earlier = id ? previous.find((p) => p.notice.id === id) : undefined;
        if (earlier) accepted.push(earlier);
      }
    }
    return accepted;
  }
}

function claimedId(envelope: unknown): string | undefined {
  const id = (envelope as { payload?: { id?: unknown } } | null)?.payload?.id;
  return typeof id === 'string' ? id.slice(0, 40) : undefined;
}

function sameNotices(a: readonly Verified[], b: readonly Verified[]): boolean {
  return (
    a.length === b.length &&
    a.every((v, i) => v.notice.id === b[i]?.notice.id && v.notice.version === b[i]?.notice.version)
  );
}
