import { createHash } from 'node:crypto';
import { Metadata, MetaFile, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models';
import { type TufSigningKey, tufSigner } from './tuf-keys.js';
import { DEVICE_FIELD, metadataText, TUF_SPEC_VERSION, tufTime } from './tuf-root.js';

/**
 * One device's view of the content repository: its own targets (its manifest and the media it needs), its
 * own snapshot and timestamp, each naming the device. Signed online by the control plane.
 */
export interface TargetSpec {
  path: string;
  sha256: string;
  length: number;
}

export interface SignedRole {
  version: number;
  expiresMs: number;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function metaFileOf(text: string, version: number): MetaFile {
  const bytes = Buffer.from(text, 'utf8');
  return new MetaFile({ version, length: bytes.length, hashes: { sha256: sha256Hex(bytes) } });
}

export function signTargets(
  deviceId: string,
  role: SignedRole,
  targets: readonly TargetSpec[],
  key: TufSigningKey,
): string {
  const files = Object.fromEntries(
    targets.map((t) => [
      t.path,
      new TargetFile({ path: t.path, length: t.length, hashes: { sha256: t.sha256 } }),
    ]),
  );
  const md = new Metadata(
    new Targets({
      version: role.version,
      specVersion: TUF_SPEC_VERSION,
      expires: tufTime(role.expiresMs),
      targets: files,
      unrecognizedFields: { [DEVICE_FIELD]: deviceId },
    }),
  );
  md.sign(tufSigner(key));
  return metadataText(md);
}

export function signSnapshot(
  deviceId: string,
  role: SignedRole,
  targets: { text: string; version: number },
  key: TufSigningKey,
): string {
  const md = new Metadata(
    new Snapshot({
      version: role.version,
      specVersion: TUF_SPEC_VERSION,
      expires: tufTime(role.expiresMs),
      meta: { 'targets.json': metaFileOf(targets.text, targets.version) },
      unrecognizedFields: { [DEVICE_FIELD]: deviceId },
    }),
  );
  md.sign(tufSigner(key));
  return metadataText(md);
}

export function signTimestamp(
  deviceId: string,
  role: SignedRole,
  snapshot: { text: string; version: number },
  key: TufSigningKey,
): string {
  const md = new Metadata(
    new Timestamp({
      version: role.version,
      specVersion: TUF_SPEC_VERSION,
      expires: tufTime(role.expiresMs),
      snapshotMeta: metaFileOf(snapshot.text, snapshot.version),
      unrecognizedFields: { [DEVICE_FIELD]: deviceId },
    }),
  );
  md.sign(tufSigner(key));
  return metadataText(md);
}

/** Target paths: the manifest is per device, media are shared and content-addressed. */
export const manifestTarget = (deviceId: string): string => `manifest/${deviceId}.json`;
export const mediaTarget = (sha256: string, ext: 'png' | 'jpg' | 'webp'): string => `media/${sha256}.${ext}`;

/** The URL file name tuf-js asks for with consistent snapshots: `<dir>/<sha256>.<basename>`. */
export function hashedTargetName(path: string, sha256: string): string {
  const i = path.lastIndexOf('/');
  return `${path.slice(0, i + 1)}${sha256}.${path.slice(i + 1)}`;
}
