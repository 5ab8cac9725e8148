import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { NodeView } from '../../../../protocol/schemas/admin.js';
import type { DeviceRuntime } from '../../../../protocol/schemas/channel.js';
import type { DeviceDetail, DeviceSessionsResponse } from '../../../../protocol/schemas/device-admin.js';
import { authChannel, openChannel } from '../../testing/channel-client.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { type AdminInject, scopedAdmin } from '../../testing/scoped-admin.js';
import { TestDevice } from '../../testing/test-device.js';

/**
 * The device page's API over a real channel: connecting and disconnecting writes the online history (with
 * the presence batch), the runtime told at the handshake shows up, scope answers 404 like an unknown id,
 * and a runtime that does not fit the schema refuses the handshake.
 */
let h: Harness;
let wsUrl: string;
let community: NodeView;
let neighbour: NodeView;
let staffHere: AdminInject;
let adminNext: AdminInject;

const RUNTIME: DeviceRuntime = {
  version: '0.1.0',
  git: 'v0.1.0-7-g1a2b3c4',
  node: 'v20.17.0',
  platform: 'linux-arm64',
};

async function enrolled(role: 'lobby' | 'kiosk' | 'led' = 'lobby'): Promise<TestDevice> {
  const dev = new TestDevice();
  await dev.enroll(h.app, (await h.token(community.id, role)).token, role);
  return dev;
}

/** The presence batch (and with it the sessions) is written every 50 ms: wait for it. */
const settled = () => h.app.cluster.notifier.settled();

const detail = async (id: string, as: AdminInject = h.admin) => as({ method: 'GET', url: API.device(id) });
const sessions = async (id: string, query = '') =>
  (
    await h.admin({ method: 'GET', url: `${API.deviceSessions(id)}${query}` })
  ).json() as DeviceSessionsResponse;

beforeAll(async () => {
  h = await createHarness();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  wsUrl = `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}${API.deviceChannel}`;
  ({ community, neighbour } = await h.sunshine());
  staffHere = await scopedAdmin(h, 'staff.here', 'staff', community.id);
  adminNext = await scopedAdmin(h, 'admin.next', 'admin', neighbour.id);
});
afterAll(() => h?.close());

describe('device page API', () => {
  it('records each channel session with the runtime told, and shows it on the device', async () => {
    const dev = await enrolled('lobby');
    const before = (await detail(dev.id)).json() as DeviceDetail;
    expect([before.online, before.onlineSince, before.runtime]).toEqual([false, null, null]);
    expect((await sessions(dev.id)).sessions).toEqual([]);

    const c = await openChannel(wsUrl, dev, { contentVersion: 'abc', runtime: RUNTIME });
    await settled();
    const on = (await detail(dev.id)).json() as DeviceDetail;
    expect(on).toMatchObject({
      id: dev.id,
      role: 'lobby',
      nodeId: community.id,
      nodeLevel: 'community',
      nodePath: ['邻里市', '和平区', '幸福街道', '阳光社区'],
      timezone: 'Asia/Shanghai',
      status: 'active',
      online: true,
      runtime: { ...RUNTIME },
    });
    expect(on.lastSeenAt).not.toBeNull();
    const [open] = (await sessions(dev.id)).sessions;
    expect(open).toMatchObject({ instanceId: h.app.cluster.id, disconnectedAt: null, runtime: RUNTIME });
    expect(on.onlineSince).toBe(open?.connectedAt);
    expect(on.runtime?.reportedAt).toBe(open?.connectedAt);

    await c.close();
    await settled();
    const [closed] = (await sessions(dev.id)).sessions;
    expect(closed).toMatchObject({ id: open?.id, closeReason: 'device' });
    expect(closed?.disconnectedAt).not.toBeNull();
    expect((await detail(dev.id)).json()).toMatchObject({ online: false, onlineSince: null });

    // A runtime that tells nothing keeps the last one known; the newer session is listed first.
    h.clock.advance(1000);
    const again = await openChannel(wsUrl, dev);
    await settled();
    const list = (await sessions(dev.id)).sessions;
    expect(list.map((s) => [s.disconnectedAt === null, s.runtime])).toEqual([
      [true, null],
      [false, RUNTIME],
    ]);
    expect(((await detail(dev.id)).json() as DeviceDetail).runtime).toMatchObject(RUNTIME);
    expect((await sessions(dev.id, '?limit=1')).sessions.map((s) => s.id)).toEqual([list[0]?.id]);
    await again.close();
  });

  it('closes the old session as replaced when the same device connects again', async () => {
    const dev = await enrolled('led');
    const first = await openChannel(wsUrl, dev, { runtime: RUNTIME });
    h.clock.advance(1000);
    const second = await openChannel(wsUrl, dev, { runtime: { ...RUNTIME, version: '0.1.1' } });
    expect((await first.closed).code).toBe(4000);
    await settled();
    const list = (await sessions(dev.id)).sessions;
    expect(list.map((s) => [s.closeReason, s.closeCode, s.runtime?.version])).toEqual([
      [null, null, '0.1.1'],
      ['replaced', 4000, '0.1.0'],
    ]);
    await second.close();
  });

  it('refuses a runtime that does not fit the schema: 1008, nothing recorded', async () => {
    const dev = await enrolled('lobby');
    for (const runtime of [
      { ...RUNTIME, version: 'x'.repeat(33) },
      { ...RUNTIME, shell: 'rm -rf /' },
      { ...RUNTIME, git: 'v1 <script>' },
      { version: '0.1.0' },
    ]) {
      const c = await authChannel(wsUrl, dev, { runtime });
      expect(await c.closed).toEqual({ code: 1008, reason: ErrorCode.HANDSHAKE_FAILED });
    }
    await settled();
    expect((await sessions(dev.id)).sessions).toEqual([]);
  });

  it('answers 404 like an unknown id outside the admin’s scope; staff may read; bad queries are 400', async () => {
    const dev = await enrolled('kiosk');
    expect((await detail(dev.id, staffHere)).statusCode).toBe(200);
    expect((await staffHere({ method: 'GET', url: API.deviceSessions(dev.id) })).statusCode).toBe(200);
    const theirs = await detail(dev.id, adminNext);
    const unknownId = newId('dev');
    const unknown = await detail(unknownId, adminNext);
    expect([theirs.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(theirs.json()).toEqual(JSON.parse(unknown.body.replaceAll(unknownId, dev.id)));
    const theirSessions = await adminNext({ method: 'GET', url: API.deviceSessions(dev.id) });
    expect([theirSessions.statusCode, theirSessions.json().error.code]).toEqual([404, ErrorCode.NOT_FOUND]);
    expect((await h.app.inject({ method: 'GET', url: API.device(dev.id) })).statusCode).toBe(401);
    for (const q of ['?limit=0', '?limit=1001', '?since=yesterday', '?extra=1']) {
      const res = await h.admin({ method: 'GET', url: `${API.deviceSessions(dev.id)}${q}` });
      expect({ q, status: res.statusCode }).toEqual({ q, status: 400 });
    }
  });
});
