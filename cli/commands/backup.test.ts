import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness } from '../../control-plane/src/testing/harness.js';
import { KioskFlow } from '../../control-plane/src/testing/kiosk-flow.js';
import { TestDevice } from '../../control-plane/src/testing/test-device.js';
import { API } from '../../protocol/api.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { PaymentResponse } from '../../protocol/schemas/device-api.js';
import type { NoticeActionResponse } from '../../protocol/schemas/notice-admin.js';
import { hashedTargetName, manifestTarget } from '../../protocol/tuf/device-view.js';
import { command as backup } from './backup.js';
import { command as restore } from './restore.js';

const root = mkdtempSync(join(tmpdir(), 'linli-backup-'));
let h: Harness;
let restored: Harness | undefined;
let lobby: TestDevice;
let flow: KioskFlow;
let notice: NoticeActionResponse;
let paid: PaymentResponse;

/** Runs a command in process and returns its exit code and stdout. */
async function cli(cmd: typeof backup, argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  try {
    return { code: await cmd.run(argv), out };
  } finally {
    spy.mockRestore();
  }
}

async function timestamp(app: Harness['app'], dev: TestDevice): Promise<string> {
  const res = await dev.call(app, { method: 'GET', url: `${API.deviceTufMetadata}/timestamp.json` });
  if (res.statusCode !== 200) throw new Error(`timestamp.json: ${res.statusCode} ${res.body}`);
  const ts = JSON.parse(res.body);
  return ts.signed.meta['snapshot.json'].version;
}

/** What a lobby screen is served: its manifest through its TUF view (root chain, snapshot, targets). */
async function manifestOf(app: Harness['app'], dev: TestDevice): Promise<unknown> {
  const meta = async (f: string) =>
    JSON.parse((await dev.call(app, { method: 'GET', url: `${API.deviceTufMetadata}/${f}` })).body);
  const snap = await meta(`${await timestamp(app, dev)}.snapshot.json`);
  const targets = await meta(`${snap.signed.meta['targets.json'].version}.targets.json`);
  const info = targets.signed.targets[manifestTarget(dev.id)];
  const res = await dev.call(app, {
    method: 'GET',
    url: `${API.deviceTufTargets}/${hashedTargetName(manifestTarget(dev.id), info.hashes.sha256)}`,
  });
  expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(info.hashes.sha256);
  return JSON.parse(res.body);
}

beforeAll(async () => {
  h = await createHarness({ dataDir: join(root, 'data') });
  const { community } = await h.sunshine();
  lobby = new TestDevice();
  await lobby.enroll(h.app, (await h.token(community.id, 'lobby')).token, 'lobby');
  const kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
  flow = new KioskFlow(h, kiosk);
  const res = await h.admin({
    method: 'POST',
    url: API.notices,
    payload: {
      publish: true,
      title: { zh: '停水通知', en: 'Water cut' },
      body: { zh: '周三 9:00–15:00 停水，请提前储水。' },
      category: 'utility',
      targets: { nodeIds: [community.id] },
    },
  });
  expect(res.statusCode).toBe(201);
  notice = res.json() as NoticeActionResponse;
  paid = await flow.pay('water', '1001000001');
  expect((await flow.step(paid.payment.payload.id, 'close')).statusCode).toBe(200);
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
      flow.pay('gas', '3003000001'),
    ]);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({ engine: 'sqlite', schemaVersion: 6 });
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
    expect(restored.password).toBe(''); // not a first start: the city, keys and admin came back
    const login = await restored.app.inject({
      method: 'POST',
      url: API.login,
      payload: { username: 'admin', password: h.password },
    });
    expect(login.statusCode).toBe(200);
    const auth = { authorization: `Bearer ${(login.json() as { token: string }).token}` };

    const n = await restored.app.inject({ method: 'GET', url: API.notice(notice.notice.id), headers: auth });
    expect(n.statusCode).toBe(200);
    expect(n.json()).toEqual((await h.admin({ method: 'GET', url: API.notice(notice.notice.id) })).json());
    // The same device, with the same key, is served the same content through its TUF view. (Device sessions
    // are the instance's, so it authenticates again, as a real device does when told its session is unknown.)
    const before = await manifestOf(h.app, lobby);
    await lobby.session(restored.app);
    expect(await manifestOf(restored.app, lobby)).toEqual(before);

    const id = paid.payment.payload.id;
    const p = await restored.app.inject({ method: 'GET', url: API.adminPayment(id), headers: auth });
    expect(p.statusCode).toBe(200);
    expect(p.json()).toEqual((await h.admin({ method: 'GET', url: API.adminPayment(id) })).json());
    expect(p.json()).toMatchObject({ state: 'closed' });
    const original = (await flow.get(id)).json();
    await flow.kiosk.session(restored.app);
    const onDevice = await flow.kiosk.call(restored.app, { method: 'GET', url: API.devicePayment(id) });
    expect(onDevice.statusCode).toBe(200);
    expect(onDevice.json()).toEqual(original);
    // The receipt's public page verifies on the restored instance (same keys, same receipt).
    const verify = new URL(paid.receipt!.payload.verifyUrl);
    const page = await restored.app.inject({ method: 'GET', url: `${verify.pathname}${verify.search}` });
    expect(page.statusCode).toBe(200);
    // The simulated biller remembers the payment too: the bill is not open again.
    expect(await new KioskFlow(restored, flow.kiosk).bills('water', '1001000001')).toEqual([]);
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
