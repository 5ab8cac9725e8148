// How the booking screens write a day and a time. Pure (no DOM), so the words are unit-tested.
import { t, weekday } from './i18n.js';
import { state } from './state.js';

/** ISO weekday (1 = Monday … 7 = Sunday) of a YYYY-MM-DD date: the calendar date itself, no zone involved. */
export function isoWeekday(date) {
  const [y, m, d] = date.split('-').map(Number);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return wd === 0 ? 7 : wd;
}

/** "12月13日 周日" / "Sun 13/12"; `d.weekday` is ISO (7 = Sunday), as the control plane sends it. */
export function dayLabel(d) {
  const [, mo, da] = d.date.split('-').map(Number);
  const w = weekday(d.weekday ?? isoWeekday(d.date));
  return state.lang === 'en' ? `${w} ${da}/${mo}` : `${mo}月${da}日 周${w}`;
}

/** The note under a day: its `status` from the kiosk (closed / over / full / free). */
export function dayNote(d) {
  const status = d.status ?? (!d.open ? 'closed' : d.free > 0 ? 'free' : 'full');
  if (status === 'closed') return t('closed');
  if (status === 'over') return t('pastHours');
  if (status === 'full') return t('full');
  return `${t('freeN')} ${d.free}`;
}

/** A slot's time of day: its label is "2026-12-08 09:00–09:30"; the date is written once, by dayLabel. */
export function slotTime(slot, date) {
  const label = String(slot.label ?? '');
  return label.startsWith(`${date} `) ? label.slice(date.length + 1) : label;
}

/** "12月8日 周二 09:00–09:30": the confirm screen's time, the date once. */
export function slotWhen(slot, date) {
  return `${dayLabel({ date })} ${slotTime(slot, date)}`;
}
