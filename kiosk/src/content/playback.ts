import { EventEmitter } from 'node:events';
import { buildPlayState, type PlayState, sameShowing } from '../../../signage/src/play-state.js';
import { nextChange } from '../../../signage/src/schedule/schedule.js';
import type { ContentSync } from './content-sync.js';
import type { EmergencyState } from './emergency-state.js';
import type { Quarantine } from './quarantine.js';

export interface PlaybackOptions {
  content: ContentSync;
  emergencies: EmergencyState;
  quarantine: Quarantine;
  timeZone: string;
  now?: () => number;
  /** Longest wait between re-evaluations even when the schedule says nothing changes. */
  maxTickMs?: number;
}

/**
 * What plays now, recomputed when content, emergencies or the quarantine change, and at the next instant the
 * schedule says something starts or stops. Emits `change` only when what is shown changes.
 */
export class Playback extends EventEmitter<{ change: [PlayState] }> {
  readonly #o: PlaybackOptions;
  #timer: NodeJS.Timeout | undefined;
  #state: PlayState | undefined;
  #started = false;
  readonly #onChange = () => this.#update();

  constructor(opts: PlaybackOptions) {
    super();
    this.#o = opts;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#o.content.on('change', this.#onChange);
    this.#o.emergencies.on('change', this.#onChange);
    this.#o.quarantine.on('change', this.#onChange);
    this.#update();
  }

  stop(): void {
    this.#started = false;
    clearTimeout(this.#timer);
    this.#o.content.off('change', this.#onChange);
    this.#o.emergencies.off('change', this.#onChange);
    this.#o.quarantine.off('change', this.#onChange);
  }

  /** The state for one surface's media URLs. */
  current(mediaUrl: (sha256: string) => string = (s) => s): PlayState {
    const now = (this.#o.now ?? Date.now)();
    const { content, emergencies, quarantine } = this.#o;
    return buildPlayState({
      notices: content.notices(),
      isComplete: (n) => content.isComplete(n),
      quarantined: (id, v) => quarantine.has(id, v),
      emergencies: emergencies.active().map((e) => {
        const remainingMs = emergencies.remainingMs(e);
        return {
          noticeId: e.alert.noticeId,
          version: e.alert.noticeVersion,
          seq: e.alert.seq,
          title: e.alert.title,
          body: e.alert.body,
          category: e.alert.category,
          remainingMs,
          expiresAt: new Date(now + remainingMs).toISOString(),
        };
      }),
      timeZone: this.#o.timeZone,
      now,
      mediaUrl,
      ...(this.#contentVersion() ? { contentVersion: this.#contentVersion()! } : {}),
    });
  }

  #contentVersion(): string | undefined {
    return this.#o.content.manifestSha256?.slice(0, 16);
  }

  #update(): void {
    if (!this.#started) return;
    const next = this.current();
    if (!this.#state || !sameShowing(this.#state, next)) {
      this.#state = next;
      this.emit('change', next);
    }
    clearTimeout(this.#timer);
    const now = (this.#o.now ?? Date.now)();
    const at = nextChange(this.#o.content.notices(), now, this.#o.timeZone);
    const wait = Math.min(
      this.#o.maxTickMs ?? 60_000,
      at === undefined ? Number.POSITIVE_INFINITY : at - now + 5,
    );
    this.#timer = setTimeout(() => this.#update(), Math.max(50, wait));
    this.#timer.unref();
  }
}
