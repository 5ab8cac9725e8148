import { ErrorCode, LinliError } from './errors.js';

/**
 * Enrollment token: `lnt2.<tokenId>.<secret>.<rootHash>`. The control plane stores only a hash of the secret;
 * `rootHash` is the SHA-256 (base64url) of the control plane's TUF `1.root.json`, which the device pins before
 * it talks to the server, so enrollment is not trust-on-first-use: the device accepts only a root chain that
 * starts at that exact file, signed by the offline root keys.
 */
export interface EnrollmentToken {
  tokenId: string;
  secret: string;
  rootHash: string;
}

const TOKEN_RE = /^lnt2\.(tok_[0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

export function formatToken(t: EnrollmentToken): string {
  return `lnt2.${t.tokenId}.${t.secret}.${t.rootHash}`;
}

export function parseToken(s: string): EnrollmentToken {
  const text = typeof s === 'string' ? s.trim() : '';
  const m = TOKEN_RE.exec(text);
  if (!m) {
    throw new LinliError(
      ErrorCode.TOKEN_INVALID,
      text.startsWith('lnt1.')
        ? 'enrollment token is from an older control plane (lnt1, without a TUF root anchor); ask for a new one'
        : 'enrollment token is malformed: expected lnt2.<id>.<secret>.<root hash> as printed by the control plane; copy it again',
    );
  }
  return { tokenId: m[1]!, secret: m[2]!, rootHash: m[3]! };
}
