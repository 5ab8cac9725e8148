import type { Matter } from '../../../protocol/schemas/services.js';

/**
 * Search over the catalogue as a resident types it on the kiosk: Chinese characters (substring of the name),
 * pinyin initials (老年人优待证办理 → LNRYDZBL; `lnr` finds it), or English words. A lower rank is a better
 * match; matters that do not match are left out. Ties keep the catalogue's order.
 */
export function rankMatter(m: Pick<Matter, 'name' | 'initials'>, query: string): number | undefined {
  const q = query.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!q) return 0;
  const zh = m.name.zh;
  const en = (m.name.en ?? '').toLowerCase();
  const initials = m.initials.toLowerCase();
  const compact = q.replace(/ /g, '');
  let best: number | undefined;
  const take = (r: number) => {
    best = best === undefined ? r : Math.min(best, r);
  };

  if (/\p{Script=Han}/u.test(q)) {
    if (zh === compact) take(0);
    else if (zh.startsWith(compact)) take(1);
    else if (zh.includes(compact)) take(3);
  }
  if (/^[a-z0-9]+$/.test(compact)) {
    if (initials === compact) take(0);
    else if (initials.startsWith(compact)) take(1);
    else if (initials.includes(compact)) take(4);
  }
  if (/[a-z]/.test(q) && en) {
    const words = en.split(/[^a-z0-9]+/).filter(Boolean);
    const wanted = q.split(/[^a-z0-9]+/).filter(Boolean);
    if (en === q) take(0);
    else if (en.startsWith(q)) take(2);
    // Every typed word is the start of some word of the name ("senior card" finds "Senior citizen card").
    else if (wanted.length > 0 && wanted.every((w) => words.some((x) => x.startsWith(w)))) {
      take(wanted.every((w) => words.includes(w)) ? 3 : 5);
    } else if (en.includes(q)) take(6);
  }
  return best;
}

/** The matters that match `query`, best first (stable within a rank). */
export function searchMatters<T extends Pick<Matter, 'name' | 'initials'>>(
  matters: readonly T[],
  query: string,
): T[] {
  return matters
    .map((m, i) => ({ m, i, r: rankMatter(m, query) }))
    .filter((x): x is { m: T; i: number; r: number } => x.r !== undefined)
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.m);
}
