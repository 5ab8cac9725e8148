import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Metadata, MetadataKind, type Root } from '@tufjs/models';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { exportPrivateKeyPem, publicKeyToRaw } from '../../../protocol/keys.js';
import {
  offlineRootKeyFile,
  type TufSigningKey,
  tufKeyId,
  tufSigningKey,
} from '../../../protocol/tuf/tuf-keys.js';
import {
  buildRoot,
  keysetKeyOf,
  metadataText,
  rootAnchor,
  signMetadata,
  verifyRootChain,
} from '../../../protocol/tuf/tuf-root.js';
import { writeFileDurable } from '../fs/durable-write.js';

export type OnlineRole = 'timestamp' | 'snapshot' | 'targets';
export const ONLINE_ROLES: readonly OnlineRole[] = ['timestamp', 'snapshot', 'targets'];

/** Where TUF material lives in the control plane's data dir (never the root private keys). */
export const tufPaths = (dataDir: string) => ({
  roots: join(dataDir, 'tuf', 'roots'),
  root: (version: number) => join(dataDir, 'tuf', 'roots', `${version}.root.json`),
  onlineKey: (role: OnlineRole) => join(dataDir, 'keys', `tuf-${role}.pem`),
});

export interface TufKeysOptions {
  dataDir: string;
  /** The control plane's keyset signing key: the root names it so devices can trust the keyset. */
  keysetKey: KeyObject;
  /** Create a root (and a single offline root key in offlineKeysDir) when there is none. */
  autoInit: boolean;
  offlineKeysDir: string;
  rootExpiresDays: number;
  now: () => number;
  log?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Creates the online timestamp, snapshot and targets keys that are missing; returns them all. */
export async function ensureOnlineKeys(dataDir: string): Promise<Record<OnlineRole, TufSigningKey>> {
  await mkdir(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  const out = {} as Record<OnlineRole, TufSigningKey>;
  for (const role of ONLINE_ROLES) {
    const path = tufPaths(dataDir).onlineKey(role);
    let pem = await readIfExists(path);
    if (pem === undefined) {
      pem = exportPrivateKeyPem(generateKeyPairSync('ed25519').privateKey);
      await writeFileDurable(path, pem, 0o600);
    }
    out[role] = tufSigningKey(createPrivateKey(pem));
  }
  return out;
}

/** Writes a root file into the data dir (used by first start and by `linli keys`). */
export async function writeRootFile(dataDir: string, version: number, text: string): Promise<void> {
  await mkdir(tufPaths(dataDir).roots, { recursive: true, mode: 0o700 });
  await writeFileDurable(tufPaths(dataDir).root(version), text, 0o644);
}

/**
 * The control plane's TUF keys: the verified root chain (read from the data dir) and the online keys the
 * newest root names for timestamp, snapshot and targets. A root rotation dropped into the data dir by
 * `linli keys rotate-root` is picked up without a restart.
 */
export class TufKeys {
  readonly #o: TufKeysOptions;
  #roots: string[] = [];
  #latest!: Metadata<Root>;
  #online!: Record<OnlineRole, TufSigningKey>;
  #checkedAt = 0;

  private constructor(opts: TufKeysOptions) {
    this.#o = opts;
  }

  static async open(opts: TufKeysOptions): Promise<TufKeys> {
    const k = new TufKeys(opts);
    if ((await readIfExists(tufPaths(opts.dataDir).root(1))) === undefined) {
      if (!opts.autoInit) {
        throw new LinliError(
          ErrorCode.TUF_KEYS_MISSING,
          `no TUF root in ${tufPaths(opts.dataDir).roots}; create one with \`linli keys init --data ${opts.dataDir} --offline <dir off this machine>\``,
          { field: 'dataDir' },
        );
      }
      await k.#initialise();
    }
    await k.#load();
    return k;
  }

  /** First start without `linli keys init`: one offline root key, kept OUTSIDE the data dir. */
  async #initialise(): Promise<void> {
    const online = await ensureOnlineKeys(this.#o.dataDir);
    await mkdir(this.#o.offlineKeysDir, { recursive: true, mode: 0o700 });
    await chmod(this.#o.offlineKeysDir, 0o700);
    const rootKey = tufSigningKey(generateKeyPairSync('ed25519').privateKey);
    await writeFileDurable(
      join(this.#o.offlineKeysDir, offlineRootKeyFile(rootKey.keyId)),
      exportPrivateKeyPem(rootKey.privateKey),
      0o600,
    );
    const md = buildRoot({
      version: 1,
      expiresMs: this.#o.now() + this.#o.rootExpiresDays * 86_400_000,
      rootKeys: [rootKey.publicKey],
      rootThreshold: 1,
      timestampKey: online.timestamp.publicKey,
      snapshotKey: online.snapshot.publicKey,
      targetsKey: online.targets.publicKey,
      keysetKey: this.#o.keysetKey,
    });
    signMetadata(md, [rootKey]);
    await writeRootFile(this.#o.dataDir, 1, metadataText(md));
    this.#o.log?.warn(
      { offlineKeysDir: this.#o.offlineKeysDir },
      'first start: created a TUF root with ONE offline root key in offlineKeysDir; for production run `linli keys init` with a threshold and keep the root keys off this machine',
    );
  }

  async #load(): Promise<void> {
    const texts: string[] = [];
    for (let v = 1; ; v++) {
      const t = await readIfExists(tufPaths(this.#o.dataDir).root(v));
      if (t === undefined) break;
      texts.push(t);
    }
    const verified = verifyRootChain(texts, rootAnchor(texts[0]!));
    if (publicKeyToRaw(keysetKeyOf(verified.latest)) !== publicKeyToRaw(this.#o.keysetKey)) {
      throw new LinliError(
        ErrorCode.TUF_KEYS_MISSING,
        `root version ${verified.latest.signed.version} certifies another keyset key than keys/root.pem; restore the key or rotate the root`,
      );
    }
    const online = await ensureOnlineKeys(this.#o.dataDir);
    for (const role of ONLINE_ROLES) {
      if (!verified.latest.signed.roles[role]?.keyIDs.includes(online[role].keyId)) {
        throw new LinliError(
          ErrorCode.TUF_KEYS_MISSING,
          `keys/tuf-${role}.pem is not the ${role} key of root version ${verified.latest.signed.version}; restore it or rotate the root with \`linli keys rotate-root\``,
        );
      }
    }
    this.#roots = texts;
    this.#latest = verified.latest;
    this.#online = online;
  }

  /** Re-reads the roots when a newer one may have been dropped in; throttled, and a bad one changes nothing. */
  async refresh(): Promise<boolean> {
    const now = Date.now();
    if (now - this.#checkedAt < 2_000) return false;
    this.#checkedAt = now;
    const next = tufPaths(this.#o.dataDir).root(this.rootVersion + 1);
    try {
      await stat(next);
    } catch {
      return false;
    }
    const before = this.rootVersion;
    try {
      await this.#load();
    } catch (err) {
      this.#o.log?.warn(
        { code: (err as LinliError).code, err: (err as Error).message },
        'tuf: ignored a new root',
      );
      return false;
    }
    this.#o.log?.info({ from: before, to: this.rootVersion }, 'tuf: root rotated');
    return this.rootVersion !== before;
  }

  get rootVersion(): number {
    return this.#latest.signed.version;
  }

  /** The exact texts of 1.root.json … newest. */
  get roots(): readonly string[] {
    return this.#roots;
  }

  /** What enrollment tokens carry. */
  get anchor(): string {
    return rootAnchor(this.#roots[0]!);
  }

  rootText(version: number): string | undefined {
    return this.#roots[version - 1];
  }

  key(role: OnlineRole): TufSigningKey {
    return this.#online[role];
  }

  /** For tests and tools: does the current root trust this key for the role? */
  trusts(role: OnlineRole, publicKey: KeyObject): boolean {
    return this.#latest.signed.roles[role]?.keyIDs.includes(tufKeyId(publicKey)) ?? false;
  }

  /** Lists the root versions present on disk (for `linli keys status`). */
  static async rootVersions(dataDir: string): Promise<number[]> {
    try {
      return (await readdir(tufPaths(dataDir).roots))
        .map((f) => /^(\d+)\.root\.json$/.exec(f)?.[1])
        .filter((v): v is string => v !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
    } catch {
      return [];
    }
  }

  static parse(text: string): Metadata<Root> {
    return Metadata.fromJSON(MetadataKind.Root, JSON.parse(text));
  }
}

/**
 * New online keys for a root rotation (`linli keys rotate-root --rotate-online`). The old files are kept as
 * `.retired-<time>`; the running control plane switches when the new root that names these keys appears.
 */
export async function replaceOnlineKeys(dataDir: string): Promise<Record<OnlineRole, TufSigningKey>> {
  const out = {} as Record<OnlineRole, TufSigningKey>;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (const role of ONLINE_ROLES) {
    const path = tufPaths(dataDir).onlineKey(role);
    const old = await readIfExists(path);
    if (old !== undefined) await writeFileDurable(`${path}.retired-${stamp}`, old, 0o600);
    const pem = exportPrivateKeyPem(generateKeyPairSync('ed25519').privateKey);
    await writeFileDurable(path, pem, 0o600);
    out[role] = tufSigningKey(createPrivateKey(pem));
  }
  return out;
}
