import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Listeners } from '../core/listeners.js';

export interface SerialPathWatcherOptions {
  /** Safety net under the directory events (which can be missed, e.g. before /dev/serial/by-id exists). */
  readonly pollMs: number;
}

/**
 * Watches stable serial names (`/dev/serial/by-id/…`, udev symlinks) appear and disappear. udev makes and
 * removes these links on plug and unplug; the tty number behind them may differ every time, which is the point.
 * A path counts as present when it resolves to a character device: a dangling link (the tty is gone before udev
 * removed the link) is absent. Directory events make it quick; a poll makes it sure.
 */
export class SerialPathWatcher {
  readonly #paths: readonly string[];
  readonly #opts: SerialPathWatcherOptions;
  readonly #events = new Listeners<[string, boolean]>();
  readonly #present = new Set<string>();
  readonly #dirWatchers = new Map<string, FSWatcher>();
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #again = false;
  #running = false;

  constructor(paths: readonly string[], opts: SerialPathWatcherOptions) {
    this.#paths = [...new Set(paths)];
    this.#opts = opts;
  }

  /** (path, present) on every change. */
  on(listener: (path: string, present: boolean) => void): () => void {
    return this.#events.add(listener);
  }

  isPresent(path: string): boolean {
    return this.#present.has(path);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#timer = setInterval(() => void this.check(), this.#opts.pollMs);
    this.#timer.unref();
    await this.check();
  }

  stop(): void {
    this.#running = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const w of this.#dirWatchers.values()) w.close();
    this.#dirWatchers.clear();
    // A later start() reports what is present afresh.
    this.#present.clear();
  }

  /** Re-reads every path; overlapping calls fold into one more pass, so no change between two reads is lost. */
  check(): Promise<void> {
    if (this.#checking) {
      this.#again = true;
      return this.#checking;
    }
    this.#checking = (async () => {
      do {
        this.#again = false;
        await this.#checkOnce();
      } while (this.#again && this.#running);
    })().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  async #checkOnce(): Promise<void> {
    this.#armDirWatchers();
    const states = await Promise.all(this.#paths.map((p) => isCharDevice(p)));
    if (!this.#running) return;
    this.#paths.forEach((p, i) => {
      const now = states[i]!;
      if (now === this.#present.has(p)) return;
      if (now) this.#present.add(p);
      else this.#present.delete(p);
      this.#events.emit(p, now);
    });
  }

  #armDirWatchers(): void {
    for (const dir of new Set(this.#paths.map((p) => dirname(p)))) {
      if (this.#dirWatchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, () => void this.check());
        // The directory itself can vanish (udev removes /dev/serial/by-id with the last device): re-arm later.
        w.on('error', () => {
          w.close();
          this.#dirWatchers.delete(dir);
        });
        this.#dirWatchers.set(dir, w);
      } catch {
        // Not there yet: the poll finds the path, and re-arms this watcher when the directory appears.
      }
    }
  }
}

async function isCharDevice(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isCharacterDevice();
  } catch {
    return false;
  }
}
