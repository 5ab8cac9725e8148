import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MetadataKind } from '@tufjs/models';
import { ErrorCode, LinliError } from '../../protocol/errors.js';
import { exportPrivateKeyPem } from '../../protocol/keys.js';
import {
  offlineRootKeyFile,
  publicKeyFromHex,
  type TufSigningKey,
  tufKeyId,
  tufSigningKey,
} from '../../protocol/tuf/tuf-keys.js';
import {
  buildRoot,
  keysetKeyOf,
  metadataText,
  parseRoot,
  rootAnchor,
  signMetadata,
} from '../../protocol/tuf/tuf-root.js';

/**
 * The offline half of TUF: root keys that never touch the control plane. `linli keys init` makes them and
 * signs root version 1; `linli keys rotate-root` signs the next root with a threshold of the old keys AND of
 * the new ones, which is what lets devices follow the chain.
 */
export interface OnlinePublicKeys {
  timestamp: KeyObject;
  snapshot: KeyObject;
  targets: KeyObject;
  /** The control plane's keyset signing key (it signs transaction and emergency keys). */
  keyset: KeyObject;
}

async function writeNew(path: string, data: string): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Creates `count` root keys in `dir` (0700, files 0600); refuses to overwrite existing key files. */
export async function createOfflineKeys(dir: string, count: number): Promise<TufSigningKey[]> {
  if (!Number.isInteger(count) || count < 1 || count > 16) {
    throw new LinliError(ErrorCode.CONFIG_INVALID, `--keys must be 1–16, got ${count}`, { field: 'keys' });
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const keys: TufSigningKey[] = [];
  for (let i = 0; i < count; i++) {
    const k = tufSigningKey(generateKeyPairSync('ed25519').privateKey);
    await writeNew(join(dir, offlineRootKeyFile(k.keyId)), exportPrivateKeyPem(k.privateKey));
    keys.push(k);
  }
  return keys;
}

export async function loadOfflineKeys(dir: string): Promise<TufSigningKey[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^root-key-[0-9a-f]{16}\.pem$/.test(n));
  } catch {
    throw new LinliError(
      ErrorCode.TUF_KEYS_MISSING,
      `cannot read the offline key directory ${dir}; attach the offline media`,
    );
  }
  const keys: TufSigningKey[] = [];
  for (const n of names) keys.push(tufSigningKey(createPrivateKey(await readFile(join(dir, n), 'utf8'))));
  return keys;
}

function check(threshold: number, keys: number): void {
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > keys) {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `--threshold must be between 1 and the number of root keys (${keys}), got ${threshold}`,
      { field: 'threshold' },
    );
  }
}

/** Root version 1, signed by every new root key. */
export function firstRoot(o: {
  rootKeys: readonly TufSigningKey[];
  threshold: number;
  online: OnlinePublicKeys;
  expiresMs: number;
}): { text: string; anchor: string } {
  check(o.threshold, o.rootKeys.length);
  const md = buildRoot({
    version: 1,
    expiresMs: o.expiresMs,
    rootKeys: o.rootKeys.map((k) => k.publicKey),
    rootThreshold: o.threshold,
    timestampKey: o.online.timestamp,
    snapshotKey: o.online.snapshot,
    targetsKey: o.online.targets,
    keysetKey: o.online.keyset,
  });
  signMetadata(md, o.rootKeys);
  const text = metadataText(md);
  return { text, anchor: rootAnchor(text) };
}

/**
 * The next root: new root keys and threshold (default: unchanged), new online keys when given, signed by
 * the offline keys available that the CURRENT root trusts and those the NEW root names. Refuses unless both
 * thresholds are met, so a rotation devices would reject is never written.
 */
export function nextRoot(o: {
  currentText: string;
  offlineKeys: readonly TufSigningKey[];
  newRootKeys?: readonly TufSigningKey[];
  threshold?: number;
  online?: Partial<OnlinePublicKeys>;
  expiresMs: number;
}): { text: string; version: number } {
  const current = parseRoot(o.currentText, 'current root');
  const roles = current.signed.roles;
  const keyOf = (role: string): KeyObject => {
    const id = roles[role]?.keyIDs[0];
    const hex = id ? current.signed.keys[id]?.keyVal.public : undefined;
    if (!hex) throw new LinliError(ErrorCode.TUF_ROOT, `the current root names no ${role} key`);
    return publicKeyFromHex(hex);
  };
  const oldIds = new Set(roles.root?.keyIDs ?? []);
  const oldSigners = o.offlineKeys.filter((k) => oldIds.has(k.keyId));
  const oldThreshold = roles.root?.threshold ?? 1;
  if (oldSigners.length < oldThreshold) {
    throw new LinliError(
      ErrorCode.TUF_KEYS_MISSING,
      `root version ${current.signed.version} needs ${oldThreshold} of its keys to sign the next root; ${oldSigners.length} found in the offline directory`,
    );
  }
  const newKeys = o.newRootKeys ?? oldSigners;
  const threshold = o.threshold ?? Math.min(oldThreshold, newKeys.length);
  check(threshold, newKeys.length);
  const md = buildRoot({
    version: current.signed.version + 1,
    expiresMs: o.expiresMs,
    rootKeys: newKeys.map((k) => k.publicKey),
    rootThreshold: threshold,
    timestampKey: o.online?.timestamp ?? keyOf('timestamp'),
    snapshotKey: o.online?.snapshot ?? keyOf('snapshot'),
    targetsKey: o.online?.targets ?? keyOf('targets'),
    keysetKey: o.online?.keyset ?? keysetKeyOf(current),
  });
  const signers = new Map([...oldSigners, ...newKeys].map((k) => [k.keyId, k]));
  signMetadata(md, [...signers.values()]);
  // Check it as a device would before anyone sees it.
  current.verifyDelegate(MetadataKind.Root, md);
  md.verifyDelegate(MetadataKind.Root, md);
  return { text: metadataText(md), version: md.signed.version };
}

export function describeRoot(text: string): {
  version: number;
  expires: string;
  threshold: number;
  rootKeyIds: string[];
} {
  const r = parseRoot(text);
  return {
    version: r.signed.version,
    expires: r.signed.expires,
    threshold: r.signed.roles.root?.threshold ?? 0,
    rootKeyIds: (r.signed.roles.root?.keyIDs ?? []).map((id) => id.slice(0, 16)),
  };
}

export { tufKeyId };
