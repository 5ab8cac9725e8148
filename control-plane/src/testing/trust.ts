import { keyId, type VerifyKey } from '../../../protocol/keys.js';
import { parseToken } from '../../../protocol/token.js';
import { verifyRootChain } from '../../../protocol/tuf/tuf-root.js';

/**
 * The keyset key a device trusts after enrollment, as the device runtime finds it: the token's anchor pins
 * 1.root.json, the root chain is verified from there, and the newest root names the keyset key.
 */
export function rootVerifyKeyFromToken(token: string, tufRoots: readonly string[]): VerifyKey {
  const { keysetKey } = verifyRootChain(tufRoots, parseToken(token).rootHash);
  return { kid: keyId(keysetKey), uses: ['root'], publicKey: keysetKey };
}
