import type { NoticePriority, NoticeSchedule } from '../../../protocol/schemas/notice.js';
import { addDays, localDateTime, zonedToUtc } from './zoned-time.js';

/**
 * The schedule engine: pure functions of (notices, an instant, the device's timezone). No clock, no I/O, so
 * what plays now, what plays next and what must be fetched for the next 48 h are all testable to the minute.
 */
export interface Schedulable {
  id: string;
  priority: NoticePriority;
  schedule: NoticeSchedule;
  expiresAt: string;
}

export type Interval = readonly [start: number, end: number];

export const LOOKAHEAD_MS = 48 * 3600_000;
const DAY_MS = 86_400_000;

const RANK: Record<NoticePriority, number> = { emergency: 0, important: 1, normal: 2 };

function minutes(hhmm: string): [number, number] {
  const [h, m] = hhmm.split(':').map(Number);
  return [h ?? 0, m ?? 0];
}

/** The instant the notice stops for good: its schedule end or its expiry, whichever is first. */
export function stopsAt(n: Schedulable): number {
  const expiry = Date.parse(n.expiresAt);
  const end = n.schedule.end ? Date.parse(n.schedule.end) : Number.POSITIVE_INFINITY;
  return Math.min(expiry, end);
}

function merge(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/**
 * Every stretch of time in [from, to) during which the notice plays. Windows are daily, in local time; a
 * window whose end is before its start runs past midnight and belongs to the weekday it starts on.
 */
export function playIntervals(n: Schedulable, from: number, to: number, deviceTimeZone: string): Interval[] {
  const tz = n.schedule.timezone ?? deviceTimeZone;
  const lo = Math.max(from, Date.parse(n.schedule.start));
  const hi = Math.min(to, stopsAt(n));
  if (!(hi > lo)) return [];
  const { windows, weekdays } = n.schedule;
  if (!windows && !weekdays) return [[lo, hi]];
  const allowed = (wd: number) => !weekdays || weekdays.includes(wd);
  const spans: Interval[] = [];
  const first = localDateTime(lo, tz);
  const days = Math.ceil((hi - lo) / DAY_MS) + 2;
  for (let k = -1; k <= days; k++) {
    const d = addDays(first.year, first.month, first.day, k);
    if (!allowed(d.weekday)) continue;
    const next = addDays(d.year, d.month, d.day, 1);
    if (!windows) {
      spans.push([
        zonedToUtc(d.year, d.month, d.day, 0, 0, tz),
        zonedToUtc(next.year, next.month, next.day, 0, 0, tz),
      ]);
      continue;
    }
    for (const w of windows) {
      const [fh, fm] = minutes(w.from);
      const [th, tm] = minutes(w.to);
      const crosses = th * 60 + tm <= fh * 60 + fm;
      const end = crosses ? next : d;
      spans.push([
        zonedToUtc(d.year, d.month, d.day, fh, fm, tz),
        zonedToUtc(end.year, end.month, end.day, th, tm, tz),
      ]);
    }
  }
  return merge(spans.map(([s, e]) => [Math.max(s, lo), Math.min(e, hi)] as const));
}

export function isPlayingAt(n: Schedulable, at: number, deviceTimeZone: string): boolean {
  return playIntervals(n, at, at + 1, deviceTimeZone).length > 0;
}

/** Emergency, then important, then normal; the most recently started first; ties by id (newest id first). */
export function byPriority<T extends Schedulable>(a: T, b: T): number {
  return (
    RANK[a.priority] - RANK[b.priority] ||
    Date.parse(b.schedule.start) - Date.parse(a.schedule.start) ||
    (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)
  );
}

/** What plays at `at`, in the order the screen shows it. */
export function playingAt<T extends Schedulable>(
  notices: readonly T[],
  at: number,
  deviceTimeZone: string,
): T[] {
  return notices.filter((n) => isPlayingAt(n, at, deviceTimeZone)).sort(byPriority);
}

/** What plays at any moment in the next `horizonMs` (default 48 h): the set whose media must be on the device. */
export function neededWithin<T extends Schedulable>(
  notices: readonly T[],
  at: number,
  deviceTimeZone: string,
  horizonMs = LOOKAHEAD_MS,
): T[] {
  return notices
    .filter((n) => playIntervals(n, at, at + horizonMs, deviceTimeZone).length > 0)
    .sort(byPriority);
}

/** The next instant after `at` (within the horizon) when something starts or stops: when to look again. */
export function nextChange(
  notices: readonly Schedulable[],
  at: number,
  deviceTimeZone: string,
  horizonMs = LOOKAHEAD_MS,
): number | undefined {
  let best: number | undefined;
  for (const n of notices) {
    for (const [s, e] of playIntervals(n, at, at + horizonMs, deviceTimeZone)) {
      for (const t of [s, e]) if (t > at && t < at + horizonMs && (best === undefined || t < best)) best = t;
    }
  }
  return best;
}
