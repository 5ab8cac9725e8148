import { describe, expect, it } from 'vitest';
import type { NoticePriority, NoticeSchedule } from '../../../protocol/schemas/notice.js';
import {
  byPriority,
  isPlayingAt,
  LOOKAHEAD_MS,
  neededWithin,
  nextChange,
  playIntervals,
  playingAt,
  type Schedulable,
} from './schedule.js';
import { localDateTime, offsetMs, zonedToUtc } from './zoned-time.js';

const SH = 'Asia/Shanghai';
const at = (iso: string) => Date.parse(iso);
let seq = 0;
function notice(schedule: Partial<NoticeSchedule>, extra: Partial<Schedulable> = {}): Schedulable {
  seq++;
  return {
    id: `ntc_01JDQ0000000000000000000${String(seq).padStart(2, '0')}`,
    priority: 'normal',
    schedule: { start: '2026-03-01T00:00:00Z', ...schedule },
    expiresAt: '2026-12-31T00:00:00Z',
    ...extra,
  };
}

describe('zoned time', () => {
  it('maps instants to local wall time and back, DST-free and with DST', () => {
    expect(localDateTime(at('2026-03-02T01:00:00Z'), SH)).toMatchObject({ hour: 9, minute: 0, weekday: 1 });
    expect(zonedToUtc(2026, 3, 2, 9, 0, SH)).toBe(at('2026-03-02T01:00:00Z'));
    // China has no DST: the offset is +8 h on every day of the year.
    for (let d = 0; d < 365; d += 7) {
      expect(offsetMs(at('2026-01-01T00:00:00Z') + d * 86_400_000, SH)).toBe(8 * 3600_000);
    }
    const ny = 'America/New_York';
    expect(zonedToUtc(2026, 3, 6, 9, 0, ny)).toBe(at('2026-03-06T14:00:00Z'));
    expect(zonedToUtc(2026, 3, 9, 9, 0, ny)).toBe(at('2026-03-09T13:00:00Z'));
    // 02:30 does not exist on 8 March 2026 in New York; it resolves to a real instant after the gap.
    const gap = zonedToUtc(2026, 3, 8, 2, 30, ny);
    expect(localDateTime(gap, ny).hour).toBe(3);
  });
});

describe('schedule engine', () => {
  it('plays from start to expiry without windows, and stops at the schedule end when it comes first', () => {
    const n = notice({ start: '2026-03-01T08:00:00Z', end: '2026-03-05T00:00:00Z' });
    expect(isPlayingAt(n, at('2026-03-01T07:59:59Z'), SH)).toBe(false);
    expect(isPlayingAt(n, at('2026-03-01T08:00:00Z'), SH)).toBe(true);
    expect(isPlayingAt(n, at('2026-03-04T23:59:59Z'), SH)).toBe(true);
    expect(isPlayingAt(n, at('2026-03-05T00:00:00Z'), SH)).toBe(false);
    const expiring = notice({}, { expiresAt: '2026-03-02T00:00:00Z' });
    expect(isPlayingAt(expiring, at('2026-03-01T23:00:00Z'), SH)).toBe(true);
    expect(isPlayingAt(expiring, at('2026-03-02T00:00:00Z'), SH)).toBe(false);
  });

  it('dayparting: plays only inside its daily windows, in the community timezone', () => {
    const n = notice({
      windows: [
        { from: '08:00', to: '12:00' },
        { from: '17:30', to: '20:00' },
      ],
    });
    expect(isPlayingAt(n, at('2026-03-02T00:00:00Z'), SH)).toBe(true); // 08:00 local
    expect(isPlayingAt(n, at('2026-03-02T03:59:00Z'), SH)).toBe(true); // 11:59
    expect(isPlayingAt(n, at('2026-03-02T04:00:00Z'), SH)).toBe(false); // 12:00
    expect(isPlayingAt(n, at('2026-03-02T09:29:00Z'), SH)).toBe(false); // 17:29
    expect(isPlayingAt(n, at('2026-03-02T09:30:00Z'), SH)).toBe(true); // 17:30
    const day = playIntervals(
      n,
      at('2026-03-02T00:00:00Z') - 8 * 3600_000,
      at('2026-03-03T00:00:00Z') - 8 * 3600_000,
      SH,
    );
    expect(day.map(([s, e]) => [new Date(s).toISOString(), new Date(e).toISOString()])).toEqual([
      ['2026-03-02T00:00:00.000Z', '2026-03-02T04:00:00.000Z'],
      ['2026-03-02T09:30:00.000Z', '2026-03-02T12:00:00.000Z'],
    ]);
  });

  it('a window that crosses midnight plays late evening and early morning, and belongs to the day it starts', () => {
    const night = notice({ windows: [{ from: '22:00', to: '06:00' }] });
    expect(isPlayingAt(night, at('2026-03-02T15:30:00Z'), SH)).toBe(true); // 23:30
    expect(isPlayingAt(night, at('2026-03-02T21:59:00Z'), SH)).toBe(true); // 05:59 next day
    expect(isPlayingAt(night, at('2026-03-02T22:00:00Z'), SH)).toBe(false); // 06:00
    expect(isPlayingAt(night, at('2026-03-02T13:59:00Z'), SH)).toBe(false); // 21:59
    // Fridays only: Friday 23:00 and Saturday 02:00 play; Saturday 23:00 and Friday 02:00 (Thursday's night) do not.
    const friday = notice({ windows: [{ from: '22:00', to: '06:00' }], weekdays: [5] });
    expect(isPlayingAt(friday, at('2026-03-06T15:00:00Z'), SH)).toBe(true); // Fri 23:00
    expect(isPlayingAt(friday, at('2026-03-06T18:00:00Z'), SH)).toBe(true); // Sat 02:00
    expect(isPlayingAt(friday, at('2026-03-07T15:00:00Z'), SH)).toBe(false); // Sat 23:00
    expect(isPlayingAt(friday, at('2026-03-05T18:00:00Z'), SH)).toBe(false); // Fri 02:00
  });

  it('weekdays without windows play the whole local day', () => {
    const weekend = notice({ weekdays: [6, 7] });
    expect(isPlayingAt(weekend, at('2026-03-06T16:00:00Z'), SH)).toBe(true); // Sat 00:00 local
    expect(isPlayingAt(weekend, at('2026-03-06T15:59:00Z'), SH)).toBe(false); // Fri 23:59 local
    expect(isPlayingAt(weekend, at('2026-03-08T15:59:00Z'), SH)).toBe(true); // Sun 23:59 local
    expect(isPlayingAt(weekend, at('2026-03-08T16:00:00Z'), SH)).toBe(false); // Mon 00:00 local
  });

  it('reads windows in the timezone of the device community, unless the schedule pins one', () => {
    const morning = notice({ windows: [{ from: '08:00', to: '09:00' }] });
    const t = at('2026-03-02T00:30:00Z'); // 08:30 in Shanghai, 06:30 in Urumqi
    expect(isPlayingAt(morning, t, SH)).toBe(true);
    expect(isPlayingAt(morning, t, 'Asia/Urumqi')).toBe(false);
    expect(isPlayingAt(morning, at('2026-03-02T02:30:00Z'), 'Asia/Urumqi')).toBe(true);
    const pinned = notice({ windows: [{ from: '08:00', to: '09:00' }], timezone: SH });
    expect(isPlayingAt(pinned, t, 'Asia/Urumqi')).toBe(true);
  });

  it('follows local time across a DST change', () => {
    const ny = 'America/New_York';
    const n = notice({ windows: [{ from: '09:00', to: '10:00' }] });
    expect(isPlayingAt(n, at('2026-03-06T14:30:00Z'), ny)).toBe(true); // EST
    expect(isPlayingAt(n, at('2026-03-09T13:30:00Z'), ny)).toBe(true); // EDT
    expect(isPlayingAt(n, at('2026-03-09T14:30:00Z'), ny)).toBe(false);
    // A window inside the missing hour moves forward by the hour, as calendars do: 03:00–03:30 EDT.
    const gap = notice({ windows: [{ from: '02:00', to: '02:30' }] });
    expect(playIntervals(gap, at('2026-03-08T05:00:00Z'), at('2026-03-08T09:00:00Z'), ny)).toEqual([
      [at('2026-03-08T07:00:00Z'), at('2026-03-08T07:30:00Z')],
    ]);
  });

  it('orders emergency, important, normal, the most recently started first', () => {
    const a = notice({ start: '2026-03-01T00:00:00Z' });
    const b = notice({ start: '2026-03-02T00:00:00Z' });
    const c = notice({ start: '2026-02-01T00:00:00Z' }, { priority: 'important' as NoticePriority });
    const d = notice({ start: '2026-01-01T00:00:00Z' }, { priority: 'emergency' as NoticePriority });
    const e = notice(
      { windows: [{ from: '01:00', to: '02:00' }] },
      { priority: 'emergency' as NoticePriority },
    );
    expect(playingAt([a, b, c, d, e], at('2026-03-03T04:00:00Z'), SH).map((n) => n.id)).toEqual(
      [d, c, b, a].map((n) => n.id),
    );
    expect([a, b].sort(byPriority)[0]).toBe(b);
  });

  it('lists what plays within the next 48 h (media to prefetch) and when the next change is', () => {
    const now = at('2026-03-02T00:00:00Z');
    const soon = notice({ start: new Date(now + 47 * 3600_000).toISOString() });
    const later = notice({ start: new Date(now + 49 * 3600_000).toISOString() });
    const expired = notice({}, { expiresAt: '2026-03-01T12:00:00Z' });
    const sundayOnly = notice({ weekdays: [7] }); // 2026-03-02 is a Monday: next Sunday is 6 days away
    const tomorrowMorning = notice({ weekdays: [2], windows: [{ from: '07:00', to: '08:00' }] });
    const needed = neededWithin([soon, later, expired, sundayOnly, tomorrowMorning], now, SH);
    expect(needed.map((n) => n.id).sort()).toEqual([soon.id, tomorrowMorning.id].sort());
    expect(LOOKAHEAD_MS).toBe(48 * 3600_000);
    expect(nextChange([tomorrowMorning, soon], now, SH)).toBe(at('2026-03-02T23:00:00Z'));
    expect(nextChange([], now, SH)).toBeUndefined();
  });
});
