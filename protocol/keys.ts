import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { ErrorCode, LinliError } from './errors.js';

/** What a key may sign. Each signed payload type names the one use allowed to sign it (see envelope.ts). */
/** `fleet` signs target states and remote commands (issue 12). */
export type KeyUse = 'root' | 'content' | 'transaction' | 'emergency' | 'fleet';
export const KEY_USES: readonly KeyUse[] = ['root', 'content', 'transaction', 'emergency', 'fleet'];

export interface SigningKey {
  readonly kid: string;
  readonly use: KeyUse;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface VerifyKey {
  readonly kid: string;
  readonly uses: readonly KeyUse[];
  readonly publicKey: KeyObject;
}

export function b64url(buf: Uint8Array): string {
  return Buffer.from(buf).toString('base64url');
}

export function fromB64url(s: string): Buffer {
  return Buffer.from(s, 'base64url');
}

/** The raw 32-byte Ed25519 public key, base64url (the JWK `x`). */
export function publicKeyToRaw(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new LinliError(ErrorCode.KEY_INVALID, 'key is not an Ed25519 key; Linli signs only with Ed25519');
  }
  return jwk.x;
}

export function publicKeyFromRaw(raw: string): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(raw)) {
    throw new LinliError(
      ErrorCode.KEY_INVALID,
      'public key must be 32 bytes of base64url (43 characters); copy it again without spaces or padding',
    );
  }
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
  } catch (cause) {
    throw new LinliError(ErrorCode.KEY_INVALID, 'public key is not a valid Ed25519 point', undefined, {
      cause,
    });
  }
}

/** Key id: a short, stable fingerprint of the public key. */
export function keyId(publicKey: KeyObject): string {
  const raw = fromB64url(publicKeyToRaw(publicKey));
  return `k_${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}`;
}

export function generateSigningKey(use: KeyUse): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid: keyId(publicKey), use, privateKey, publicKey };
}

export function exportPrivateKeyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function signingKeyFromPem(pem: string, use: KeyUse): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (cause) {
    throw new LinliError(ErrorCode.KEY_INVALID, `the ${use} key file is not a PEM private key`, undefined, {
      cause,
    });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new LinliError(
      ErrorCode.KEY_INVALID,
      `the ${use} key is ${privateKey.asymmetricKeyType}, not Ed25519`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  return { kid: keyId(publicKey), use, privateKey, publicKey };
}

export function verifyKeyOf(key: SigningKey): VerifyKey {
  return { kid: key.kid, uses: [key.use], publicKey: key.publicKey };
}
