import { BaseFetcher } from 'tuf-js';
import { DownloadHTTPError } from 'tuf-js/dist/error.js';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import { DEVICE_FIELD } from '../../../protocol/tuf/tuf-root.js';
import type { DeviceApiClient } from '../api-client.js';

/** What the fetcher saw on the wire, for the idle-bytes accounting and for tests. */
export interface FetchStats {
  requests: number;
  notModified: number;
  bytes: number;
}

/**
 * tuf-js's window onto the control plane: every request carries the device session; `timestamp.json` is asked
 * with If-None-Match, so an idle poll costs a 304; every timestamp, snapshot and targets file must name THIS
 * device (another device's metadata is refused before tuf-js trusts it, so it cannot bump versions either);
 * a file that is not JSON is refused with a code. tuf-js still enforces the size limits and signatures.
 *
 * The ETag cache holds only a timestamp that tuf-js VERIFIED: a fresh one waits in `#pending` until the
 * caller says the refresh succeeded (`acceptPending`), and any failure drops both (`resetCache`). Caching
 * what came off the wire would let one tampered response stall the device: a proxy keeps the genuine ETag,
 * so the next poll gets a 304 and re-checks the cached bad copy until restart.
 */
export class DeviceTufFetcher extends BaseFetcher {
  readonly #api: Pick<DeviceApiClient, 'getRaw'>;
  readonly #deviceId: string;
  readonly #prefix: string;
  /** The last timestamp tuf-js verified, with its ETag: what a 304 stands for. */
  #timestamp: { etag: string; bytes: Buffer } | undefined;
  /** A timestamp off the wire this cycle, not yet verified. */
  #pending: { etag: string; bytes: Buffer } | undefined;
  /** tuf-js wraps some failures in errors that lose their class; the last coded one is kept here. */
  lastError: LinliError | undefined;
  readonly stats: FetchStats = { requests: 0, notModified: 0, bytes: 0 };

  constructor(api: Pick<DeviceApiClient, 'getRaw'>, deviceId: string, serverUrl: string) {
    super();
    this.#api = api;
    this.#deviceId = deviceId;
    this.#prefix = new URL('/', serverUrl).toString();
  }

  /** The cached timestamp survives across Updaters (one per cycle), not across restarts. */
  resetCache(): void {
    this.#timestamp = undefined;
    this.#pending = undefined;
  }

  /** The refresh that read the pending timestamp verified it: from now on a 304 may stand for it. */
  acceptPending(): void {
    if (this.#pending) this.#timestamp = this.#pending;
    this.#pending = undefined;
  }

  /** For tests: the ETag the next timestamp request will send. */
  get cachedEtag(): string | undefined {
    return this.#timestamp?.etag;
  }

  override async fetch(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const path = url.startsWith(this.#prefix) ? `/${url.slice(this.#prefix.length)}` : url;
    const isTimestamp = path.endsWith('/timestamp.json');
    const headers: Record<string, string> = {};
    if (isTimestamp && this.#timestamp) headers['if-none-match'] = this.#timestamp.etag;
    this.stats.requests++;
    const res = await this.#api.getRaw(path, headers);
    if (res.status === 304 && isTimestamp && this.#timestamp) {
      this.stats.notModified++;
      const bytes = this.#timestamp.bytes;
      return new ReadableStream({
        start(c) {
          c.enqueue(new Uint8Array(bytes));
          c.close();
        },
      });
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new DownloadHTTPError(`GET ${path.split('/').pop()} answered HTTP ${res.status}`, res.status);
    }
    if (!isTimestamp) return res.body as ReadableStream<Uint8Array<ArrayBuffer>>;
    // Only the small timestamp is read whole here (tuf-js caps it at 16 KiB, and so do we).
    const etag = res.headers.get('etag');
    const buf = await readCapped(res.body, 16 * 1024);
    // A 200 supersedes the cache either way; it stands for a 304 only once verified.
    this.#timestamp = undefined;
    this.#pending = etag ? { etag, bytes: buf } : undefined;
    return new ReadableStream({
      start(c) {
        c.enqueue(new Uint8Array(buf));
        c.close();
      },
    });
  }

  override async downloadBytes(url: string, maxLength: number): Promise<Buffer> {
    try {
      const bytes = await super.downloadBytes(url, maxLength);
      this.stats.bytes += bytes.length;
      this.#check(url, bytes);
      return bytes;
    } catch (err) {
      if (isLinliError(err)) this.lastError = err;
      if (url.endsWith('/timestamp.json')) this.resetCache();
      throw err;
    }
  }

  /** Refuses metadata that is not JSON, or that was made for another device. */
  #check(url: string, bytes: Buffer): void {
    const file = url.split('/').pop() ?? url;
    let doc: { signed?: Record<string, unknown> };
    try {
      doc = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new LinliError(
        ErrorCode.TUF_METADATA,
        `${file} is not valid JSON; refused (the last verified content keeps playing)`,
        {
          file,
        },
      );
    }
    const signed = doc?.signed;
    if (typeof signed !== 'object' || signed === null) {
      throw new LinliError(ErrorCode.TUF_METADATA, `${file} has no signed part; refused`, { file });
    }
    const type = signed._type;
    if (type === 'timestamp' || type === 'snapshot' || type === 'targets') {
      if (signed[DEVICE_FIELD] !== this.#deviceId) {
        throw new LinliError(
          ErrorCode.TUF_WRONG_DEVICE,
          `${file} was made for ${String(signed[DEVICE_FIELD]).slice(0, 40)}, not this device; refused (mix-and-match)`,
          { file },
        );
      }
    }
  }
}

async function readCapped(body: ReadableStream<Uint8Array>, max: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > max) {
      await reader.cancel();
      throw new LinliError(ErrorCode.TARGET_TOO_LARGE, `timestamp.json is larger than ${max} bytes; refused`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
