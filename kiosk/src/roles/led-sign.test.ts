import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LedController, LedFrame } from '../../../device-drivers/contracts/led-controller.js';
import {
  colourFor,
  type LedStrip,
  renderStrip,
  scrollRange,
  stripFrame,
} from '../../../notice-render/led/led-strip.js';
import type { PlayEmergency, PlayNotice, PlayState } from '../../../signage/src/play-state.js';
import { hasCjkFont, missing } from '../../../tests/helpers/requirements.js';
import { silentLogger } from '../logger.js';
import { type LedScheduler, LedSign } from './led-sign.js';

const font = 'Noto Sans CJK SC';
const panel = { width: 64, height: 16, colors: 2 as const };
const LONG = '明天上午八点至下午两点全小区停水请提前储水并关好水龙头';
const SHORT = '停水通知';

/** Simulated time: timers run in order as the test advances the clock; rendering (sharp) is awaited between. */
class SimTime {
  now = Date.parse('2026-12-07T02:00:00Z');
  #seq = 0;
  #timers: { at: number; seq: number; fn: () => void }[] = [];
  readonly scheduler: LedScheduler = {
    setTimeout: (fn, ms) => {
      const t = { at: this.now + Math.max(0, ms), seq: this.#seq++, fn };
      this.#timers.push(t);
      return t;
    },
    clearTimeout: (h) => {
      this.#timers = this.#timers.filter((t) => t !== h);
    },
  };
  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
      await settle();
    }
    this.now = end;
  }
}

class FakePlayback extends EventEmitter {
  state: PlayState = { generatedAt: new Date(0).toISOString(), emergencies: [], notices: [] };
  current(): PlayState {
    return this.state;
  }
  set(s: Partial<PlayState>): void {
    this.state = { ...this.state, ...s };
    this.emit('change', this.state);
  }
}

const notice = (id: string, title: string, displaySec: number): PlayNotice => ({
  id: `ntc_01JDQ000000000000000000${id}`,
  version: 1,
  title: { zh: title },
  body: { zh: '详见社区公告栏。' },
  category: 'utility',
  priority: 'normal',
  images: [],
  displaySec,
  expiresAt: '2026-12-31T00:00:00Z',
});

const emergency = (id: string, seq: number, title: string): PlayEmergency => ({
  noticeId: `ntc_01JDQ000000000000000000${id}`,
  version: 1,
  seq,
  title: { zh: title },
  body: { zh: '请立即撤离' },
  category: 'safety',
  remainingMs: 600_000,
  expiresAt: '2026-12-31T00:00:00Z',
});

const key = (f: LedFrame) => Buffer.from(f.pixels).toString('base64');

function rig() {
  const time = new SimTime();
  const playback = new FakePlayback();
  const frames: { at: number; key: string }[] = [];
  const levels: number[] = [];
  const plays: { playId?: string; noticeId: string; durationMs: number }[] = [];
  const controller = {
    width: panel.width,
    height: panel.height,
    colors: panel.colors,
    showFrame: async (f: LedFrame) => {
      frames.push({ at: time.now, key: key(f) });
    },
    setBrightness: async (level: number) => {
      levels.push(level);
    },
  } as unknown as LedController;
  const sign = new LedSign({
    panel,
    font,
    scrollPxPerSec: 40,
    frameIntervalMs: 50,
    brightness: [{ from: '00:00', level: 8 }],
    timeZone: 'Asia/Shanghai',
    playback,
    controller,
    plays: {
      record: async (p) => {
        plays.push(p);
      },
    },
    log: silentLogger,
    now: () => time.now,
    scheduler: time.scheduler,
  });
  const advance = (ms: number) => time.advance(ms, () => sign.idle());
  return { time, playback, frames, plays, sign, advance, levels };
}

let longStrip: LedStrip;
let shortFrame: string;
/** Every frame the long title can put on the panel, by scroll position. */
const longFrames = new Map<string, number>();

describe.skipIf(missing('fonts-noto-cjk', hasCjkFont()))('LED sign on simulated time', () => {
  beforeAll(async () => {
    longStrip = await renderStrip(LONG, { height: panel.height, font });
    const range = scrollRange(longStrip, panel.width);
    const colour = colourFor('normal', panel.colors);
    for (let x = range.from; x <= range.to; x++)
      longFrames.set(key(stripFrame(longStrip, panel, colour, x)), x);
    shortFrame = key(stripFrame(await renderStrip(SHORT, { height: panel.height, font }), panel, colour));
  });

  it('new content interrupts a long scroll between frames within 2 s, and the old scroll is not resumed', async () => {
    const { time, playback, frames, plays, sign, advance } = rig();
    playback.state = { ...playback.state, notices: [notice('A1', LONG, 30)] };
    await sign.start();
    await sign.idle();
    await advance(5_000);
    // The long title is scrolling: far from done (one showing takes about half a minute).
    expect(sign.state.scrolling).toBe(true);
    expect(longFrames.get(frames.at(-1)!.key)).toBeGreaterThan(20);
    const oldShowing = plays.find((p) => p.noticeId.endsWith('A1'))!;

    const t0 = time.now;
    const before = frames.length;
    playback.set({ notices: [notice('A1', LONG, 30), notice('B2', SHORT, 5)] });
    await sign.idle();
    await advance(2_000);
    const after = frames.slice(before);
    const firstNew = after.findIndex((f) => f.key === shortFrame);
    expect(firstNew).toBeGreaterThanOrEqual(0);
    expect(after[firstNew]!.at - t0).toBeLessThanOrEqual(2_000);
    // No torn frame: everything sent is a whole frame of one text or the other, and nothing old follows.
    for (const f of after) expect(longFrames.has(f.key) || f.key === shortFrame).toBe(true);
    expect(after.slice(firstNew).every((f) => f.key === shortFrame)).toBe(true);
    expect(sign.state.text).toBe(SHORT);

    // Its turn over, the long title comes back from its beginning, not from where it was cut off.
    const mark = frames.length;
    await advance(6_000);
    const next = frames.slice(mark).find((f) => f.key !== shortFrame)!;
    expect(longFrames.get(next.key)).toBe(0);
    // Proof of play: the interrupted showing was closed with what it got; each showing has one play id.
    const closed = plays.filter((p) => p.playId === oldShowing.playId);
    expect(closed.map((p) => p.durationMs)).toEqual([0, 5_000]);
    await sign.stop();
  });

  it('content arriving while other content is still being rendered starts one showing, not two', async () => {
    const { playback, frames, sign, advance } = rig();
    playback.state = { ...playback.state, notices: [notice('B2', SHORT, 5)] };
    await sign.start();
    await sign.idle();
    // Two changes in one tick: the first one's rendering is overtaken by the second.
    playback.set({ notices: [notice('B2', SHORT, 5), notice('C3', `${LONG}一`, 30)] });
    playback.set({ notices: [notice('B2', SHORT, 5), notice('A1', LONG, 30)] });
    await sign.idle();
    await advance(1_600); // past the hold at the beginning
    const mark = frames.length;
    await advance(1_000);
    const second = frames.slice(mark);
    expect(second.every((f) => longFrames.has(f.key))).toBe(true);
    // One frame per 50 ms: a second scroll loop would double it.
    expect(second.length).toBeGreaterThanOrEqual(19);
    expect(second.length).toBeLessThanOrEqual(21);
    await sign.stop();
  });

  it('with two live emergencies the newest (highest seq) shows, whichever order they come in', async () => {
    const { playback, sign, advance } = rig();
    playback.state = { ...playback.state, emergencies: [emergency('E1', 3, '燃气泄漏')] };
    await sign.start();
    await sign.idle();
    expect(sign.state).toMatchObject({ emergency: true, title: '燃气泄漏' });
    await advance(3_000);
    // A newer one goes up while the first is on the panel; the source lists the older one first.
    playback.set({ emergencies: [emergency('E1', 3, '燃气泄漏'), emergency('E2', 7, '暴雨红色预警')] });
    await sign.idle();
    await advance(100);
    expect(sign.state).toMatchObject({ emergency: true, title: '暴雨红色预警' });
    // It stays: the older one does not take turns with it.
    await advance(60_000);
    expect(sign.state.title).toBe('暴雨红色预警');
    // The older one renewed (a new seq) is the newest now.
    playback.set({ emergencies: [emergency('E1', 9, '燃气泄漏'), emergency('E2', 7, '暴雨红色预警')] });
    await sign.idle();
    expect(sign.state.title).toBe('燃气泄漏');
    await sign.stop();
  });
  it('identify flashes the whole panel at full brightness, then the content and its brightness come back', async () => {
    const { frames, sign, advance, levels, playback } = rig();
    playback.state = { ...playback.state, notices: [notice('C3', SHORT, 30)] };
    await sign.start();
    await sign.idle();
    await advance(200);
    expect(frames.at(-1)?.key).toBe(shortFrame);
    expect(levels.at(-1)).toBe(8);
    const lit = key({
      ...panel,
      pixels: new Uint8Array(panel.width * panel.height).fill(colourFor('normal', panel.colors)),
    });
    const dark = key({ ...panel, pixels: new Uint8Array(panel.width * panel.height) });
    const before = frames.length;
    await sign.identify(3);
    await advance(2_900);
    const during = frames.slice(before).map((f) => f.key);
    expect(new Set(during)).toEqual(new Set([lit, dark]));
    expect(during.length).toBeGreaterThanOrEqual(5);
    expect(levels.at(-1)).toBe(16);
    await advance(300);
    expect(frames.at(-1)?.key).toBe(shortFrame);
    expect(levels.at(-1)).toBe(8);
    // A brightness band from the live settings (a set-brightness command) takes effect at once.
    await sign.setBrightness([{ from: '00:00', level: 3 }]);
    expect([levels.at(-1), sign.state.brightness]).toEqual([3, 3]);
    await sign.stop();
  });
});
