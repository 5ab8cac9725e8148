import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  LedController,
  LedFrame,
  LedShowOptions,
} from '../../../device-drivers/contracts/led-controller.js';
import { winningEmergency } from '../../../notice-render/emergency-precedence.js';
import { ledText } from '../../../notice-render/led/led-notice.js';
import {
  colourFor,
  type LedStrip,
  renderStrip,
  scrollRange,
  scrolls,
  stripFrame,
} from '../../../notice-render/led/led-strip.js';
import type { PlayRecord } from '../../../protocol/schemas/signage-device.js';
import { type BrightnessBand, brightnessAt } from '../../../signage/src/led/brightness.js';
import type { PlayState } from '../../../signage/src/play-state.js';
import { localDateTime } from '../../../signage/src/schedule/zoned-time.js';
import type { Logger } from '../logger.js';
import { type LedScheduler, realScheduler } from './led-scheduler.js';

export type { LedScheduler } from './led-scheduler.js';

/** How long scrolling text rests with its beginning on the panel before it moves. */
const HOLD_MS = 1_500;

export interface LedSignOptions {
  panel: { width: number; height: number; colors: 1 | 2 };
  font: string;
  scrollPxPerSec: number;
  frameIntervalMs: number;
  brightness: readonly BrightnessBand[];
  timeZone: string;
  playback: { current(): PlayState; on(event: 'change', fn: (s: PlayState) => void): unknown };
  /** The panel, through its driver contract; absent when no LED controller is configured. */
  controller?: LedController;
  /** Proof of play: a record when a showing starts, the same play id again with its length when it ends. */
  plays?: { record(p: Omit<PlayRecord, 'playId'> & { playId?: string }): Promise<unknown> };
  log: Logger;
  now?: () => number;
  scheduler?: LedScheduler;
}

interface Item {
  noticeId: string | null;
  version: number;
  text: string;
  title: string;
  colour: number;
  emergency: boolean;
  displayMs: number;
  /** Emergencies: time left on this device's clock; the controller blanks the area if not refreshed. */
  remainingMs?: number;
}

/** The item on the panel now: its strip, where the scroll is, when it ends, and its proof-of-play id. */
interface Showing extends Item {
  strip: LedStrip;
  startedAt: number;
  x: number;
  until: number;
  holdUntil: number;
  playId: string;
}

export interface LedSignState {
  text: string;
  title: string;
  noticeId: string | null;
  emergency: boolean;
  width: number;
  height: number;
  colors: 1 | 2;
  litPixels: number;
  scrolling: boolean;
  brightness: number;
  renderedAt: string;
  controller: {
    present: boolean;
    lastSentAt: string | null;
    error: { code: string; message: string } | null;
  };
}

/**
 * The LED sign: the titles of what plays now, one after another, long ones scrolling across the panel; an
 * emergency preempts everything at full brightness, with the controller's own dead-man timeout set to the
 * time left; idle, it shows the time. Brightness follows the time of day. Every showing is recorded.
 */
export class LedSign extends EventEmitter<{ frame: [LedFrame] }> {
  readonly #o: LedSignOptions;
  #frame: LedFrame;
  #state: LedSignState;
  #items: Item[] = [];
  #index = 0;
  #current: Showing | undefined;
  #timer: unknown;
  /** Bumped by every #play: a showing whose rendering was overtaken by newer content never starts. */
  #gen = 0;
  /** The latest reload or showing in progress, so tests on simulated time can wait for it. */
  #work: Promise<void> = Promise.resolve();
  #minuteTimer: NodeJS.Timeout | undefined;
  #sending = false;
  #pending: { frame: LedFrame; opts: LedShowOptions } | undefined;
  #brightness = 0;
  #bands: readonly BrightnessBand[];
  #started = false;
  #strips = new Map<string, LedStrip>();
  /** While an `identify` command flashes the panel: until when, and the content frame it covers. */
  #identifyUntil = 0;
  #identifyTimer: unknown;
  #covered: { frame: LedFrame; opts: LedShowOptions } | undefined;
  readonly #onChange = () => void this.#track(this.#reload());

  constructor(opts: LedSignOptions) {
    super();
    this.#o = opts;
    this.#bands = opts.brightness;
    this.#frame = { ...opts.panel, pixels: new Uint8Array(opts.panel.width * opts.panel.height) };
    this.#state = {
      text: '',
      title: '',
      noticeId: null,
      emergency: false,
      ...opts.panel,
      litPixels: 0,
      scrolling: false,
      brightness: 0,
      renderedAt: new Date(0).toISOString(),
      controller: { present: opts.controller !== undefined, lastSentAt: null, error: null },
    };
  }

  get frame(): LedFrame {
    return this.#frame;
  }

  get state(): LedSignState {
    return this.#state;
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  get #timers(): LedScheduler {
    return this.#o.scheduler ?? realScheduler;
  }

  /** Resolves when the sign has finished reacting to the last change (rendering is real work, off the clock). */
  async idle(): Promise<void> {
    let w: Promise<void>;
    do {
      w = this.#work;
      await w;
    } while (w !== this.#work);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#o.playback.on('change', this.#onChange);
    this.#minuteTimer = setInterval(() => void this.#applyBrightness(), 60_000);
    this.#minuteTimer.unref();
    await this.#reload();
  }

  #track(p: Promise<void>): Promise<void> {
    this.#work = p.catch((err: unknown) =>
      this.#o.log.error({ err: (err as Error).message }, 'led: could not show'),
    );
    return p;
  }

  /** Brightness bands from the live settings (a remote setting, or a command's temporary level). */
  setBrightness(bands: readonly BrightnessBand[]): Promise<void> {
    return this.setBrightnessSchedule(bands);
  }

  /**
   * The `identify` command: the whole panel flashes lit/dark twice a second at full brightness for
   * `seconds`, then the content comes back. Content changes meanwhile are kept and shown after.
   */
  async identify(seconds: number): Promise<void> {
    const { width, height, colors } = this.#o.panel;
    const lit: LedFrame = {
      width,
      height,
      colors,
      pixels: new Uint8Array(width * height).fill(colourFor('normal', colors)),
    };
    const dark: LedFrame = { width, height, colors, pixels: new Uint8Array(width * height) };
    this.#timers.clearTimeout(this.#identifyTimer);
    this.#covered ??= { frame: this.#frame, opts: {} };
    this.#identifyUntil = this.#now() + seconds * 1000;
    await this.#setLevel(16);
    let on = false;
    const step = (): void => {
      if (this.#now() >= this.#identifyUntil || !this.#started) {
        this.#identifyUntil = 0;
        const back = this.#covered;
        this.#covered = undefined;
        this.#brightness = -1;
        void this.#applyBrightness();
        if (back) this.#show(back.frame, back.opts);
        return;
      }
      on = !on;
      this.#show(on ? lit : dark, {}, true);
      this.#identifyTimer = this.#timers.setTimeout(step, 500);
    };
    step();
  }

  get identifying(): boolean {
    return this.#identifyUntil > this.#now();
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#timers.clearTimeout(this.#identifyTimer);
    (this.#o.playback as unknown as EventEmitter).off('change', this.#onChange);
    this.#gen++;
    this.#timers.clearTimeout(this.#timer);
    clearInterval(this.#minuteTimer);
    this.#endShowing();
  }

  /**
   * What to play: the one emergency that shows (the rule every role shares), or every playing notice's title;
   * nothing means the clock.
   */
  #itemsFrom(state: PlayState): Item[] {
    const colors = this.#o.panel.colors;
    const e = winningEmergency(state.emergencies);
    if (e) {
      return [
        {
          noticeId: e.noticeId,
          version: e.version,
          title: e.title.zh,
          text: ledText(e, true),
          colour: colourFor('emergency', colors),
          emergency: true,
          displayMs: 20_000,
          remainingMs: e.remainingMs,
        },
      ];
    }
    return state.notices.map((n) => ({
      noticeId: n.id,
      version: n.version,
      title: n.title.zh,
      text: ledText(n, false),
      colour: colourFor(n.priority, colors),
      emergency: false,
      displayMs: n.displaySec * 1000,
    }));
  }

  /**
   * New content interrupts what is on the panel: the showing in progress (a long scroll can take half a
   * minute) ends after the frame on the panel now, and the new notice plays next; the interrupted one comes
   * back from its beginning at its next turn. Content that merely left or stayed keeps the current showing.
   */
  async #reload(): Promise<void> {
    if (!this.#started) return;
    const items = this.#itemsFrom(this.#o.playback.current());
    const cur = this.#current;
    const key = (i: Item) => `${i.noticeId}@${i.version}|${i.emergency}|${i.text}`;
    const before = new Set(this.#items.map(key));
    const fresh = items.findIndex((i) => !before.has(key(i)));
    const stillThere = cur !== undefined && items.some((i) => key(i) === key(cur));
    this.#items = items;
    if (stillThere && fresh < 0) {
      this.#index = items.findIndex((i) => key(i) === key(cur));
      if (cur.emergency) {
        const now = items[this.#index];
        if (now?.remainingMs !== undefined) cur.remainingMs = now.remainingMs;
      }
      return;
    }
    this.#index = Math.max(fresh, 0);
    await this.#play();
  }

  async #play(): Promise<void> {
    this.#timers.clearTimeout(this.#timer);
    this.#endShowing();
    if (!this.#started) return;
    const gen = ++this.#gen;
    const item = this.#items[this.#index % Math.max(this.#items.length, 1)];
    await this.#applyBrightness(item?.emergency ?? false);
    if (gen !== this.#gen) return;
    if (!item) {
      await this.#showClock(gen);
      return;
    }
    const strip = await this.#strip(item.text);
    // Newer content arrived while this one was rendered: that one plays, this one never starts.
    if (gen !== this.#gen || !this.#started) return;
    const moving = scrolls(strip, this.#o.panel.width);
    const range = scrollRange(strip, this.#o.panel.width);
    const passMs = ((range.to - range.from) / this.#o.scrollPxPerSec) * 1000;
    const duration = moving ? Math.max(passMs, Math.ceil(item.displayMs / passMs) * passMs) : item.displayMs;
    const now = this.#now();
    // Scrolling text starts with its beginning on the panel (an emergency is readable at once), holds a
    // moment, moves on, and re-enters from the right after each pass.
    this.#current = {
      ...item,
      strip,
      startedAt: now,
      x: 0,
      until: now + duration + HOLD_MS,
      holdUntil: now + HOLD_MS,
      playId: randomBytes(12).toString('base64url'),
    };
    this.#state = {
      ...this.#state,
      text: item.text,
      title: item.title,
      noticeId: item.noticeId,
      emergency: item.emergency,
      scrolling: moving,
    };
    this.#tick();
    // Reported as it starts, so a showing still on the panel (a live emergency) is already on record.
    this.#recordPlay(this.#current, 0);
  }

  #tick(): void {
    const cur = this.#current;
    if (!cur || !this.#started) return;
    const moving = scrolls(cur.strip, this.#o.panel.width);
    // The first frame of a showing is firstFrame() (x = 0), which the console's preview draws too.
    const frame = stripFrame(cur.strip, this.#o.panel, cur.colour, moving ? cur.x : undefined);
    const opts: LedShowOptions =
      cur.emergency && cur.remainingMs !== undefined
        ? { timeoutSec: Math.min(86_400, Math.max(1, Math.ceil(cur.remainingMs / 1000))) }
        : {};
    this.#show(frame, opts);
    const now = this.#now();
    if (now >= cur.until) {
      this.#index = (this.#index + 1) % Math.max(this.#items.length, 1);
      void this.#track(this.#play());
      return;
    }
    const next = () => this.#tick();
    if (moving && now < cur.holdUntil) {
      this.#timer = this.#timers.setTimeout(next, Math.max(20, cur.holdUntil - now));
    } else if (moving) {
      const range = scrollRange(cur.strip, this.#o.panel.width);
      const step = Math.max(1, Math.round((this.#o.scrollPxPerSec * this.#o.frameIntervalMs) / 1000));
      cur.x = cur.x + step > range.to ? range.from : cur.x + step;
      this.#timer = this.#timers.setTimeout(next, this.#o.frameIntervalMs);
    } else {
      this.#timer = this.#timers.setTimeout(next, Math.max(20, cur.until - now));
    }
  }

  async #showClock(gen: number): Promise<void> {
    const t = localDateTime(this.#now(), this.#o.timeZone);
    const text = `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
    const strip = await this.#strip(text);
    if (gen !== this.#gen || !this.#started) return;
    this.#state = { ...this.#state, text, title: '', noticeId: null, emergency: false, scrolling: false };
    this.#show(stripFrame(strip, this.#o.panel, colourFor('normal', this.#o.panel.colors)), {});
    this.#timer = this.#timers.setTimeout(
      () => void this.#track(this.#play()),
      60_000 - (this.#now() % 60_000) + 50,
    );
  }

  async #strip(text: string): Promise<LedStrip> {
    let s = this.#strips.get(text);
    if (!s) {
      s = await renderStrip(text, { height: this.#o.panel.height, font: this.#o.font });
      if (this.#strips.size > 64) this.#strips.clear();
      this.#strips.set(text, s);
    }
    return s;
  }

  #endShowing(): void {
    const cur = this.#current;
    this.#current = undefined;
    if (cur) this.#recordPlay(cur, Math.round(this.#now() - cur.startedAt));
  }

  /** One play id per showing: the record at its start is replaced by the one with its length at its end. */
  #recordPlay(cur: Showing, durationMs: number): void {
    if (!cur.noticeId || !this.#o.plays) return;
    this.#o.plays
      .record({
        playId: cur.playId,
        noticeId: cur.noticeId,
        version: cur.version,
        startedAt: new Date(cur.startedAt).toISOString(),
        durationMs: Math.min(86_400_000, Math.max(0, durationMs)),
        surface: 'led',
        ...(cur.emergency ? { emergency: true } : {}),
      })
      .catch((err: unknown) =>
        this.#o.log.error({ err: (err as Error).message }, 'led: could not record a play'),
      );
  }

  /**
   * A new brightness schedule (remote setting `led.brightness`), in effect at once. The controller must take
   * the new level: if it refuses, the old schedule stays and the error (its code) goes to the caller.
   */
  async setBrightnessSchedule(bands: readonly BrightnessBand[]): Promise<void> {
    const before = this.#bands;
    this.#bands = bands.map((b) => ({ ...b }));
    // While identifying the panel stays at full brightness; the new schedule applies when it ends.
    if (!this.#started || this.identifying) return;
    const level = this.#levelNow();
    if (level === this.#brightness) return;
    try {
      await this.#o.controller?.setBrightness(level);
    } catch (err) {
      this.#bands = before;
      this.#controllerError(err);
      throw err;
    }
    this.#brightness = level;
    this.#state = { ...this.#state, brightness: level };
  }

  #levelNow(emergency = this.#current?.emergency ?? false): number {
    const t = localDateTime(this.#now(), this.#o.timeZone);
    return emergency ? 16 : brightnessAt(this.#bands, t.hour * 60 + t.minute);
  }

  async #applyBrightness(emergency = this.#current?.emergency ?? false): Promise<void> {
    if (this.identifying) return;
    await this.#setLevel(this.#levelNow(emergency));
  }

  async #setLevel(level: number): Promise<void> {
    if (level === this.#brightness) return;
    this.#brightness = level;
    this.#state = { ...this.#state, brightness: level };
    try {
      await this.#o.controller?.setBrightness(level);
    } catch (err) {
      this.#controllerError(err);
    }
  }

  /** Newest frame wins: while one is on the wire, only the latest waiting one is sent next. */
  #show(frame: LedFrame, opts: LedShowOptions, identify = false): void {
    if (this.identifying && !identify) {
      // Shown once identification ends.
      this.#covered = { frame, opts };
      return;
    }
    this.#frame = frame;
    let lit = 0;
    for (const p of frame.pixels) if (p) lit++;
    this.#state = { ...this.#state, litPixels: lit, renderedAt: new Date(this.#now()).toISOString() };
    this.emit('frame', frame);
    const c = this.#o.controller;
    if (!c) return;
    if (this.#sending) {
      this.#pending = { frame, opts };
      return;
    }
    this.#sending = true;
    void (async () => {
      let next: { frame: LedFrame; opts: LedShowOptions } | undefined = { frame, opts };
      while (next) {
        try {
          await c.showFrame(next.frame, next.opts);
          this.#state.controller = { present: true, lastSentAt: new Date().toISOString(), error: null };
        } catch (err) {
          this.#controllerError(err);
        }
        next = this.#pending;
        this.#pending = undefined;
      }
      this.#sending = false;
    })();
  }

  #controllerError(err: unknown): void {
    const code = (err as { code?: string }).code ?? 'DEVICE_HARDWARE_ERROR';
    const again = this.#state.controller.error?.code === code;
    this.#state.controller = { ...this.#state.controller, error: { code, message: (err as Error).message } };
    // Once per cause: an unplugged controller fails every frame (10 a second), the journal needs one line.
    if (!again) this.#o.log.error({ code }, `led: the controller refused (${(err as Error).message})`);
  }
}
