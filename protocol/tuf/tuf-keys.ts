import { createHash, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { Key, Signature } from '@tufjs/models';
import { canonicalBytes } from '../canonical-json.js';
import { ErrorCode, LinliError } from '../errors.js';

/** The raw 32-byte Ed25519 public key, hex, as TUF writes ed25519 keys (`keyval.public`). */
export function ed25519Hex(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new LinliError(ErrorCode.KEY_INVALID, 'TUF keys must be Ed25519');
  }
  return Buffer.from(jwk.x, 'base64url').toString('hex');
}

export function publicKeyFromHex(hex: string): KeyObject {
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new LinliError(ErrorCode.KEY_INVALID, 'a TUF ed25519 public key is 64 hex characters');
  }
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') },
    format: 'jwk',
  });
}

function keyJson(publicKey: KeyObject) {
  return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: ed25519Hex(publicKey) } };
}

/**
 * The TUF key id: SHA-256 of the canonical JSON of the key. For this all-string object RFC 8785 and OLPC
 * canonical JSON give the same bytes.
 */
export function tufKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(canonicalBytes(keyJson(publicKey)))
    .digest('hex');
}

export function tufKey(publicKey: KeyObject): Key {
  const j = keyJson(publicKey);
  return new Key({ keyID: tufKeyId(publicKey), keyType: j.keytype, scheme: j.scheme, keyVal: j.keyval });
}

/** A signing key for TUF metadata: the private key and the key id it signs as. */
export interface TufSigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function tufSigningKey(privateKey: KeyObject): TufSigningKey {
  const publicKey = createPublicKey(privateKey);
  return { keyId: tufKeyId(publicKey), privateKey, publicKey };
}

/** The signer `Metadata.sign` wants: Ed25519 over the canonical bytes it hands over, hex. */
export function tufSigner(key: TufSigningKey): (data: Buffer) => Signature {
  return (data) => new Signature({ keyID: key.keyId, sig: sign(null, data, key.privateKey).toString('hex') });
}

/**
 * The offline root keys' directory: one PKCS#8 PEM per key, named by key id, so `linli keys` can find the
 * keys a root names. Kept off the control plane; only the public halves are ever in root.json.
 */
export const offlineRootKeyFile = (keyId: string): string => `root-key-${keyId.slice(0, 16)}.pem`;
