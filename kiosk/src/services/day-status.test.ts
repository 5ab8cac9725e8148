import { describe, expect, it } from 'vitest';
import type { DayView, Office } from '../../../protocol/schemas/services.js';
import { dayStatus } from './day-status.js';

const office: Pick<Office, 'timezone' | 'slots'> = {
  timezone: 'Asia/Shanghai',
  slots: {
    weekdays: [1, 2, 3, 4, 5, 6, 7],
    windows: [
      { start: '14:00', end: '17:00' },
      { start: '09:00', end: '11:30' },
    ],
    slotMinutes: 30,
    capacityPerSlot: 3,
    daysAhead: 7,
    closedDates: [],
  },
};
const day = (date: string, free: number, open = true): DayView => ({ date, weekday: 1, open, free });
/** Shanghai wall clock on 2026-12-07 (UTC+8, no DST). */
const at = (hhmm: string) => Date.parse(`2026-12-07T${hhmm}:00+08:00`);

describe('what a day of the booking calendar says', () => {
  it('today after the last slot has started, with no bookings: office hours are over, not "full"', () => {
    expect(dayStatus(day('2026-12-07', 0), office, at('18:00'))).toBe('over');
    // The last slot starts 16:30: from then on it cannot be booked (the control plane counts start > now).
    expect(dayStatus(day('2026-12-07', 0), office, at('16:30'))).toBe('over');
  });

  it('today before the last slot, every slot left taken: full', () => {
    expect(dayStatus(day('2026-12-07', 0), office, at('16:29'))).toBe('full');
    expect(dayStatus(day('2026-12-08', 0), office, at('18:00'))).toBe('full');
  });

  it('free and closed days', () => {
    expect(dayStatus(day('2026-12-07', 4), office, at('16:00'))).toBe('free');
    expect(dayStatus(day('2026-12-09', 0, false), office, at('10:00'))).toBe('closed');
  });

  it("reads 'today' in the office's zone, not the machine's (17:30 UTC is already tomorrow in Shanghai)", () => {
    const now = Date.parse('2026-12-07T17:30:00Z');
    expect(dayStatus(day('2026-12-07', 0), office, now)).toBe('over');
    expect(dayStatus(day('2026-12-08', 0), office, now)).toBe('full');
  });
});
