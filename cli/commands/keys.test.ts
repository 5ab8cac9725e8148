import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createHarness } from '../../control-plane/src/testing/harness.js';
import { TestDevice } from '../../control-plane/src/testing/test-device.js';
import { API } from '../../protocol/api.js';
import { ErrorCode } from '../../protocol/errors.js';
import { parseToken } from '../../protocol/token.js';
import { verifyRootChain } from '../../protocol/tuf/tuf-root.js';
import { command } from './keys.js';

async function run(...argv: string[]): Promise<string> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out.push(String(s));
    return true;
  });
  try {
    expect(await command.run(argv)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe('linli keys', () => {
  it('init makes a 2-of-3 offline root; a running control plane picks up a rotation and signs with the new keys', async () => {
    const root = await mkdtemp(join(tmpdir(), 'linli-keys-'));
    const data = join(root, 'cp');
    const offline = join(root, 'offline');
    const init = await run('init', '--data', data, '--offline', offline, '--keys', '3', '--threshold', '2');
    const anchor = /Trust anchor[^:]*: (\S+)/.exec(init)![1]!;
    const h = await createHarness({ dataDir: data, config: { autoInitKeys: false } });
    try {
      expect(h.app.tufKeys.anchor).toBe(anchor);
      const community = (await h.community('keys')).community;
      const token = (await h.token(community.id, 'lobby')).token;
      expect(parseToken(token).rootHash).toBe(anchor);
      const dev = new TestDevice();
      const enrolled = await dev.enroll(h.app, token, 'lobby');
      expect(verifyRootChain(enrolled.tufRoots, anchor).latest.signed.roles.root?.threshold).toBe(2);

      await run(
        'rotate-root',
        '--data',
        data,
        '--offline',
        offline,
        '--new-keys',
        '2',
        '--threshold',
        '2',
        '--rotate-online',
      );
      // Devices walk to root 2 and then get metadata signed by the new online keys.
      await new Promise((r) => setTimeout(r, 2_100));
      const r2 = await dev.call(h.app, { method: 'GET', url: `${API.deviceTufMetadata}/2.root.json` });
      expect(r2.statusCode).toBe(200);
      const chain = verifyRootChain([h.app.tufKeys.roots[0]!, r2.body], anchor);
      const ts = JSON.parse(
        (await dev.call(h.app, { method: 'GET', url: `${API.deviceTufMetadata}/timestamp.json` })).body,
      );
      expect(chain.latest.signed.roles.timestamp?.keyIDs).toContain(ts.signatures[0].keyid);
      expect(await run('status', '--data', data)).toMatch(/root 2: 2 of 2 keys/);
    } finally {
      await h.close({ keepData: true });
    }
    // The offline keys never went into the control plane's data dir.
    const files = await readFile(join(data, 'tuf', 'roots', '1.root.json'), 'utf8');
    expect(files).not.toContain('PRIVATE');
  });

  it('a control plane with autoInitKeys off and no root refuses to start, saying what to run', async () => {
    const data = join(await mkdtemp(join(tmpdir(), 'linli-keys-')), 'cp');
    await expect(createHarness({ dataDir: data, config: { autoInitKeys: false } })).rejects.toMatchObject({
      code: ErrorCode.TUF_KEYS_MISSING,
      message: expect.stringContaining('linli keys init'),
    });
  });
});
