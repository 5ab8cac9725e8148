import { createHash, type KeyObject } from 'node:crypto';
import { Metadata, MetadataKind, Root } from '@tufjs/models';
import { ErrorCode, LinliError } from '../errors.js';
import { publicKeyFromHex, type TufSigningKey, tufKey, tufKeyId, tufSigner } from './tuf-keys.js';

/**
 * Root metadata names, besides the four TUF roles, the key that signs the control plane's keyset (its online
 * keys for transactions and emergencies). Unrecognised fields are part of `signed`, so the root keys certify
 * it: everything a device trusts chains to the root it pinned at enrollment.
 */
export const KEYSET_KEY_FIELD = 'x-linli-keyset-key';
/** Every timestamp, snapshot and targets file names the one device it was made for (mix-and-match). */
export const DEVICE_FIELD = 'x-linli-device';

export const TUF_SPEC_VERSION = '1.0.31';

/** TUF writes expiry without milliseconds. */
export function tufTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export interface RootSpec {
  version: number;
  expiresMs: number;
  rootKeys: readonly KeyObject[];
  rootThreshold: number;
  timestampKey: KeyObject;
  snapshotKey: KeyObject;
  targetsKey: KeyObject;
  keysetKey: KeyObject;
}

/** Unsigned root metadata (consistent snapshots on: metadata and targets are fetched by version and hash). */
export function buildRoot(spec: RootSpec): Metadata<Root> {
  if (!Number.isInteger(spec.rootThreshold) || spec.rootThreshold < 1) {
    throw new LinliError(ErrorCode.CONFIG_INVALID, 'the root threshold must be a whole number ≥ 1', {
      field: 'threshold',
    });
  }
  if (spec.rootThreshold > spec.rootKeys.length) {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `a threshold of ${spec.rootThreshold} needs at least that many root keys (have ${spec.rootKeys.length})`,
      { field: 'threshold' },
    );
  }
  const role = (keys: readonly KeyObject[], threshold: number) => ({ keyids: keys.map(tufKeyId), threshold });
  const keys = Object.fromEntries(
    [...spec.rootKeys, spec.timestampKey, spec.snapshotKey, spec.targetsKey].map((k) => [
      tufKeyId(k),
      tufKey(k).toJSON(),
    ]),
  );
  // Root.fromJSON rather than the constructor: @tufjs/models does not export its Role class.
  const root = Root.fromJSON({
    _type: 'root',
    spec_version: TUF_SPEC_VERSION,
    version: spec.version,
    expires: tufTime(spec.expiresMs),
    keys,
    roles: {
      root: role(spec.rootKeys, spec.rootThreshold),
      timestamp: role([spec.timestampKey], 1),
      snapshot: role([spec.snapshotKey], 1),
      targets: role([spec.targetsKey], 1),
    },
    consistent_snapshot: true,
    [KEYSET_KEY_FIELD]: tufKey(spec.keysetKey).keyVal.public!,
  });
  return new Metadata(root);
}

export function signMetadata(md: Metadata<Root>, keys: readonly TufSigningKey[]): void {
  for (const k of keys) md.sign(tufSigner(k), true);
}

export function metadataText(md: { toJSON(): unknown }): string {
  return JSON.stringify(md.toJSON());
}

/** The trust anchor an enrollment token carries: SHA-256 of the exact bytes of 1.root.json, base64url. */
export function rootAnchor(rootText: string): string {
  return createHash('sha256').update(Buffer.from(rootText, 'utf8')).digest('base64url');
}

export function parseRoot(text: string, what = 'root.json'): Metadata<Root> {
  try {
    return Metadata.fromJSON(MetadataKind.Root, JSON.parse(text));
  } catch (cause) {
    throw new LinliError(
      ErrorCode.TUF_ROOT,
      `${what} is not TUF root metadata (${(cause as Error).message})`,
      {
        file: what,
      },
    );
  }
}

export interface VerifiedRoots {
  /** The newest root, verified through the whole chain from the anchor. */
  latest: Metadata<Root>;
  latestText: string;
  /** The key that signs the keyset, as the newest root certifies it. */
  keysetKey: KeyObject;
}

/**
 * Verifies 1.root.json against the anchor and every later root against the one before it (threshold of the
 * old keys AND of the new keys, version + 1), as a TUF client does on rotation.
 */
export function verifyRootChain(texts: readonly string[], anchor: string): VerifiedRoots {
  const first = texts[0];
  if (first === undefined || rootAnchor(first) !== anchor) {
    throw new LinliError(
      ErrorCode.TUF_ROOT,
      'root.json version 1 does not match the trust anchor in the enrollment token; this is not the control plane the token was made for',
    );
  }
  let current = parseRoot(first, '1.root.json');
  try {
    current.verifyDelegate(MetadataKind.Root, current);
  } catch (cause) {
    throw new LinliError(
      ErrorCode.TUF_ROOT,
      `1.root.json is not signed by its own root keys (${(cause as Error).message})`,
    );
  }
  if (current.signed.version !== 1) {
    throw new LinliError(ErrorCode.TUF_ROOT, `the first root has version ${current.signed.version}, not 1`);
  }
  let latestText = first;
  for (const text of texts.slice(1)) {
    const next = parseRoot(text, `${current.signed.version + 1}.root.json`);
    try {
      current.verifyDelegate(MetadataKind.Root, next);
      next.verifyDelegate(MetadataKind.Root, next);
    } catch (cause) {
      throw new LinliError(
        ErrorCode.TUF_ROOT,
        `root version ${next.signed.version} is not signed by a threshold of the previous and its own root keys (${(cause as Error).message})`,
      );
    }
    if (next.signed.version !== current.signed.version + 1) {
      throw new LinliError(
        ErrorCode.TUF_ROOT,
        `root versions must rise by one: ${current.signed.version} is followed by ${next.signed.version}`,
      );
    }
    current = next;
    latestText = text;
  }
  return { latest: current, latestText, keysetKey: keysetKeyOf(current) };
}

export function keysetKeyOf(root: Metadata<Root>): KeyObject {
  const hex = root.signed.unrecognizedFields[KEYSET_KEY_FIELD];
  if (typeof hex !== 'string') {
    throw new LinliError(
      ErrorCode.TUF_ROOT,
      `root version ${root.signed.version} names no keyset key (${KEYSET_KEY_FIELD})`,
    );
  }
  return publicKeyFromHex(hex);
}
