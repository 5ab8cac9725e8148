import { ErrorCode, LinliError } from '../../../protocol/errors.js';

/** Milliseconds to add to a UTC instant to get the wall-clock time in `timeZone` at that instant. */
export function offsetAt(utcMs: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(utcMs))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    +parts.year!,
    +parts.month! - 1,
    +parts.day!,
    +parts.hour!,
    +parts.minute!,
    +parts.second!,
  );
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** Local midnight of `date` in `timeZone` as epoch ms (DST-safe: re-checks the offset at the result). */
function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  let at = guess - offsetAt(guess, timeZone);
  at = guess - offsetAt(at, timeZone);
  return at;
}

/** [from, to) of a calendar day (YYYY-MM-DD) in a time zone. */
export function dayRange(date: string, timeZone: string): { from: number; to: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const y = Number(m?.[1]);
  const mo = Number(m?.[2]);
  const d = Number(m?.[3]);
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (!m || check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new LinliError(ErrorCode.REPORT_RANGE, `"${date}" is not a calendar day; use YYYY-MM-DD`, {
      field: 'date',
    });
  }
  const next = new Date(Date.UTC(y, mo - 1, d + 1));
  return {
    from: localMidnight(y, mo, d, timeZone),
    to: localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
  };
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
}
