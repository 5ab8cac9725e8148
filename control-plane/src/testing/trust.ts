import { keyId, publicKeyFromRaw, type VerifyKey } from '../../../protocol/keys.js';
import { parseToken } from '../../../protocol/token.js';

/** The root key a device pins from its enrollment token, as the device runtime does. */
export function rootVerifyKeyFromToken(token: string): VerifyKey {
  const publicKey = publicKeyFromRaw(parseToken(token).rootKey);
  return { kid: keyId(publicKey), uses: ['root'], publicKey };
}
