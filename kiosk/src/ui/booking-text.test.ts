/**
 * The booking screens' words (kiosk/src/ui/booking-text.js, plain browser JS with no DOM at import): every
 * weekday, the after-hours note, and a slot's date written once.
 */
import { beforeEach, describe, expect, it } from 'vitest';

type Day = { date: string; weekday?: number; open?: boolean; free?: number; status?: string };
interface BookingText {
  isoWeekday(date: string): number;
  dayLabel(d: Day): string;
  dayNote(d: Day): string;
  slotTime(slot: { label: string }, date: string): string;
  slotWhen(slot: { label: string }, date: string): string;
}
// Loaded at run time: the UI modules are JavaScript, outside the TypeScript project.
const ui = (name: string) => new URL(`./${name}`, import.meta.url).href;
const text = (await import(ui('booking-text.js'))) as BookingText;
const { state } = (await import(ui('state.js'))) as { state: { lang: string } };

beforeEach(() => {
  state.lang = 'zh';
});

describe('booking words', () => {
  it('names every weekday, Sunday included (ISO 7), in both languages', () => {
    // 2026-12-07 is a Monday; the week runs to Sunday 13 December.
    const week = Array.from({ length: 7 }, (_, i) => `2026-12-${String(7 + i).padStart(2, '0')}`);
    expect(week.map((date) => text.isoWeekday(date))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(week.map((date, i) => text.dayLabel({ date, weekday: i + 1 }))).toEqual([
      '12月7日 周一',
      '12月8日 周二',
      '12月9日 周三',
      '12月10日 周四',
      '12月11日 周五',
      '12月12日 周六',
      '12月13日 周日',
    ]);
    state.lang = 'en';
    expect(week.map((date, i) => text.dayLabel({ date, weekday: i + 1 }))).toEqual([
      'Mon 7/12',
      'Tue 8/12',
      'Wed 9/12',
      'Thu 10/12',
      'Fri 11/12',
      'Sat 12/12',
      'Sun 13/12',
    ]);
  });

  it('after hours today says so, not "full"', () => {
    expect(text.dayNote({ date: '2026-12-07', open: true, free: 0, status: 'over' })).toBe(
      '今日已过办理时间',
    );
    expect(text.dayNote({ date: '2026-12-08', open: true, free: 0, status: 'full' })).toBe('已约满');
    expect(text.dayNote({ date: '2026-12-08', open: true, free: 5, status: 'free' })).toBe('剩余 5');
    expect(text.dayNote({ date: '2026-12-08', open: false, free: 0, status: 'closed' })).toBe('休息');
    state.lang = 'en';
    expect(text.dayNote({ date: '2026-12-07', open: true, free: 0, status: 'over' })).toBe(
      'Office hours are over today',
    );
  });

  it('writes a slot’s date once', () => {
    const slot = { label: '2026-12-08 09:00–09:30' };
    expect(text.slotTime(slot, '2026-12-08')).toBe('09:00–09:30');
    expect(text.slotWhen(slot, '2026-12-08')).toBe('12月8日 周二 09:00–09:30');
    // A label in another form is kept whole rather than cut.
    expect(text.slotTime({ label: '09:00–09:30' }, '2026-12-08')).toBe('09:00–09:30');
  });
});
