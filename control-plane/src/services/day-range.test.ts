import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { dayRange, localDate } from './day-range.js';

describe('day ranges in a community time zone', () => {
  it('gives the local midnight-to-midnight window', () => {
    const { from, to } = dayRange('2026-11-27', 'Asia/Shanghai');
    expect(new Date(from).toISOString()).toBe('2026-11-26T16:00:00.000Z');
    expect(to - from).toBe(86_400_000);
    expect(localDate(from, 'Asia/Shanghai')).toBe('2026-11-27');
    expect(localDate(to - 1, 'Asia/Shanghai')).toBe('2026-11-27');
  });

  it('handles a DST day and refuses impossible dates with a code', () => {
    const { from, to } = dayRange('2026-03-08', 'America/New_York');
    expect(to - from).toBe(23 * 3_600_000);
    expect(() => dayRange('2026-02-30', 'Asia/Shanghai')).toThrow(
      expect.objectContaining({ code: ErrorCode.REPORT_RANGE }),
    );
  });
});
