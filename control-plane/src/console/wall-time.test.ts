import { describe, expect, it } from 'vitest';

interface WallTime {
  wallToIso(value: string, timeZone: string): string | undefined;
}
// The console's own browser module (plain JS, no types): Node has the same Intl.
const path = './ui/wall-time.js';
const { wallToIso } = (await import(path)) as WallTime;

describe('console wall-clock times', () => {
  it('reads a typed time on the community’s clock, not the browser’s', () => {
    expect(wallToIso('2026-12-15T18:00', 'Asia/Shanghai')).toBe('2026-12-15T10:00:00.000Z');
    expect(wallToIso('2026-12-15T18:00', 'UTC')).toBe('2026-12-15T18:00:00.000Z');
    expect(wallToIso('2026-12-15T01:30', 'Asia/Urumqi')).toBe('2026-12-14T19:30:00.000Z');
  });

  it('follows a zone’s offset change (Europe/Berlin, summer and winter)', () => {
    expect(wallToIso('2026-07-01T12:00', 'Europe/Berlin')).toBe('2026-07-01T10:00:00.000Z');
    expect(wallToIso('2026-01-01T12:00', 'Europe/Berlin')).toBe('2026-01-01T11:00:00.000Z');
    // The morning after the spring change.
    expect(wallToIso('2026-03-29T09:00', 'Europe/Berlin')).toBe('2026-03-29T07:00:00.000Z');
  });

  it('refuses what a datetime-local input never gives', () => {
    expect(wallToIso('', 'Asia/Shanghai')).toBeUndefined();
    expect(wallToIso('2026-12-08 09:05', 'Asia/Shanghai')).toBeUndefined();
  });
});
