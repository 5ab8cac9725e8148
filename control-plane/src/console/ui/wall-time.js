// Wall-clock times typed in a community's zone (Asia/Shanghai, …) to instants and back, never on the browser's clock.

const PARTS = new Map();

function parts(ms, timeZone) {
  let f = PARTS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    PARTS.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
}

/** The zone's offset from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
function offsetAt(ms, timeZone) {
  const p = parts(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - (ms - (ms % 1000));
}

/**
 * "2026-12-08T09:00" (an <input type=datetime-local>) read on the clock of `timeZone` → ISO instant, or
 * undefined for an empty or malformed value. Twice round for zones whose offset changes near that time.
 */
export function wallToIso(value, timeZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value ?? '');
  if (!m) return undefined;
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let t = guess - offsetAt(guess, timeZone);
  t = guess - offsetAt(t, timeZone);
  return new Date(t).toISOString();
}

/** An instant as the value of an <input type=datetime-local> on the clock of `timeZone` (to edit it). */
export function isoToWall(iso, timeZone) {
  const p = parts(new Date(iso).getTime(), timeZone);
  const two = (n) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}
