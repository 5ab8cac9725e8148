import { EventEmitter } from 'node:events';
import {
  buildScreenState,
  type ScreenContext,
  type ScreenState,
} from '../../../signage/src/player/screen-state.js';
import type { NoticeSet } from '../content/notice-sync.js';

export interface ScreenFeedOptions {
  context: ScreenContext;
  notices: { current(): NoticeSet; on(event: 'change', fn: (set: NoticeSet) => void): unknown };
  now?: () => Date;
  /** How often expiry is re-checked, so an expired notice leaves the screen without a push. */
  tickMs?: number;
}

/**
 * What the lobby screen shows, recomputed when the verified notice set changes and on a tick (expiry).
 * Emits `state` only when what is shown actually changed.
 */
export class ScreenFeed extends EventEmitter<{ state: [ScreenState] }> {
  readonly #o: ScreenFeedOptions;
  #state: ScreenState;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: ScreenFeedOptions) {
    super();
    this.#o = opts;
    this.#state = this.#compute();
    opts.notices.on('change', () => this.#update());
  }

  get state(): ScreenState {
    return this.#state;
  }

  start(): void {
    if (this.#timer) return;
    this.#update();
    this.#timer = setInterval(() => this.#update(), this.#o.tickMs ?? 30_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #compute(): ScreenState {
    const set = this.#o.notices.current();
    return buildScreenState(this.#o.context, set.notices, set.version, (this.#o.now ?? (() => new Date()))());
  }

  #update(): void {
    const next = this.#compute();
    if (signature(next) === signature(this.#state)) return;
    this.#state = next;
    this.emit('state', next);
  }
}

function signature(s: ScreenState): string {
  return `${s.contentVersion ?? ''}|${s.notices.map((n) => `${n.id}@${n.version}`).join(',')}`;
}
