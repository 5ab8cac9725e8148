/**
 * Which live emergency a screen shows when several are live at once: the one rule every role (lobby page,
 * LED sign, kiosk takeover) applies, so two screens side by side never disagree.
 *
 * The protocol carries no severity, so the newest wins: the highest `seq`. The control plane raises `seq`
 * with every issue, and a renewal is an issue, so "newest" means the alert most recently put up or renewed:
 * an admin who renews one is saying it matters now. Two alerts never share a seq from one control plane;
 * should they, the notice id decides, so the choice is still the same on every device.
 */
export interface RankedEmergency {
  noticeId: string;
  seq: number;
}

/** Sort comparator: negative when `a` takes precedence over `b`. */
export function emergencyPrecedence(a: RankedEmergency, b: RankedEmergency): number {
  if (a.seq !== b.seq) return b.seq - a.seq;
  return a.noticeId < b.noticeId ? -1 : a.noticeId > b.noticeId ? 1 : 0;
}

/** The emergencies in precedence order (a new array); the first is the one that shows. */
export function byEmergencyPrecedence<T extends RankedEmergency>(list: readonly T[]): T[] {
  return [...list].sort(emergencyPrecedence);
}

/** The emergency that shows now, or undefined when none is live. */
export function winningEmergency<T extends RankedEmergency>(list: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const e of list) if (!best || emergencyPrecedence(e, best) < 0) best = e;
  return best;
}
