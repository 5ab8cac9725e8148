import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Keyring, verifyEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { verifyKeyOf } from '../../../protocol/keys.js';
import { Keyset } from '../../../protocol/schemas/keyset.js';
import { KeyStore } from './key-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'linli-keys-'));
  dirs.push(d);
  return d;
};

describe('KeyStore', () => {
  it('creates root, content, transaction, emergency and fleet keys 0600 in a 0700 dir, and a root-signed keyset', async () => {
    const dir = tempDir();
    const keys = await KeyStore.open(dir);
    expect(keys.report.created).toEqual(['root', 'content', 'transaction', 'emergency', 'fleet']);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    for (const f of [
      'root.pem',
      'content.pem',
      'transaction.pem',
      'emergency.pem',
      'fleet.pem',
      'keyset.json',
    ]) {
      expect(statSync(join(dir, 'keys', f)).mode & 0o777).toBe(0o600);
    }
    const ks = verifyEnvelope<Keyset>(keys.keyset, new Keyring([verifyKeyOf(keys.root)]), {
      type: 'linli.keyset/v1',
      schema: Keyset,
    });
    expect(ks.version).toBe(1);
    expect(ks.keys.map((k) => [k.kid, k.uses])).toEqual([
      [keys.content.kid, ['content']],
      [keys.transaction.kid, ['transaction']],
      [keys.emergency.kid, ['emergency']],
      [keys.fleet.kid, ['fleet']],
    ]);
  });

  it('reloads the same keys and keeps the keyset stable across restarts', async () => {
    const dir = tempDir();
    const a = await KeyStore.open(dir);
    const b = await KeyStore.open(dir);
    expect(b.report.created).toEqual([]);
    expect([b.root.kid, b.content.kid, b.transaction.kid]).toEqual([
      a.root.kid,
      a.content.kid,
      a.transaction.kid,
    ]);
    expect(b.keyset).toEqual(a.keyset);
  });

  it('re-issues the keyset with a higher version when an online key is replaced', async () => {
    const dir = tempDir();
    const a = await KeyStore.open(dir);
    rmSync(join(dir, 'keys', 'content.pem'));
    const b = await KeyStore.open(dir);
    expect(b.report.created).toEqual(['content']);
    expect(b.root.kid).toBe(a.root.kid);
    expect(b.keyset.payload.version).toBe(2);
    expect(b.keyset.payload.keys[0]?.kid).toBe(b.content.kid);
  });

  it('tightens a key file readable by others and refuses a corrupt one', async () => {
    const dir = tempDir();
    await KeyStore.open(dir);
    const { chmodSync } = await import('node:fs');
    chmodSync(join(dir, 'keys', 'root.pem'), 0o644);
    await KeyStore.open(dir);
    expect(statSync(join(dir, 'keys', 'root.pem')).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, 'keys', 'transaction.pem'), 'not a key');
    await expect(KeyStore.open(dir)).rejects.toMatchObject({ code: ErrorCode.KEY_INVALID });
  });
});
