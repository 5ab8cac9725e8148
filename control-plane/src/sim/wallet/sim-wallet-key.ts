import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { SimWalletLedger } from '../sim-store.js';

/**
 * The simulated provider's notification signing key, kept in the simulators' store: a restart keeps
 * verifying, and instances sharing one store sign with the same key. The first to write it wins.
 */
export async function simWalletKey(ledger: SimWalletLedger): Promise<KeyObject> {
  const candidate = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' });
  return createPrivateKey(await ledger.signingKey(candidate as string));
}
