/**
 * Wall-clock arithmetic in an IANA timezone with nothing but Intl: what local date and time an instant is,
 * and which instant a local date and time is. DST gaps resolve forward, overlaps to the first occurrence.
 */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

function parts(ms: number, timeZone: string): LocalDateTime & { second: number } {
  const out: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) out[p.type] = p.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour),
    minute: Number(out.minute),
    second: Number(out.second),
    weekday: WEEKDAY[out.weekday ?? ''] ?? 1,
  };
}

export function localDateTime(ms: number, timeZone: string): LocalDateTime {
  const { second: _s, ...rest } = parts(ms, timeZone);
  return rest;
}

/** How far the zone's wall clock is ahead of UTC at this instant, in ms. */
export function offsetMs(ms: number, timeZone: string): number {
  const p = parts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant a local date and time happens in the zone. */
export function zonedToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = offsetMs(guess, timeZone);
  let t = guess - first;
  const second = offsetMs(t, timeZone);
  if (second !== first) {
    // Around a transition: the offset at the answer is the one that counts; in a gap this lands after it.
    const t2 = guess - second;
    t = offsetMs(t2, timeZone) === second ? Math.min(t, t2) : Math.max(t, t2);
  }
  return t;
}

/** A calendar date k days after (y, m, d), with its ISO weekday, computed in UTC so no zone interferes. */
export function addDays(year: number, month: number, day: number, k: number) {
  const d = new Date(Date.UTC(year, month - 1, day + k));
  const wd = d.getUTCDay();
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: wd === 0 ? 7 : wd,
  };
}
