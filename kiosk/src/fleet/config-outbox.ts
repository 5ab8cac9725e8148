import type { Low } from 'lowdb';
import type { ConfigReport } from '../../../protocol/schemas/fleet.js';
import type { Logger } from '../logger.js';
import type { ConfigState } from './config-state.js';

export interface ConfigOutboxOptions {
  state: Low<ConfigState>;
  send: (report: ConfigReport) => Promise<void>;
  log: Logger;
  /** First retry after a failed send; doubles up to `retryCapMs`. */
  retryBaseMs?: number;
  retryCapMs?: number;
}

/** The part of a report that says something: two reports with the same fingerprint say the same. */
export function reportFingerprint(r: ConfigReport): string {
  const { at: _at, ...rest } = r;
  return JSON.stringify(rest);
}

/**
 * Reports go up through here: the latest one is persisted before it is sent and kept until the control
 * plane takes it (offline → retried with a doubling delay, and at every `flush()`: the channel's welcome,
 * the next poll). Only the latest report matters, so a newer one replaces one still waiting. A report that
 * says what the last delivered one said is not sent again (a restart does not re-report).
 */
export class ConfigOutbox {
  readonly #o: ConfigOutboxOptions;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #sending: Promise<void> | undefined;
  #closed = false;

  constructor(opts: ConfigOutboxOptions) {
    this.#o = opts;
  }

  get pending(): ConfigReport | undefined {
    return this.#o.state.data.outbox;
  }

  async put(report: ConfigReport): Promise<void> {
    const db = this.#o.state;
    if (!db.data.outbox && db.data.reported === reportFingerprint(report)) return;
    db.data.outbox = report;
    await db.write();
    await this.flush();
  }

  /** Sends the waiting report, if any; never throws (a failure schedules a retry). */
  flush(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#sending ??= this.#send().finally(() => {
      this.#sending = undefined;
    });
    return this.#sending;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #send(): Promise<void> {
    const db = this.#o.state;
    // Loop: a newer report put while one was on the wire goes out right after it.
    for (;;) {
      const report = db.data.outbox;
      if (!report || this.#closed) return;
      try {
        await this.#o.send(report);
      } catch (err) {
        this.#failures++;
        const delay = Math.min(
          (this.#o.retryBaseMs ?? 5_000) * 2 ** (this.#failures - 1),
          this.#o.retryCapMs ?? 300_000,
        );
        this.#o.log.warn(
          { code: (err as { code?: string }).code, retryMs: delay, targetVersion: report.targetVersion },
          'config: could not send the report; kept, sending it again later',
        );
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => void this.flush(), delay);
        this.#timer.unref();
        return;
      }
      this.#failures = 0;
      clearTimeout(this.#timer);
      if (db.data.outbox === report) {
        db.data.outbox = undefined;
        db.data.reported = reportFingerprint(report);
        await db.write();
      }
    }
  }
}
