// Tiny DOM helpers: every text goes through textContent (never innerHTML), so API data cannot inject markup.

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** Chinese first, English after in a lang="en" span (screen readers switch voice). */
export function bi(zh, en) {
  return en ? [zh, ' ', el('span', { lang: 'en' }, en)] : [zh];
}

export function yuan(fen) {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}¥${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

const WALL = new Map();

/** Date and time parts of an instant on the wall clock of `timeZone` (an IANA zone; never the browser's). */
function wall(ms, timeZone) {
  let f = WALL.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    WALL.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, hm: `${p.hour}:${p.minute}` };
}

/** "2026-12-08 01:30" in `timeZone`; pair it with the zone's name (zoned(), or a table header). */
export function time(iso, timeZone) {
  if (!iso) return '—';
  const w = wall(new Date(iso).getTime(), timeZone);
  return `${w.date} ${w.hm}`;
}

/** "2026-12-08 01:30 (Asia/Shanghai)": a time that stands alone names its zone. */
export function zoned(iso, timeZone) {
  return iso ? `${time(iso, timeZone)} (${timeZone})` : '—';
}

/** Today's date (YYYY-MM-DD) in `timeZone`: the node's day, which is what the API's `date` means. */
export function today(timeZone) {
  return wall(Date.now(), timeZone).date;
}

/**
 * One table column of times, each on its own node's clock. The zone goes into the header when all rows share
 * it (`fallback` for an empty table), else into every cell.
 */
export function timeColumn(header, entries, fallback) {
  const zones = new Set(entries.map((e) => e.timeZone));
  const one = zones.size === 0 ? fallback : zones.size === 1 ? [...zones][0] : undefined;
  return {
    header: one ? [header, ' ', el('span', { class: 'zone' }, `(${one})`)] : header,
    cells: entries.map((e) => (one ? time(e.iso, e.timeZone) : zoned(e.iso, e.timeZone))),
  };
}

/** A table with a caption; rows are arrays of cells (strings or nodes). */
export function table(caption, headers, rows) {
  return el(
    'table',
    {},
    el('caption', {}, caption),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headers.map((h) => el('th', { scope: 'col' }, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((r) =>
        el(
          'tr',
          {},
          r.map((c) => el('td', {}, c)),
        ),
      ),
    ),
  );
}

/** A status word with a shape, so the state is never told by colour alone. */
export function badge(kind, text) {
  // alert: something live that needs attention (an emergency on screens), not a failure.
  const marks = { ok: '●', warn: '▲', bad: '✖', info: '○', alert: '⚠\uFE0E' };
  return el('span', { class: `badge ${kind}` }, `${marks[kind] ?? '○'} ${text}`);
}
