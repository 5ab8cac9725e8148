import type { DayView, Office } from '../../../protocol/schemas/services.js';
import { localDateTime } from '../../../signage/src/schedule/zoned-time.js';

/**
 * What a bookable day's button says. The control plane counts `free` over slots still ahead, so `free: 0`
 * means two different things: every slot left is taken (`full`, 已约满), or no slot is left today because
 * office hours are over (`over`, 今日已过办理时间) — saying "full" then is untrue when nobody booked.
 */
export type DayStatus = 'closed' | 'over' | 'full' | 'free';

const minutes = (clock: string) => {
  const [h, m] = clock.split(':');
  return Number(h) * 60 + Number(m);
};

/** The wall-clock minute the day's last slot starts (the rules' windows and slot length), if it has one. */
function lastSlotStart(rules: Office['slots']): number | undefined {
  let last: number | undefined;
  for (const w of rules.windows) {
    const span = minutes(w.end) - minutes(w.start);
    if (span < rules.slotMinutes) continue;
    const start =
      minutes(w.start) + Math.floor((span - rules.slotMinutes) / rules.slotMinutes) * rules.slotMinutes;
    last = last === undefined ? start : Math.max(last, start);
  }
  return last;
}

export function dayStatus(day: DayView, office: Pick<Office, 'timezone' | 'slots'>, now: number): DayStatus {
  if (!day.open) return 'closed';
  if (day.free > 0) return 'free';
  const last = lastSlotStart(office.slots);
  if (last === undefined) return 'closed';
  const t = localDateTime(now, office.timezone);
  const today = `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
  // A slot is bookable only while it starts later than now (as the control plane counts it).
  if (day.date < today || (day.date === today && t.hour * 60 + t.minute >= last)) return 'over';
  return 'full';
}
