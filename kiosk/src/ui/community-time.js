// Times on the kiosk are the community's (GET /kiosk/api/settings → timeZone, the node's zone the lobby clock
// and the receipts use), never the machine's: a kiosk set to UTC in Shanghai would show yesterday at 01:00.

/**
 * The header clock: "12月8日星期二 01:30" / "Tuesday 8 December 01:30" in `timeZone`. Without a zone (an older
 * device, settings not answered) it is empty: no clock is better than a wrong one.
 */
export function clockText(date, lang, timeZone) {
  if (!timeZone) return '';
  const locale = lang === 'en' ? 'en-GB' : 'zh-CN';
  try {
    const hm = date.toLocaleTimeString(locale, {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
    });
    const day = date.toLocaleDateString(locale, { month: 'long', day: 'numeric', weekday: 'long', timeZone });
    return `${day} ${hm}`;
  } catch {
    // Not a zone this browser knows: say nothing rather than the machine's time.
    return '';
  }
}
