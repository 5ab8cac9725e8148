import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Keyring, signEnvelope, verifyEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import {
  exportPrivateKeyPem,
  generateSigningKey,
  type KeyUse,
  publicKeyToRaw,
  type SigningKey,
  signingKeyFromPem,
  verifyKeyOf,
} from '../../../protocol/keys.js';
import type { Signed } from '../../../protocol/schemas/common.js';
import { Keyset } from '../../../protocol/schemas/keyset.js';
import { isValid } from '../../../protocol/validate.js';
import { writeFileDurable } from '../fs/durable-write.js';

/**
 * The keys this control plane holds. The "root" key (root.pem) signs only keysets; since issue #4 it is itself
 * certified by the TUF root (offline keys, `x-linli-keyset-key`), which is what devices pin at enrollment.
 */
type StoredUse = 'root' | 'content' | 'transaction' | 'emergency' | 'fleet';
const KEY_FILES: Readonly<Record<StoredUse, string>> = {
  root: 'root.pem',
  content: 'content.pem',
  transaction: 'transaction.pem',
  /** Signs emergency alerts pushed inline (issue #4); listed in the keyset like the others. */
  emergency: 'emergency.pem',
  /** Signs target states and remote commands (issue 12). */
  fleet: 'fleet.pem',
};
const KEYSET_FILE = 'keyset.json';

export interface KeyStoreEvents {
  created: KeyUse[];
  keysetVersion: number;
}

/**
 * Loads `<dataDir>/keys/` (dir 0700, files 0600), creating what is missing, and keeps a keyset envelope
 * signed by the root that lists the online keys. The keyset is re-signed (version + 1) only when the keys
 * it lists change, so devices see a stable keyset across restarts.
 */
export class KeyStore {
  readonly root: SigningKey;
  readonly content: SigningKey;
  readonly transaction: SigningKey;
  readonly emergency: SigningKey;
  readonly fleet: SigningKey;
  readonly keyset: Signed<Keyset>;
  /** Verifies what this control plane signed (receipts brought back for checking, tests). */
  readonly keyring: Keyring;
  readonly report: KeyStoreEvents;

  private constructor(keys: Record<StoredUse, SigningKey>, keyset: Signed<Keyset>, report: KeyStoreEvents) {
    this.root = keys.root;
    this.content = keys.content;
    this.transaction = keys.transaction;
    this.emergency = keys.emergency;
    this.fleet = keys.fleet;
    this.keyset = keyset;
    this.report = report;
    this.keyring = new Keyring([
      verifyKeyOf(keys.root),
      verifyKeyOf(keys.content),
      verifyKeyOf(keys.transaction),
      verifyKeyOf(keys.emergency),
      verifyKeyOf(keys.fleet),
    ]);
  }

  /** The keyset signing key's raw public key (named in the TUF root). */
  get rootKeyRaw(): string {
    return publicKeyToRaw(this.root.publicKey);
  }

  static async open(dataDir: string, now: () => number = Date.now): Promise<KeyStore> {
    const dir = join(dataDir, 'keys');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const created: KeyUse[] = [];
    const keys = {} as Record<StoredUse, SigningKey>;
    for (const [use, file] of Object.entries(KEY_FILES) as [StoredUse, string][]) {
      const path = join(dir, file);
      const pem = await readIfExists(path);
      if (pem === undefined) {
        const key = generateSigningKey(use);
        await writeFileDurable(path, exportPrivateKeyPem(key.privateKey), 0o600);
        keys[use] = key;
        created.push(use);
      } else {
        await tightenMode(path);
        keys[use] = parseKey(pem, use, path);
      }
    }
    const keyset = await loadOrSignKeyset(join(dir, KEYSET_FILE), keys, now);
    return new KeyStore(keys, keyset, { created, keysetVersion: keyset.payload.version });
  }
}

async function loadOrSignKeyset(
  path: string,
  keys: Record<StoredUse, SigningKey>,
  now: () => number,
): Promise<Signed<Keyset>> {
  const wanted = [keys.content, keys.transaction, keys.emergency, keys.fleet].map((k) => ({
    kid: k.kid,
    alg: 'Ed25519' as const,
    uses: [k.use],
    publicKey: publicKeyToRaw(k.publicKey),
  }));
  const text = await readIfExists(path);
  let previousVersion = 0;
  if (text !== undefined) {
    try {
      const env = JSON.parse(text) as unknown;
      const ks = verifyEnvelope<Keyset>(env, new Keyring([verifyKeyOf(keys.root)]), {
        type: 'linli.keyset/v1',
        schema: Keyset,
      });
      previousVersion = ks.version;
      if (JSON.stringify(ks.keys) === JSON.stringify(wanted)) return env as Signed<Keyset>;
    } catch {
      // A keyset the root no longer verifies (edited, or the root was replaced) is simply re-issued.
    }
  }
  const payload: Keyset = {
    type: 'linli.keyset/v1',
    version: previousVersion + 1,
    issuedAt: new Date(now()).toISOString(),
    keys: wanted,
  };
  if (!isValid(Keyset, payload)) throw new Error('internal: keyset payload does not match its schema');
  const envelope = signEnvelope(payload, keys.root);
  await writeFileDurable(path, `${JSON.stringify(envelope, null, 2)}\n`, 0o600);
  return envelope;
}

function parseKey(pem: string, use: KeyUse, path: string): SigningKey {
  try {
    return signingKeyFromPem(pem, use);
  } catch (err) {
    throw new LinliError(
      ErrorCode.KEY_INVALID,
      `${path} is not a usable Ed25519 private key; restore it from backup (deleting it makes a new key, and devices enrolled with the old root must re-enroll)`,
      { path },
      { cause: err },
    );
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** A key file readable by others is fixed rather than refused: the operator may have copied it in. */
async function tightenMode(path: string): Promise<void> {
  const st = await stat(path);
  if ((st.mode & 0o077) !== 0) await chmod(path, 0o600);
}
