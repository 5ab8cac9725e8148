import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PlayRecord, type UploadPlaysRequest } from '../../../protocol/schemas/signage-device.js';
import { isValid } from '../../../protocol/validate.js';
import type { Logger } from '../logger.js';
import { writeFileDurable } from '../state/durable-file.js';

export interface PlayLogOptions {
  /** Append-only JSON lines; each play is fsynced before it counts as recorded. */
  file: string;
  upload: (body: UploadPlaysRequest) => Promise<unknown>;
  log: Logger;
  uploadIntervalMs: number;
  /** A device offline for weeks keeps at most this many plays; the oldest go first (and are counted). */
  maxBuffered?: number;
}

const BATCH = 500;

/**
 * Proof of play on the device: every showing is appended durably to a local log and uploaded in batches when
 * the control plane is reachable; an upload that loses its answer is simply sent again (the server stores a
 * play id once). Offline for days, the plays wait here.
 */
export class PlayLog {
  readonly #o: PlayLogOptions;
  #queue: PlayRecord[] = [];
  #chain: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  dropped = 0;
  uploaded = 0;

  constructor(opts: PlayLogOptions) {
    this.#o = opts;
  }

  get pending(): number {
    return this.#queue.length;
  }

  async start(): Promise<void> {
    if (this.#timer) return;
    await mkdir(dirname(this.#o.file), { recursive: true, mode: 0o700 });
    try {
      const text = await readFile(this.#o.file, 'utf8');
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const p = JSON.parse(line) as unknown;
          if (isValid(PlayRecord, p)) this.#queue.push(p);
        } catch {
          // A torn last line after a power cut: that one play is lost, the rest are kept.
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.#timer = setInterval(() => void this.flush(), this.#o.uploadIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#chain;
    await this.#flushing;
  }

  /** Appends one play durably. */
  record(play: Omit<PlayRecord, 'playId'>): Promise<PlayRecord> {
    const full: PlayRecord = { playId: randomBytes(12).toString('base64url'), ...play };
    if (!isValid(PlayRecord, full)) return Promise.reject(new Error('internal: invalid play record'));
    const task = this.#chain.then(async () => {
      this.#queue.push(full);
      const max = this.#o.maxBuffered ?? 50_000;
      if (this.#queue.length > max) {
        this.dropped += this.#queue.length - max;
        this.#queue.splice(0, this.#queue.length - max);
        await this.#rewrite();
        return full;
      }
      const fh = await open(this.#o.file, 'a', 0o600);
      try {
        await fh.write(`${JSON.stringify(full)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return full;
    });
    this.#chain = task.catch(() => undefined);
    return task;
  }

  /** Uploads what is buffered, batch by batch, until empty or the control plane is unreachable. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    const run = async () => {
      await Promise.resolve();
      try {
        while (this.#queue.length > 0) {
          const batch = this.#queue.slice(0, BATCH);
          await this.#o.upload({ plays: batch });
          const sent = new Set(batch.map((p) => p.playId));
          const drop = this.#chain.then(async () => {
            this.#queue = this.#queue.filter((p) => !sent.has(p.playId));
            await this.#rewrite();
          });
          this.#chain = drop.catch(() => undefined);
          await drop;
          this.uploaded += batch.length;
        }
      } catch (err) {
        this.#o.log.debug?.(
          { err: (err as Error).message, pending: this.#queue.length },
          'plays: upload later',
        );
      } finally {
        this.#flushing = undefined;
      }
    };
    this.#flushing = run();
    return this.#flushing;
  }

  async #rewrite(): Promise<void> {
    await writeFileDurable(this.#o.file, this.#queue.map((p) => `${JSON.stringify(p)}\n`).join(''));
  }
}
