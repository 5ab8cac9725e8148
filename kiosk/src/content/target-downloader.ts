import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { API } from '../../../protocol/api.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { hashedTargetName } from '../../../protocol/tuf/device-view.js';
import type { DeviceApiClient } from '../api-client.js';
import { fsyncDir } from '../state/durable-file.js';

/** What TUF says a target must be: its signed length and SHA-256. */
export interface TargetSpec {
  path: string;
  length: number;
  sha256: string;
}

export interface DownloadStats {
  bytes: number;
  resumed: number;
}

const TARGET_PATH = /^(manifest\/dev_[0-9A-HJKMNP-TV-Z]{26}\.json|media\/[0-9a-f]{64}\.(png|jpg|webp))$/;

export function checkTargetPath(path: string): void {
  if (!TARGET_PATH.test(path)) {
    throw new LinliError(
      ErrorCode.TARGET_PATH,
      `target path ${JSON.stringify(path.slice(0, 80))} is not a manifest or a media file name; refused (no "..", no absolute paths)`,
      { path: path.slice(0, 80) },
    );
  }
}

/** A hash mismatch of a download that began from a kept `.part`: retried once from scratch. */
class ResumedMismatch extends LinliError {}

async function hashFile(path: string, h = createHash('sha256')) {
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h;
}

/**
 * Downloads TUF targets into a content-addressed store: streamed to `<sha256>.part`, hashed as it arrives,
 * cut off at the signed length (endless data), resumed with Range after a cut, checked against the signed
 * hash, fsynced and renamed into place atomically. The final name is the hash, never a path from the network.
 */
export class TargetDownloader {
  readonly #api: Pick<DeviceApiClient, 'getRaw'>;
  readonly #dir: string;
  readonly stats: DownloadStats = { bytes: 0, resumed: 0 };

  constructor(api: Pick<DeviceApiClient, 'getRaw'>, dir: string) {
    this.#api = api;
    this.#dir = dir;
  }

  pathOf(sha256: string): string {
    return join(this.#dir, sha256);
  }

  /** True when the verified file is already here. */
  async has(t: TargetSpec): Promise<boolean> {
    try {
      return (await stat(this.pathOf(t.sha256))).size === t.length;
    } catch {
      return false;
    }
  }

  async fetch(t: TargetSpec, timeoutMs = 120_000): Promise<string> {
    try {
      return await this.#attempt(t, timeoutMs);
    } catch (err) {
      // A resumed download that fails its hash may owe it to the kept part (bytes changed in flight before a
      // cut): that part is discarded by now, so try once from scratch instead of waiting a whole poll.
      if (!(err instanceof ResumedMismatch)) throw err;
      return this.#attempt(t, timeoutMs);
    }
  }

  async #attempt(t: TargetSpec, timeoutMs: number): Promise<string> {
    checkTargetPath(t.path);
    if (!/^[0-9a-f]{64}$/.test(t.sha256)) {
      throw new LinliError(
        ErrorCode.TARGET_MISMATCH,
        `target ${t.path} has no SHA-256 in its signed metadata`,
      );
    }
    const final = this.pathOf(t.sha256);
    if (await this.has(t)) return final;
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const part = `${final}.part`;
    let have = 0;
    try {
      have = (await stat(part)).size;
    } catch {
      have = 0;
    }
    if (have > t.length) {
      await rm(part, { force: true });
      have = 0;
    }
    const hash = have > 0 ? await hashFile(part) : createHash('sha256');
    const url = `${API.deviceTufTargets}/${hashedTargetName(t.path, t.sha256)}`;
    if (have < t.length) {
      const res = await this.#api.getRaw(url, have > 0 ? { range: `bytes=${have}-` } : {}, timeoutMs);
      if (res.status === 404) {
        await res.body?.cancel();
        throw new LinliError(
          ErrorCode.TARGET_MISSING,
          `the control plane has no ${t.path}; retried next sync`,
        );
      }
      const resumed = res.status === 206;
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw new LinliError(ErrorCode.TUF_UNAVAILABLE, `GET ${t.path} answered HTTP ${res.status}`, {
          network: true,
        });
      }
      if (have > 0 && !resumed) {
        // The server ignored the Range: start over rather than append a second copy.
        await rm(part, { force: true });
        have = 0;
        hash.digest();
        return this.#write(res.body, t, part, final, 0, createHash('sha256'));
      }
      if (resumed) this.stats.resumed++;
      return this.#write(res.body, t, part, final, have, hash);
    }
    return this.#finish(t, part, final, hash, have > 0);
  }

  async #write(
    body: ReadableStream<Uint8Array>,
    t: TargetSpec,
    part: string,
    final: string,
    have: number,
    hash: ReturnType<typeof createHash>,
  ): Promise<string> {
    const fh = await open(part, have > 0 ? 'a' : 'w', 0o600);
    let n = have;
    try {
      const reader = body.getReader();
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (cause) {
          // A cut: what arrived stays in .part and the next attempt resumes with Range.
          await fh.sync();
          throw new LinliError(
            ErrorCode.UNAVAILABLE,
            `download of ${t.path} was cut at ${n}/${t.length} bytes; it resumes next time`,
            {
              network: true,
            },
            { cause },
          );
        }
        if (chunk.done) break;
        n += chunk.value.length;
        if (n > t.length) {
          await reader.cancel();
          await fh.close();
          await rm(part, { force: true });
          throw new LinliError(
            ErrorCode.TARGET_TOO_LARGE,
            `${t.path} sent more than its signed ${t.length} bytes (endless data?); refused and discarded`,
            { path: t.path },
          );
        }
        hash.update(chunk.value);
        await fh.write(chunk.value);
        this.stats.bytes += chunk.value.length;
      }
      await fh.sync();
    } finally {
      await fh.close().catch(() => {});
    }
    if (n < t.length) {
      throw new LinliError(
        ErrorCode.UNAVAILABLE,
        `download of ${t.path} ended at ${n}/${t.length} bytes; it resumes next time`,
        {
          network: true,
        },
      );
    }
    return this.#finish(t, part, final, hash, have > 0);
  }

  async #finish(
    t: TargetSpec,
    part: string,
    final: string,
    hash: ReturnType<typeof createHash>,
    fromKeptPart = false,
  ): Promise<string> {
    const got = hash.digest('hex');
    if (got !== t.sha256) {
      await rm(part, { force: true });
      throw new (fromKeptPart ? ResumedMismatch : LinliError)(
        ErrorCode.TARGET_MISMATCH,
        `${t.path} does not match its signed SHA-256; refused and discarded (the previous content keeps playing)`,
        { path: t.path },
      );
    }
    await rename(part, final);
    await fsyncDir(this.#dir);
    return final;
  }
}
