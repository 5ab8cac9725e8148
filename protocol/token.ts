import { ErrorCode, LinliError } from './errors.js';

/**
 * Enrollment token: `lnt1.<tokenId>.<secret>.<rootKey>`. The control plane stores only a hash of the secret;
 * `rootKey` is the control plane's raw Ed25519 root public key, which the device pins, so enrollment is not
 * trust-on-first-use.
 */
export interface EnrollmentToken {
  tokenId: string;
  secret: string;
  rootKey: string;
}

const TOKEN_RE = /^lnt1\.(tok_[0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

export function formatToken(t: EnrollmentToken): string {
  return `lnt1.${t.tokenId}.${t.secret}.${t.rootKey}`;
}

export function parseToken(s: string): EnrollmentToken {
  const m = TOKEN_RE.exec(s.trim());
  if (!m) {
    throw new LinliError(
      ErrorCode.TOKEN_INVALID,
      'enrollment token is malformed: expected lnt1.<id>.<secret>.<key> as printed by the control plane; copy it again',
    );
  }
  return { tokenId: m[1]!, secret: m[2]!, rootKey: m[3]! };
}
