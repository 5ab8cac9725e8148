import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { ErrorCode, isLinliError } from './errors.js';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], é: 2, Z: 3 })).toBe(
      '{"Z":3,"a":[true,null,"x"],"b":1,"é":2}',
    );
  });

  it('sorts nested objects and keeps array order', () => {
    expect(canonicalJson({ z: { y: 1, x: 2 }, list: [{ b: 1, a: 2 }] })).toBe(
      '{"list":[{"a":2,"b":1}],"z":{"x":2,"y":1}}',
    );
  });

  it('escapes strings as JSON does and keeps Chinese as UTF-8', () => {
    expect(canonicalJson({ t: '停水通知\n"' })).toBe('{"t":"停水通知\\n\\""}');
  });

  it.each([
    [{ amount: 1.5 }, '$.amount'],
    [{ a: [1, Number.NaN] }, '$.a[1]'],
    [{ big: 2 ** 53 }, '$.big'],
    [{ u: undefined }, '$.u'],
    [{ d: new Date(0) }, '$.d'],
  ])('refuses %o with a coded error naming %s', (value, path) => {
    try {
      canonicalJson(value);
      expect.unreachable();
    } catch (err) {
      expect(isLinliError(err, ErrorCode.CANONICAL_JSON)).toBe(true);
      expect((err as { details: { path: string } }).details.path).toBe(path);
    }
  });
});
