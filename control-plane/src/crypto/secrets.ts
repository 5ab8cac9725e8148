import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** Random URL-safe secret: 32 bytes is beyond guessing, so a plain SHA-256 of it is enough at rest. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Hash of a high-entropy bearer secret (session tokens, enrollment secrets), for lookup and storage. */
export function sha256B64(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Constant-time comparison of two strings (different lengths compare false without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

// scrypt N=2^15, r=8: ~32 MiB and tens of milliseconds per guess; human passwords need a slow hash.
const N = 1 << 15;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 128 * N * R * 2;

/** `scrypt$N$r$p$salt$hash`: the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64url');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const actual = await scryptAsync(password, Buffer.from(saltB64, 'base64url'), expected.length, {
    ...cost,
    maxmem: 128 * cost.N * cost.r * 2,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash that never matches, so a login for an unknown user costs as much as one for a known user. */
export const DUMMY_PASSWORD_HASH = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;

/** Admin passwords are generated, never chosen: 18 random bytes → 24 characters. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Authenticated encryption (AES-256-GCM) of secrets the control plane must use again later, such as webhook
 * signing secrets, which cannot be hashed because they sign. The key is derived (HKDF-SHA256, one purpose
 * label per kind of secret) from key material every instance already shares, the keyset key in
 * `<data>/keys/root.pem`, so no new key file has to be copied between instances or into backups. `aad` binds
 * a sealed value to its row (the id), so a ciphertext copied to another row does not open.
 */
export class SecretBox {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  static derive(keyMaterial: Buffer, purpose: string): SecretBox {
    return new SecretBox(
      Buffer.from(hkdfSync('sha256', keyMaterial, 'linli.secret-box/v1', purpose, 32) as ArrayBuffer),
    );
  }

  /** `v1.<iv>.<ciphertext>.<tag>`, base64url parts. */
  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return ['v1', iv, ct, c.getAuthTag()]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** Throws when the value was sealed with another key (another instance's keys/) or for another row. */
  open(sealed: string, aad: string): string {
    const [v, iv, ct, tag, extra] = sealed.split('.');
    if (v !== 'v1' || !iv || ct === undefined || !tag || extra !== undefined) {
      throw new Error('not a sealed secret (expected v1.<iv>.<ciphertext>.<tag>)');
    }
    const d = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
  }
}
