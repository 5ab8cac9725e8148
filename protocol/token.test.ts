import { describe, expect, it } from 'vitest';
import { ErrorCode, isLinliError } from './errors.js';
import { newId } from './ids.js';
import { formatToken, parseToken } from './token.js';

describe('enrollment token format', () => {
  const t = { tokenId: newId('tok'), secret: 'A'.repeat(43), rootHash: 'b'.repeat(43) };

  it('round-trips', () => {
    expect(parseToken(formatToken(t))).toEqual(t);
    expect(parseToken(`  ${formatToken(t)}\n`)).toEqual(t);
  });

  it.each([
    '',
    'lnt1',
    `lnt1.${t.tokenId}.${t.secret}.${t.rootHash}`,
    `lnt2.${t.tokenId}.${t.secret}`,
    'x'.repeat(300),
  ])('refuses %j with LINLI_ERR_TOKEN_INVALID', (s) => {
    try {
      parseToken(s);
      expect.unreachable();
    } catch (err) {
      expect(isLinliError(err, ErrorCode.TOKEN_INVALID)).toBe(true);
    }
  });
});

describe('ids', () => {
  it('are prefixed, unique and sort by time', () => {
    const a = newId('pay', 1_700_000_000_000);
    const b = newId('pay', 1_700_000_000_001);
    expect(a).toMatch(/^pay_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newId('x'))).size).toBe(1000);
  });
});
