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

/** A play as a surface reports it: with the play id of a showing reported before, it updates that one. */
export type PlayInput = Omit<PlayRecord, 'playId'> & { playId?: string };

/** A fresh play id, for a surface that reports a showing at its start and again at its end. */
export const newPlayId = (): string => randomBytes(12).toString('base64url');

/**
 * Proof of play on the device: every showing is appended durably to a local log and uploaded in batches when
 * the control plane is reachable; an upload that loses its answer is simply sent again (the server stores a
 * play id once). Offline for days, the plays wait here.
 *
 * A showing is reported when it starts and again (same play id, its length so far) as it goes on and when
 * it ends: the latest record of a play id replaces the earlier ones here, and on the server, so a showing
 * still on screen is already on record. An emergency's record is uploaded at once, not at the next interval:
 * "which screens show the alert" is asked while it is live.
 */
export class PlayLog {
  readonly #o: PlayLogOptions;
  #queue: PlayRecord[] = [];
  #chain: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  /** Lines in the file: updates of one play append lines, and the file is compacted when they pile up. */
  #lines = 0;
  #again = false;
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
        this.#lines++;
        try {
          const p = JSON.parse(line) as unknown;
          if (isValid(PlayRecord, p)) this.#put(p);
        } catch {
          // A torn last line after a power cut: that one play (or its latest update) is lost.
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

  /** Appends one play (or the update of one, by play id) durably. */
  record(play: PlayInput): Promise<PlayRecord> {
    const { playId, ...rest } = play;
    const full: PlayRecord = { playId: playId ?? newPlayId(), ...rest };
    if (!isValid(PlayRecord, full)) return Promise.reject(new Error('internal: invalid play record'));
    const task = this.#chain.then(async () => {
      if (!this.#put(full)) throw new Error(`play ${full.playId} already names another showing`);
      const max = this.#o.maxBuffered ?? 50_000;
      if (this.#queue.length > max) {
        this.dropped += this.#queue.length - max;
        this.#queue.splice(0, this.#queue.length - max);
        await this.#rewrite();
      } else if (this.#lines >= 2 * this.#queue.length + 64) {
        await this.#rewrite();
      } else {
        const fh = await open(this.#o.file, 'a', 0o600);
        try {
          await fh.write(`${JSON.stringify(full)}\n`);
          await fh.sync();
        } finally {
          await fh.close();
        }
        this.#lines++;
      }
      return full;
    });
    this.#chain = task.catch(() => undefined);
    if (full.emergency) void task.then(() => this.flush()).catch(() => undefined);
    return task;
  }

  /**
   * The latest record of a play id replaces the one queued before (it keeps its place in the queue); false
   * if that id names another showing (another notice, start or surface), which is left alone.
   */
  #put(p: PlayRecord): boolean {
    const i = this.#queue.findIndex((q) => q.playId === p.playId);
    if (i < 0) {
      this.#queue.push(p);
      return true;
    }
    const q = this.#queue[i]!;
    const same =
      q.noticeId === p.noticeId &&
      q.version === p.version &&
      q.startedAt === p.startedAt &&
      q.surface === p.surface &&
      q.emergency === p.emergency;
    if (same) this.#queue[i] = p;
    return same;
  }

  /** Uploads what is buffered, batch by batch, until empty or the control plane is unreachable. */
  flush(): Promise<void> {
    if (this.#flushing) {
      // Asked again mid-upload (an emergency just started): go round once more after this one.
      this.#again = true;
      return this.#flushing;
    }
    const run = async () => {
      await Promise.resolve();
      try {
        while (this.#queue.length > 0) {
          const batch = this.#queue.slice(0, BATCH);
          await this.#o.upload({ plays: batch });
          // Dropped only as sent: a play updated during the upload stays queued with its newer length.
          const sent = new Set(batch);
          const drop = this.#chain.then(async () => {
            this.#queue = this.#queue.filter((p) => !sent.has(p));
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
    this.#flushing = run().then(() => {
      if (this.#again && this.#timer) {
        this.#again = false;
        void this.flush();
      }
    });
    return this.#flushing;
  }

  async #rewrite(): Promise<void> {
    await writeFileDurable(this.#o.file, this.#queue.map((p) => `${JSON.stringify(p)}\n`).join(''));
    this.#lines = this.#queue.length;
  }
}
