import type { Logger } from '../logger.js';
import type { HealthCheck } from './loop-health.js';
import type { Notifier } from './notifier.js';

export interface SystemdWatchdogOptions {
  notifier: Notifier;
  /** WATCHDOG_USEC: systemd kills the unit when no WATCHDOG=1 came for this long. */
  usec: number;
  /** The runtime's own loops (LoopHealth.check). */
  check: () => HealthCheck;
  log: Logger;
}

/**
 * Sends WATCHDOG=1 every WATCHDOG_USEC/2, and only while the runtime is healthy: the event loop ran the
 * timer on time (a tick later than a whole period means the loop was blocked for that long) and every loop
 * in LoopHealth turns. When unhealthy it stays silent, says why once in STATUS= and the journal, and systemd
 * restarts the unit when the watchdog runs out (WatchdogSec=); a blocked event loop sends nothing by itself.
 */
export class SystemdWatchdog {
  readonly #o: SystemdWatchdogOptions;
  readonly #periodMs: number;
  #timer: NodeJS.Timeout | undefined;
  #due = 0;
  #lastProblems = '';

  constructor(o: SystemdWatchdogOptions) {
    this.#o = o;
    this.#periodMs = Math.max(50, Math.floor(o.usec / 2000));
  }

  get periodMs(): number {
    return this.#periodMs;
  }

  start(): void {
    if (this.#timer) return;
    this.#due = Date.now() + this.#periodMs;
    this.#timer = setInterval(() => this.#tick(), this.#periodMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const now = Date.now();
    const late = now - this.#due;
    this.#due = now + this.#periodMs;
    const health = this.#o.check();
    const problems = [...health.problems];
    if (late > this.#periodMs) problems.push(`event loop: blocked for about ${Math.round(late / 1000)} s`);
    const text = problems.join('; ');
    if (problems.length === 0) {
      if (this.#lastProblems) {
        this.#o.log.info('systemd: healthy again; watchdog pings resume');
        this.#o.notifier.status('healthy');
      }
      this.#o.notifier.watchdog();
    } else if (text !== this.#lastProblems) {
      this.#o.log.error({ problems }, `systemd: unhealthy, not pinging the watchdog (${text})`);
      this.#o.notifier.status(`unhealthy: ${text}`);
    }
    this.#lastProblems = text;
  }
}
