import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { canonicalBytes } from '../../../protocol/canonical-json.js';
import type { ContentManifest, Notice } from '../../../protocol/schemas/notice.js';
import type { ServiceCatalogue } from '../../../protocol/schemas/services.js';
import {
  hashedTargetName,
  manifestTarget,
  sha256Hex,
  signSnapshot,
  signTargets,
  signTimestamp,
  type TargetSpec,
} from '../../../protocol/tuf/device-view.js';
import { type TufSigningKey, tufSigningKey } from '../../../protocol/tuf/tuf-keys.js';
import { buildRoot, metadataText, rootAnchor, signMetadata } from '../../../protocol/tuf/tuf-root.js';

const newKey = () => tufSigningKey(generateKeyPairSync('ed25519').privateKey);

export interface DeviceView {
  deviceId: string;
  targetsVersion: number;
  snapshotVersion: number;
  timestampVersion: number;
  texts: Map<string, string>;
  /** Hashed target names (`manifest/<sha>.<id>.json`, `media/<sha>.<sha>.png`) → bytes. */
  targets: Map<string, Buffer>;
  manifest: ContentManifest;
}

/** A body a test serves instead of the real one: bytes, or a never-ending stream ("endless data"). */
export type Tamper = (file: string, body: Buffer, deviceId: string) => Buffer | 'endless' | undefined;

/**
 * The control plane's TUF side in miniature, for device tests: real root chain, real per-device views signed
 * with the protocol's helpers, and hooks to serve anything instead (bad signatures, rollbacks, expired
 * metadata, another device's files, endless data). Test-only.
 */
export class TufRepoDouble {
  rootKeys: TufSigningKey[] = [newKey()];
  online = { timestamp: newKey(), snapshot: newKey(), targets: newKey() };
  readonly roots: string[] = [];
  readonly views = new Map<string, DeviceView>();
  readonly media = new Map<string, { bytes: Buffer; ext: 'png' | 'jpg' | 'webp' }>();
  /** Seconds until expiry of newly signed timestamps, and of snapshot/targets. */
  timestampTtlSec = 86_400;
  metadataTtlSec = 7 * 86_400;
  emergencySeq = 0;
  tamper: Tamper | undefined;
  readonly #keysetKey: KeyObject;

  constructor(keysetKey: KeyObject) {
    this.#keysetKey = keysetKey;
    this.roots.push(this.#root(1, this.rootKeys, this.rootKeys));
  }

  get anchor(): string {
    return rootAnchor(this.roots[0]!);
  }

  #root(version: number, keys: TufSigningKey[], signers: TufSigningKey[]): string {
    const md = buildRoot({
      version,
      expiresMs: Date.now() + 365 * 86_400_000,
      rootKeys: keys.map((k) => k.publicKey),
      rootThreshold: 1,
      timestampKey: this.online.timestamp.publicKey,
      snapshotKey: this.online.snapshot.publicKey,
      targetsKey: this.online.targets.publicKey,
      keysetKey: this.#keysetKey,
    });
    signMetadata(md, signers);
    return metadataText(md);
  }

  /** Root rotation through the chain: new root key and new online keys, signed by old AND new root keys. */
  rotateRoot(): void {
    const old = this.rootKeys;
    this.rootKeys = [newKey()];
    this.online = { timestamp: newKey(), snapshot: newKey(), targets: newKey() };
    this.roots.push(this.#root(this.roots.length + 1, this.rootKeys, [...old, ...this.rootKeys]));
  }

  addMedia(
    bytes: Buffer,
    ext: 'png' | 'jpg' | 'webp' = 'png',
  ): { sha256: string; target: string; length: number } {
    const sha256 = sha256Hex(bytes);
    this.media.set(sha256, { bytes, ext });
    return { sha256, target: `media/${sha256}.${ext}`, length: bytes.length };
  }

  /** Signs a new view of the device's content (all three roles move on by one version). */
  publish(
    deviceId: string,
    notices: readonly Notice[],
    opts: { keepVersions?: boolean; services?: ServiceCatalogue } = {},
  ): DeviceView {
    const prev = this.views.get(deviceId);
    const manifest: ContentManifest = {
      type: 'linli.manifest/v1',
      deviceId,
      emergencySeq: this.emergencySeq,
      notices: [...notices],
      ...(opts.services ? { services: opts.services } : {}),
    };
    const bytes = Buffer.from(canonicalBytes(manifest));
    const sha = sha256Hex(bytes);
    const targets: TargetSpec[] = [{ path: manifestTarget(deviceId), sha256: sha, length: bytes.length }];
    const files = new Map<string, Buffer>([[hashedTargetName(manifestTarget(deviceId), sha), bytes]]);
    for (const n of notices) {
      for (const img of n.images) {
        const m = this.media.get(img.sha256);
        if (!m) continue;
        targets.push({ path: img.target, sha256: img.sha256, length: m.bytes.length });
        files.set(hashedTargetName(img.target, img.sha256), m.bytes);
      }
    }
    const bump = opts.keepVersions ? 0 : 1;
    const v = {
      deviceId,
      targetsVersion: (prev?.targetsVersion ?? 0) + bump,
      snapshotVersion: (prev?.snapshotVersion ?? 0) + bump,
      timestampVersion: (prev?.timestampVersion ?? 0) + bump,
      texts: new Map<string, string>(prev?.texts ?? []),
      targets: files,
      manifest,
    };
    const now = Date.now();
    const targetsText = signTargets(
      deviceId,
      { version: v.targetsVersion, expiresMs: now + this.metadataTtlSec * 1000 },
      targets,
      this.online.targets,
    );
    const snapshotText = signSnapshot(
      deviceId,
      { version: v.snapshotVersion, expiresMs: now + this.metadataTtlSec * 1000 },
      { text: targetsText, version: v.targetsVersion },
      this.online.snapshot,
    );
    v.texts.set(`${v.targetsVersion}.targets.json`, targetsText);
    v.texts.set(`${v.snapshotVersion}.snapshot.json`, snapshotText);
    v.texts.set(
      'timestamp.json',
      signTimestamp(
        deviceId,
        { version: v.timestampVersion, expiresMs: now + this.timestampTtlSec * 1000 },
        { text: snapshotText, version: v.snapshotVersion },
        this.online.timestamp,
      ),
    );
    this.views.set(deviceId, v);
    return v;
  }

  /** The bytes of one metadata file of a device's view (undefined = 404). */
  metadata(deviceId: string, file: string): Buffer | 'endless' | undefined {
    const root = /^(\d+)\.root\.json$/.exec(file);
    let body: string | undefined;
    if (root) body = this.roots[Number(root[1]) - 1];
    else body = this.views.get(deviceId)?.texts.get(file);
    const bytes = body === undefined ? undefined : Buffer.from(body);
    // A tamper may also answer for a file that does not exist (a forged next root).
    return this.tamper?.(file, bytes ?? Buffer.alloc(0), deviceId) ?? bytes;
  }

  target(deviceId: string, path: string): Buffer | 'endless' | undefined {
    const bytes = this.views.get(deviceId)?.targets.get(path);
    if (!bytes) return undefined;
    return this.tamper?.(path, bytes, deviceId) ?? bytes;
  }
}
