import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { generateSigningKey, publicKeyToRaw } from '../../../protocol/keys.js';
import { formatToken, parseToken } from '../../../protocol/token.js';
import { loadIdentity } from '../identity/identity.js';
import { stateLayout } from '../state/state-layout.js';
import { ControlPlaneDouble } from '../testing/control-plane-double.js';
import { enrollDevice } from './enroll-device.js';

const cp = new ControlPlaneDouble();
let dir: string;

beforeAll(async () => {
  await cp.start();
});
afterAll(async () => {
  await cp.stop();
});
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'linli-enroll-')), 'state');
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
}

async function notEnrolled(stateDir: string): Promise<void> {
  expect(await codeOf(loadIdentity(stateDir))).toBe(ErrorCode.NOT_ENROLLED);
}

describe('linli enroll', () => {
  it('generates the key on the device, pins the root and stores a verified identity', async () => {
    const token = cp.mintToken('lobby');
    const identity = await enrollDevice({
      serverUrl: `${cp.url}/`,
      token,
      stateDir: dir,
      role: 'lobby',
      name: '1号楼大堂',
    });
    expect(identity.role).toBe('lobby');
    // The keyset key comes from the TUF root the token pins by hash, not from the token itself.
    expect(identity.rootKey).toBe(publicKeyToRaw(cp.root.publicKey));
    expect(identity.node.ancestry.at(-1)).toBe(cp.nodeId);
    expect(identity.serverUrl).toBe(cp.url);
    const paths = stateLayout(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(paths.deviceKey)).mode & 0o777).toBe(0o600);
    expect(await readFile(paths.deviceKey, 'utf8')).toContain('PRIVATE KEY');

    const loaded = await loadIdentity(dir);
    expect(loaded.deviceId).toBe(identity.deviceId);
    expect(loaded.keyring.get(cp.content.kid)?.uses).toEqual(['content']);
    expect(cp.devices.get(identity.deviceId)?.publicKey).toBe(identity.publicKey);
    expect(JSON.stringify(cp.requests)).not.toContain('PRIVATE');
  });

  it('refuses to overwrite an enrolled state dir unless --force', async () => {
    const first = await enrollDevice({
      serverUrl: cp.url,
      token: cp.mintToken('led'),
      stateDir: dir,
      role: 'led',
    });
    expect(
      await codeOf(
        enrollDevice({ serverUrl: cp.url, token: cp.mintToken('led'), stateDir: dir, role: 'led' }),
      ),
    ).toBe(ErrorCode.ALREADY_ENROLLED);
    expect((await loadIdentity(dir)).deviceId).toBe(first.deviceId);
    const second = await enrollDevice({
      serverUrl: cp.url,
      token: cp.mintToken('led'),
      stateDir: dir,
      role: 'led',
      force: true,
    });
    expect(second.deviceId).not.toBe(first.deviceId);
    expect((await loadIdentity(dir)).deviceId).toBe(second.deviceId);
  });

  it('refuses a malformed token before talking to anyone', async () => {
    const before = cp.requests.length;
    expect(
      await codeOf(enrollDevice({ serverUrl: cp.url, token: 'lnt2.nope', stateDir: dir, role: 'kiosk' })),
    ).toBe(ErrorCode.TOKEN_INVALID);
    expect(cp.requests.length).toBe(before);
  });

  it('reports an unreachable server with a coded error and stays unenrolled', async () => {
    const attempt = enrollDevice({
      serverUrl: 'http://127.0.0.1:9',
      token: cp.mintToken('kiosk'),
      stateDir: dir,
      role: 'kiosk',
    });
    await expect(attempt).rejects.toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      message: expect.stringContaining('127.0.0.1:9'),
    });
    await notEnrolled(dir);
  });

  it('maps a wrong role to LINLI_ERR_TOKEN_ROLE_MISMATCH and stays unenrolled', async () => {
    expect(
      await codeOf(
        enrollDevice({ serverUrl: cp.url, token: cp.mintToken('lobby'), stateDir: dir, role: 'kiosk' }),
      ),
    ).toBe(ErrorCode.TOKEN_ROLE_MISMATCH);
    await notEnrolled(dir);
  });

  it('refuses a server whose TUF root is not the one the token pins', async () => {
    // A token that pins another root: the answering server cannot prove it is the one the admin meant.
    const real = parseToken(cp.mintToken('lobby'));
    const otherRoot = publicKeyToRaw(generateSigningKey('root').publicKey);
    const token = formatToken({ ...real, rootHash: otherRoot });
    cp.tokens.set(token, { role: 'lobby', uses: 1 });
    expect(await codeOf(enrollDevice({ serverUrl: cp.url, token, stateDir: dir, role: 'lobby' }))).toBe(
      ErrorCode.TUF_ROOT,
    );
    await notEnrolled(dir);
  });

  it('follows a rotated root chain and pins the newest root for the TUF client', async () => {
    const before = cp.tuf.roots.length;
    cp.tuf.rotateRoot();
    try {
      const identity = await enrollDevice({
        serverUrl: cp.url,
        token: cp.mintToken('led'),
        stateDir: dir,
        role: 'led',
      });
      const pinned = JSON.parse(await readFile(join(stateLayout(dir).tuf, 'root.json'), 'utf8'));
      expect(pinned.signed.version).toBe(before + 1);
      expect(identity.tufRootHash).toBe(cp.tuf.anchor);
    } finally {
      cp.tuf.roots.splice(before);
    }
  });

  it('refuses a root chain with a forged link', async () => {
    const forged = new ControlPlaneDouble();
    forged.tuf.rotateRoot();
    // Serve the real 1.root.json followed by another control plane's version 2.
    cp.tuf.roots.push(forged.tuf.roots[1]!);
    try {
      expect(
        await codeOf(
          enrollDevice({ serverUrl: cp.url, token: cp.mintToken('led'), stateDir: dir, role: 'led' }),
        ),
      ).toBe(ErrorCode.TUF_ROOT);
      await notEnrolled(dir);
    } finally {
      cp.tuf.roots.splice(1);
    }
  });
});
