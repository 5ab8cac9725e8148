import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../control-plane/src/storage/sqlite/migrations/index.js';
import { createHarness, type Harness } from '../../control-plane/src/testing/harness.js';
import { ErrorCode } from '../../protocol/errors.js';
import { type BackupWorld, backupWorld, cli, expectSameService } from '../testing/backup-world.js';
import { command as backup } from './backup.js';
import { command as restore } from './restore.js';

const root = mkdtempSync(join(tmpdir(), 'linli-backup-'));
let w: BackupWorld;
let h: Harness;
let restored: Harness | undefined;

beforeAll(async () => {
  w = await backupWorld({ dataDir: join(root, 'data') });
  h = w.h;
});

afterAll(async () => {
  await restored?.close({ keepData: true });
  await h.close({ keepData: true });
  rmSync(root, { recursive: true, force: true });
});

describe('linli backup / linli restore (SQLite)', () => {
  it('backs up while the server keeps paying, restores into an empty data dir, serves the same', async () => {
    const out = join(root, 'backup');
    // A payment in flight while the online backup copies: the copy is one consistent state either way.
    const [b, during] = await Promise.all([
      cli(backup, ['--data', h.dataDir, '--out', out]),
      w.flow.pay('gas', '3003000001'),
    ]);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({ engine: 'sqlite', schemaVersion: MIGRATIONS.length });
    const manifest = JSON.parse(readFileSync(join(out, 'backup.json'), 'utf8')) as {
      files: { path: string }[];
    };
    const paths = manifest.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['linli.sqlite', 'simulators.sqlite', 'keys/root.pem']));
    expect(paths.some((p) => p.startsWith('tuf/roots/'))).toBe(true);
    expect(paths.some((p) => p.includes('offline'))).toBe(false);

    const target = join(root, 'restored');
    const r = await cli(restore, ['--from', out, '--data', target]);
    expect(r.code).toBe(0);
    const copy = new BetterSqlite3(join(target, 'linli.sqlite'), { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const mid = copy.prepare('SELECT state FROM payments WHERE id = ?').get(during.payment.payload.id) as
      | { state: string }
      | undefined;
    copy.close();
    // Whatever the copy caught of the second payment is a state the pipeline committed, not a torn write.
    if (mid)
      expect(['created', 'presented', 'authorized', 'posted', 'captured', 'receipted']).toContain(mid.state);

    // The original keeps running; the restored copy is a second control plane on the restored data dir.
    restored = await createHarness({ dataDir: target });
    await expectSameService(w, restored);
  });

  it('refuses to restore over a store, and refuses a damaged backup, writing nothing', async () => {
    const out = join(root, 'backup');
    const again = await cli(restore, ['--from', out, '--data', join(root, 'restored')]).catch((e) => e);
    expect(again).toMatchObject({ code: ErrorCode.RESTORE_TARGET_NOT_EMPTY });

    const damaged = join(root, 'damaged');
    expect((await cli(backup, ['--data', h.dataDir, '--out', damaged])).code).toBe(0);
    writeFileSync(join(damaged, 'keys', 'root.pem'), 'not the key');
    const fresh = join(root, 'fresh');
    await expect(cli(restore, ['--from', damaged, '--data', fresh])).rejects.toMatchObject({
      code: ErrorCode.BAD_REQUEST,
      message: expect.stringMatching(/keys\/root\.pem .*does not match/),
    });
    expect(existsSync(join(fresh, 'linli.sqlite'))).toBe(false);

    const m = JSON.parse(readFileSync(join(damaged, 'backup.json'), 'utf8'));
    m.files.push({ path: '../etc/passwd', sha256: '0'.repeat(64), bytes: 1 });
    writeFileSync(join(damaged, 'backup.json'), JSON.stringify(m));
    await expect(cli(restore, ['--from', damaged, '--data', fresh])).rejects.toMatchObject({
      code: ErrorCode.BAD_REQUEST,
    });
    // A backup goes only into a new folder.
    await expect(cli(backup, ['--data', h.dataDir, '--out', damaged])).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
    });
  });
});
