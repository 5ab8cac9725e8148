import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { Keyring, verifyEnvelope } from '../../../../protocol/envelope.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { verifyKeyOf } from '../../../../protocol/keys.js';
import type { NodeView } from '../../../../protocol/schemas/admin.js';
import type { Signed } from '../../../../protocol/schemas/common.js';
import { TargetState } from '../../../../protocol/schemas/fleet.js';
import type { MoveNodeReport } from '../../../../protocol/schemas/node-lifecycle.js';
import type { ContentManifest } from '../../../../protocol/schemas/notice.js';
import { hashedTargetName, manifestTarget } from '../../../../protocol/tuf/device-view.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { scopedAdmin } from '../../testing/scoped-admin.js';
import { TestDevice } from '../../testing/test-device.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

async function addNode(parentId: string, name: string): Promise<NodeView> {
  const res = await h.admin({ method: 'POST', url: API.nodes, payload: { parentId, name } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as NodeView;
}

const meta = (dev: TestDevice, file: string) =>
  dev.call(h.app, { method: 'GET', url: `${API.deviceTufMetadata}/${file}` });

/** The device's notice manifest, fetched through its own TUF view as a device does. */
async function manifestOf(dev: TestDevice): Promise<ContentManifest> {
  const ts = JSON.parse((await meta(dev, 'timestamp.json')).body);
  const snap = JSON.parse((await meta(dev, `${ts.signed.meta['snapshot.json'].version}.snapshot.json`)).body);
  const targets = JSON.parse(
    (await meta(dev, `${snap.signed.meta['targets.json'].version}.targets.json`)).body,
  );
  const info = targets.signed.targets[manifestTarget(dev.id)];
  const res = await dev.call(h.app, {
    method: 'GET',
    url: `${API.deviceTufTargets}/${hashedTargetName(manifestTarget(dev.id), info.hashes.sha256)}`,
  });
  expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(info.hashes.sha256);
  return JSON.parse(res.body) as ContentManifest;
}

async function configTarget(dev: TestDevice): Promise<TargetState> {
  const res = await dev.call(h.app, { method: 'GET', url: API.deviceConfig });
  expect(res.statusCode).toBe(200);
  const { keyring } = Keyring.fromKeyset(h.app.keys.keyset, verifyKeyOf(h.app.keys.root));
  const { target } = res.json() as { target: Signed<TargetState> };
  return verifyEnvelope<TargetState>(target, keyring, { type: 'linli.target-state/v1', schema: TargetState });
}

async function publish(nodeId: string, title: string): Promise<void> {
  const res = await h.admin({
    method: 'POST',
    url: API.notices,
    payload: { publish: true, targets: { nodeIds: [nodeId] }, title: { zh: title }, body: { zh: 'x' } },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
}

describe('PATCH /api/v1/admin/nodes/:id (rename)', () => {
  it('renames (trimmed), refuses a sibling’s name with 409 and a blank one with 400, staff 403', async () => {
    const { street, community } = await h.community('改名');
    await addNode(street.id, '邻居社区');
    const res = await h.admin({
      method: 'PATCH',
      url: API.node(community.id),
      payload: { name: '  新名社区 ' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: community.id, name: '新名社区' });
    expect((res.json() as NodeView).path.at(-1)).toBe('新名社区');
    const listed = (await h.admin({ method: 'GET', url: `${API.nodes}?parentId=${street.id}` })).json() as {
      nodes: NodeView[];
    };
    expect(listed.nodes.map((n) => n.name)).toContain('新名社区');

    const taken = await h.admin({
      method: 'PATCH',
      url: API.node(community.id),
      payload: { name: '邻居社区' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: { code: ErrorCode.CONFLICT } });
    const blank = await h.admin({ method: 'PATCH', url: API.node(community.id), payload: { name: '   ' } });
    expect(blank.json()).toMatchObject({
      error: { code: ErrorCode.BAD_REQUEST, details: { field: 'name' } },
    });
    expect((await h.repo.nodes.get(community.id))?.name).toBe('新名社区');

    const staff = await scopedAdmin(h, 'rename-staff', 'staff', street.id);
    const denied = await staff({ method: 'PATCH', url: API.node(community.id), payload: { name: 'x' } });
    expect(denied.statusCode).toBe(403);
  });

  it('answers a node outside the actor’s scope exactly like an unknown one (404)', async () => {
    const a = await h.community('改名甲');
    const b = await h.community('改名乙');
    const districtA = await scopedAdmin(h, 'rename-district-a', 'admin', a.district.id);
    const outside = await districtA({
      method: 'PATCH',
      url: API.node(b.community.id),
      payload: { name: 'x' },
    });
    const unknown = await districtA({
      method: 'PATCH',
      url: API.node('node_00000000000000000000000000'),
      payload: { name: 'x' },
    });
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toMatchObject({ error: { code: ErrorCode.NODE_NOT_FOUND } });
    expect(unknown.json().error.code).toBe(outside.json().error.code);
    expect((await h.repo.nodes.get(b.community.id))?.name).toBe(b.community.name);
    const inside = await districtA({
      method: 'PATCH',
      url: API.node(a.community.id),
      payload: { name: 'ok' },
    });
    expect(inside.statusCode).toBe(200);
  });
});

describe('POST /api/v1/admin/nodes/:id/move', () => {
  it('keeps levels consistent: only a community under a street (a street under a district), never the city', async () => {
    const { district, street, community } = await h.community('层级');
    const other = await addNode(district.id, '另一街道');
    const city = (await h.repo.nodes.get(district.parentId!))!;
    const cases: [string, string][] = [
      [community.id, district.id],
      [community.id, community.id],
      [street.id, other.id],
      [city.id, district.id],
    ];
    for (const [id, parentId] of cases) {
      const res = await h.admin({ method: 'POST', url: API.nodeMove(id), payload: { parentId } });
      expect(res.statusCode, `${id} → ${parentId}`).toBe(400);
      expect(res.json().error.code).toBe(ErrorCode.NODE_LEVEL);
    }
    const same = await h.admin({
      method: 'POST',
      url: API.nodeMove(community.id),
      payload: { parentId: street.id },
    });
    expect(same.json()).toMatchObject({
      error: { code: ErrorCode.BAD_REQUEST, details: { field: 'parentId' } },
    });
    expect(await h.repo.nodes.get(community.id)).toMatchObject({ parentId: street.id });
  });

  it('needs both the node and the new parent in scope (404 like unknown), and the move permission', async () => {
    const a = await h.community('搬甲');
    const b = await h.community('搬乙');
    const streetAdmin = await scopedAdmin(h, 'move-street-a', 'admin', a.street.id);
    const toOutside = await streetAdmin({
      method: 'POST',
      url: API.nodeMove(a.community.id),
      payload: { parentId: b.street.id },
    });
    expect(toOutside.statusCode).toBe(404);
    expect(toOutside.json()).toMatchObject({
      error: { code: ErrorCode.NODE_NOT_FOUND, details: { field: 'parentId' } },
    });
    const fromOutside = await streetAdmin({
      method: 'POST',
      url: API.nodeMove(b.community.id),
      payload: { parentId: a.street.id },
    });
    expect(fromOutside.statusCode).toBe(404);
    const staff = await scopedAdmin(h, 'move-staff', 'staff', a.district.id);
    const other = await addNode(a.district.id, '搬甲二街');
    const denied = await staff({
      method: 'POST',
      url: API.nodeMove(a.community.id),
      payload: { parentId: other.id },
    });
    expect(denied.statusCode).toBe(403);
    expect(await h.repo.nodes.get(a.community.id)).toMatchObject({ parentId: a.street.id });
  });

  it('a dry run tells what the move does and changes nothing; the real move does it and the devices follow', async () => {
    const { district, street: oldStreet, community } = await h.community('搬家');
    const newStreet = await addNode(district.id, '新街道');
    const below = await addNode(community.id, '一号楼').catch(() => undefined);
    expect(below).toBeUndefined(); // a community is the lowest level
    const kiosk = new TestDevice();
    await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
    // Accounts: one inside the community moves with it, one at each street loses / gains sight.
    await scopedAdmin(h, 'move-inside', 'staff', community.id);
    await scopedAdmin(h, 'move-old-street', 'admin', oldStreet.id);
    await scopedAdmin(h, 'move-new-street', 'admin', newStreet.id);
    await scopedAdmin(h, 'move-district', 'admin', district.id);
    // Inherited settings: the old street sets a volume the new one does not.
    // The new street's write is the older one: without the move's own revision the version would go back.
    await h.admin({ method: 'PUT', url: API.nodeConfig(newStreet.id), payload: { 'log.level': 'debug' } });
    await h.admin({ method: 'PUT', url: API.nodeConfig(oldStreet.id), payload: { 'idle.resetSec': 120 } });
    await publish(oldStreet.id, '旧街道通知');
    await publish(newStreet.id, '新街道通知');
    expect((await manifestOf(kiosk)).notices.map((n) => n.title.zh)).toContain('旧街道通知');
    expect((await manifestOf(kiosk)).notices.map((n) => n.title.zh)).not.toContain('新街道通知');
    const before = await configTarget(kiosk);
    expect(before.settings['idle.resetSec']).toBe(120);

    const dry = await h.admin({
      method: 'POST',
      url: API.nodeMove(community.id),
      payload: { parentId: newStreet.id, dryRun: true },
    });
    expect(dry.statusCode).toBe(200);
    const report = dry.json() as MoveNodeReport;
    expect(report).toMatchObject({
      dryRun: true,
      nodes: 1,
      from: { parentId: oldStreet.id },
      to: { parentId: newStreet.id },
      node: {
        id: community.id,
        parentId: newStreet.id,
        path: [expect.any(String), district.name, '新街道', community.name],
      },
    });
    expect(report.devices.map((d) => d.id)).toEqual([kiosk.id]);
    expect(report.accounts.map((a) => a.username)).toEqual(['move-inside']);
    expect(report.losesSight.map((a) => a.username)).toEqual(['move-old-street']);
    expect(report.gainsSight.map((a) => a.username)).toEqual(['move-new-street']);
    const changes = report.settings.map((s) => [s.deviceId, s.key, s.from.value, s.to.value]);
    expect(changes).toContainEqual([kiosk.id, 'idle.resetSec', 120, expect.anything()]);
    expect(changes).toContainEqual([kiosk.id, 'log.level', expect.anything(), 'debug']);
    expect(report.settings.find((s) => s.key === 'log.level')?.to.source).toMatchObject({
      nodeId: newStreet.id,
    });
    // Nothing moved.
    expect(await h.repo.nodes.get(community.id)).toMatchObject({ parentId: oldStreet.id });
    expect((await manifestOf(kiosk)).notices.map((n) => n.title.zh)).toContain('旧街道通知');

    const real = await h.admin({
      method: 'POST',
      url: API.nodeMove(community.id),
      payload: { parentId: newStreet.id },
    });
    expect(real.statusCode).toBe(200);
    expect(real.json()).toMatchObject({ dryRun: false, node: { parentId: newStreet.id } });
    expect(await h.repo.nodes.get(community.id)).toMatchObject({
      parentId: newStreet.id,
      ancestry: [...newStreet.path.map(() => expect.any(String)), community.id],
    });
    expect((await h.repo.nodes.get(community.id))?.ancestry).toContain(newStreet.id);
    // The device's own TUF view: the old street's notice no longer reaches it, the new street's does.
    const titles = (await manifestOf(kiosk)).notices.map((n) => n.title.zh);
    expect(titles).toContain('新街道通知');
    expect(titles).not.toContain('旧街道通知');
    // Its config: the new chain's values, under a higher version than any it was sent.
    const after = await configTarget(kiosk);
    expect(after.settings['log.level']).toBe('debug');
    expect(after.settings['idle.resetSec']).toBeUndefined();
    expect(after.version).toBeGreaterThan(before.version);
    // Scope follows: the old street's admin no longer sees it, the new one does.
    const oldAdmin = await scopedAdmin(h, 'move-old-street-2', 'admin', oldStreet.id);
    expect(
      (await oldAdmin({ method: 'PATCH', url: API.node(community.id), payload: { name: 'x' } })).statusCode,
    ).toBe(404);
  });
});

describe('POST /api/v1/admin/nodes/:id/retire', () => {
  it('retires only an empty node; the 409 names what is left', async () => {
    const { street, community } = await h.community('退役');
    const dev = new TestDevice();
    await dev.enroll(h.app, (await h.token(community.id, 'lobby')).token, 'lobby');
    const busy = await h.admin({ method: 'POST', url: API.nodeRetire(community.id), payload: {} });
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({
      error: { code: ErrorCode.NODE_NOT_EMPTY, details: { left: { children: 0, devices: 1, accounts: 0 } } },
    });
    const parent = await h.admin({ method: 'POST', url: API.nodeRetire(street.id), payload: {} });
    expect(parent.json()).toMatchObject({ error: { details: { left: { children: 1 } } } });

    const withAccount = await addNode(street.id, '有账号社区');
    await scopedAdmin(h, 'retire-account', 'staff', withAccount.id);
    const acc = await h.admin({ method: 'POST', url: API.nodeRetire(withAccount.id), payload: {} });
    expect(acc.json()).toMatchObject({ error: { details: { left: { accounts: 1 } } } });

    const withToken = await addNode(street.id, '有令牌社区');
    await h.token(withToken.id, 'kiosk');
    const tok = await h.admin({ method: 'POST', url: API.nodeRetire(withToken.id), payload: {} });
    expect(tok.statusCode).toBe(409);
    expect(tok.json()).toMatchObject({
      error: { code: ErrorCode.NODE_NOT_EMPTY, details: { left: { records: true } } },
    });
    expect(await h.repo.nodes.get(withToken.id)).toBeDefined();

    const empty = await addNode(street.id, '空社区');
    const staff = await scopedAdmin(h, 'retire-staff', 'staff', street.id);
    expect((await staff({ method: 'POST', url: API.nodeRetire(empty.id), payload: {} })).statusCode).toBe(
      403,
    );
    const ok = await h.admin({ method: 'POST', url: API.nodeRetire(empty.id), payload: {} });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: empty.id, name: '空社区' });
    expect(await h.repo.nodes.get(empty.id)).toBeUndefined();
    const listed = (await h.admin({ method: 'GET', url: `${API.nodes}?parentId=${street.id}` })).json() as {
      nodes: NodeView[];
    };
    expect(listed.nodes.map((n) => n.id)).not.toContain(empty.id);
    expect(listed.nodes.map((n) => n.id)).toContain(community.id);
    const again = await h.admin({ method: 'POST', url: API.nodeRetire(empty.id), payload: {} });
    expect(again.statusCode).toBe(404);
  });
});
