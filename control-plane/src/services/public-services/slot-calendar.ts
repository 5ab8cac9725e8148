import type { SlotRules } from '../../../../protocol/schemas/services.js';
import { offsetAt } from '../day-range.js';

/** A bookable slot of an office: UTC instants and how it reads on the office's wall clock. */
export interface Slot {
  start: number;
  end: number;
  /** "2026-11-30 09:00–09:30" in the office's timezone. */
  label: string;
}

export interface CalendarDay {
  date: string;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  open: boolean;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses YYYY-MM-DD, refusing dates that do not exist (2026-02-30). */
export function parseDate(date: string): { y: number; m: number; d: number } | undefined {
  const m = DATE.exec(date);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    return undefined;
  }
  return { y, m: mo, d };
}

export function minutesOf(clock: string): number {
  const [h, mi] = clock.split(':');
  return Number(h) * 60 + Number(mi);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const clockOf = (minutes: number) => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;

/** The date (YYYY-MM-DD) of a UTC instant on the wall clock of `timeZone`. */
export function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const p = parseDate(date)!;
  const t = new Date(Date.UTC(p.y, p.m - 1, p.d + days));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

export function isoWeekday(date: string): number {
  const p = parseDate(date)!;
  const wd = new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay();
  return wd === 0 ? 7 : wd;
}

/** The UTC instant of a wall-clock minute of `date` in `timeZone` (re-checks the offset for DST). */
export function zonedInstant(date: string, minutes: number, timeZone: string): number {
  const p = parseDate(date)!;
  const wall = Date.UTC(p.y, p.m - 1, p.d, 0, minutes);
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}

export function dayOf(date: string, rules: SlotRules): CalendarDay {
  const weekday = isoWeekday(date);
  return { date, weekday, open: rules.weekdays.includes(weekday) && !rules.closedDates.includes(date) };
}

/** The days residents may book: today (in the office's timezone) and the following daysAhead − 1 days. */
export function bookableDays(now: number, rules: SlotRules, timeZone: string): CalendarDay[] {
  const today = localDate(now, timeZone);
  return Array.from({ length: rules.daysAhead }, (_, i) => dayOf(addDays(today, i), rules));
}

/** Every slot of a day by the rules (past ones included; callers drop them), in time order. */
export function slotsOf(date: string, rules: SlotRules, timeZone: string): Slot[] {
  if (!dayOf(date, rules).open) return [];
  const windows = [...rules.windows].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
  const out: Slot[] = [];
  for (const w of windows) {
    const end = minutesOf(w.end);
    for (let m = minutesOf(w.start); m + rules.slotMinutes <= end; m += rules.slotMinutes) {
      out.push({
        start: zonedInstant(date, m, timeZone),
        end: zonedInstant(date, m + rules.slotMinutes, timeZone),
        label: `${date} ${clockOf(m)}–${clockOf(m + rules.slotMinutes)}`,
      });
    }
  }
  return out;
}
