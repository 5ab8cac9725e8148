import { EventEmitter } from 'node:events';
import type { Low } from 'lowdb';
import type { FaultReport } from '../../../protocol/schemas/signage-device.js';
import type { Logger } from '../logger.js';
import type { ContentState } from './content-state.js';

export const QUARANTINE_MS = 24 * 3600_000;

/**
 * Notices that failed to render (a broken image, a page error) are kept off the screen for a day, reported
 * to the control plane, and the next notice plays (Xibo's "unsafe" list). A new version is tried afresh.
 */
export class Quarantine extends EventEmitter<{ change: [] }> {
  readonly #state: Low<ContentState>;
  readonly #report: (f: FaultReport) => Promise<void>;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(
    state: Low<ContentState>,
    report: (f: FaultReport) => Promise<void>,
    log: Logger,
    now = Date.now,
  ) {
    super();
    this.#state = state;
    this.#report = report;
    this.#log = log;
    this.#now = now;
  }

  has(noticeId: string, version: number): boolean {
    const now = this.#now();
    return this.#state.data.quarantine.some(
      (q) => q.noticeId === noticeId && q.version === version && q.untilMs > now,
    );
  }

  list() {
    return this.#state.data.quarantine.filter((q) => q.untilMs > this.#now());
  }

  async add(noticeId: string, version: number, code: string, reason: string): Promise<boolean> {
    if (this.has(noticeId, version)) return false;
    const now = this.#now();
    await this.#state.update((s) => {
      s.quarantine = s.quarantine.filter(
        (q) => q.untilMs > now && !(q.noticeId === noticeId && q.version === version),
      );
      s.quarantine.push({ noticeId, version, untilMs: now + QUARANTINE_MS, code });
    });
    this.#log.error(
      { code, noticeId, version },
      `quarantined a notice that failed to render (${reason}); the next one plays`,
    );
    this.emit('change');
    const fault: FaultReport = {
      noticeId,
      version,
      code,
      reason: reason.slice(0, 500),
      at: new Date(now).toISOString(),
    };
    this.#report(fault).catch((err: unknown) => {
      this.#log.warn(
        { err: (err as Error).message },
        'could not report the quarantined notice; it stays quarantined',
      );
    });
    return true;
  }
}
