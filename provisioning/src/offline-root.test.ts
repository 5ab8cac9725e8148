import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { verifyRootChain } from '../../protocol/tuf/tuf-root.js';
import { createOfflineKeys, firstRoot, loadOfflineKeys, nextRoot } from './offline-root.js';

const pub = () => generateKeyPairSync('ed25519').publicKey;
const online = () => ({ timestamp: pub(), snapshot: pub(), targets: pub(), keyset: pub() });
const year = Date.now() + 365 * 86_400_000;

describe('offline root keys', () => {
  it('creates a 2-of-3 root, and rotates to new keys through a chain devices accept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'linli-offline-'));
    const keys = await createOfflineKeys(dir, 3);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(dir)) expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
    const v1 = firstRoot({ rootKeys: keys, threshold: 2, online: online(), expiresMs: year });
    expect(verifyRootChain([v1.text], v1.anchor).latest.signed.roles.root?.threshold).toBe(2);

    const loaded = await loadOfflineKeys(dir);
    expect(loaded.map((k) => k.keyId).sort()).toEqual(keys.map((k) => k.keyId).sort());
    const fresh = await createOfflineKeys(join(dir, 'new'), 2);
    const v2 = nextRoot({
      currentText: v1.text,
      offlineKeys: loaded,
      newRootKeys: fresh,
      threshold: 2,
      online: online(),
      expiresMs: year,
    });
    const chain = verifyRootChain([v1.text, v2.text], v1.anchor);
    expect(chain.latest.signed.version).toBe(2);
    expect(chain.latest.signed.roles.root?.keyIDs.sort()).toEqual(fresh.map((k) => k.keyId).sort());
  });

  it('refuses to sign the next root without a threshold of the current keys, and bad thresholds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'linli-offline-'));
    const keys = await createOfflineKeys(dir, 3);
    const v1 = firstRoot({ rootKeys: keys, threshold: 2, online: online(), expiresMs: year });
    expect(() => nextRoot({ currentText: v1.text, offlineKeys: keys.slice(0, 1), expiresMs: year })).toThrow(
      expect.objectContaining({ code: ErrorCode.TUF_KEYS_MISSING }),
    );
    expect(() => firstRoot({ rootKeys: keys, threshold: 4, online: online(), expiresMs: year })).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFIG_INVALID }),
    );
    expect(() =>
      firstRoot({ rootKeys: keys, threshold: 9_999_999_999_999, online: online(), expiresMs: year }),
    ).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID }));
  });
});
