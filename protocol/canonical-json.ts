import canonicalizeModule from 'canonicalize';
import { ErrorCode, LinliError } from './errors.js';

// canonicalize@2 is CommonJS (`module.exports = fn`) but its typings declare a default export.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/**
 * RFC 8785 (JCS) canonical JSON, restricted to what Linli signs: objects, arrays, strings, booleans, null and
 * safe integers. Floats are refused because two implementations may print them differently; money is in
 * integer fen.
 */
export function canonicalJson(value: unknown): string {
  assertSignable(value, '$');
  const out = canonicalize(value);
  if (out === undefined) {
    throw new LinliError(ErrorCode.CANONICAL_JSON, 'value cannot be serialised as canonical JSON', {
      path: '$',
    });
  }
  return out;
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

function assertSignable(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new LinliError(
        ErrorCode.CANONICAL_JSON,
        `${path} is ${value}: signed payloads carry only safe integers (use integer fen, milliseconds or a string)`,
        { path },
      );
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      assertSignable(v, `${path}[${i}]`);
    });
    return;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new LinliError(
        ErrorCode.CANONICAL_JSON,
        `${path} is not a plain object; convert it to JSON first`,
        {
          path,
        },
      );
    }
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) {
        throw new LinliError(ErrorCode.CANONICAL_JSON, `${path}.${k} is undefined; omit the key instead`, {
          path: `${path}.${k}`,
        });
      }
      assertSignable(v, `${path}.${k}`);
    }
    return;
  }
  throw new LinliError(
    ErrorCode.CANONICAL_JSON,
    `${path} has type ${typeof value}, which JSON cannot carry`,
    { path },
  );
}
