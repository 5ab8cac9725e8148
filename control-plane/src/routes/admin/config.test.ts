import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { NodeView } from '../../../../protocol/schemas/admin.js';
import type { DeviceConfigView, NodeConfigView } from '../../../../protocol/schemas/config-admin.js';
import { type ChannelClient, openChannel } from '../../testing/channel-client.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { type AdminInject, scopedAdmin } from '../../testing/scoped-admin.js';
import { TestDevice } from '../../testing/test-device.js';

let h: Harness;
let nodes: { district: NodeView; street: NodeView; community: NodeView; neighbour: NodeView };
let city: string;
let kiosk: TestDevice;
let led: TestDevice;
let staff: AdminInject;
let communityAdmin: AdminInject;

const rows = () =>
  h.repo.db.prepare('SELECT scope_kind, scope_id, key, value FROM config_settings ORDER BY key').all() as {
    key: string;
  }[];
const setting = (view: NodeConfigView | DeviceConfigView, key: string) =>
  view.settings.find((s) => s.key === key)!;

beforeAll(async () => {
  h = await createHarness();
  nodes = await h.sunshine();
  city = nodes.district.parentId!;
  kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(nodes.community.id, 'kiosk')).token, 'kiosk');
  led = new TestDevice();
  await led.enroll(h.app, (await h.token(nodes.neighbour.id, 'led')).token, 'led');
  staff = await scopedAdmin(h, 'cfg.staff', 'staff', nodes.community.id);
  communityAdmin = await scopedAdmin(h, 'cfg.admin', 'admin', nodes.community.id);
});
afterAll(() => h.close());

describe('node configuration (admin API)', () => {
  it('shows every setting at its default before anything is set', async () => {
    const res = await h.admin({ method: 'GET', url: API.nodeConfig(nodes.street.id) });
    expect(res.statusCode).toBe(200);
    const view = res.json() as NodeConfigView;
    expect(view.node).toEqual({ id: nodes.street.id, level: 'street', name: '幸福街道' });
    expect(view.settings.length).toBe(14);
    expect(setting(view, 'idle.resetSec')).toMatchObject({
      here: null,
      inherited: { value: 90, source: { kind: 'default' } },
      label: { zh: '无操作返回首页（秒）', en: 'Idle timeout (s)' },
      apply: 'between-sessions',
      roles: ['kiosk'],
      schema: { type: 'integer', minimum: 30, maximum: 3600, default: 90 },
    });
  });

  it('sets on a node, inherits below with the source, clears with null', async () => {
    const put = await h.admin({
      method: 'PUT',
      url: API.nodeConfig(nodes.street.id),
      payload: { 'idle.resetSec': 120, 'log.level': 'debug' },
    });
    expect(put.statusCode).toBe(200);
    const streetView = put.json() as NodeConfigView;
    expect(setting(streetView, 'idle.resetSec').here).toMatchObject({ value: 120 });
    expect(streetView.revision).toBeGreaterThan(0);

    const below = (
      await h.admin({ method: 'GET', url: API.nodeConfig(nodes.community.id) })
    ).json() as NodeConfigView;
    expect(setting(below, 'idle.resetSec')).toMatchObject({
      here: null,
      inherited: {
        value: 120,
        source: { kind: 'node', nodeId: nodes.street.id, level: 'street', name: '幸福街道' },
      },
    });
    // The city sets it too: the street (nearer) still wins below it; the street itself inherits the city's.
    await h.admin({ method: 'PUT', url: API.nodeConfig(city), payload: { 'idle.resetSec': 300 } });
    const again = (
      await h.admin({ method: 'GET', url: API.nodeConfig(nodes.community.id) })
    ).json() as NodeConfigView;
    expect(setting(again, 'idle.resetSec').inherited.value).toBe(120);
    const streetAgain = (
      await h.admin({ method: 'GET', url: API.nodeConfig(nodes.street.id) })
    ).json() as NodeConfigView;
    expect(setting(streetAgain, 'idle.resetSec').inherited).toMatchObject({
      value: 300,
      source: { kind: 'node', nodeId: city, level: 'city' },
    });

    const cleared = await h.admin({
      method: 'PUT',
      url: API.nodeConfig(nodes.street.id),
      payload: { 'idle.resetSec': null },
    });
    expect(setting(cleared.json() as NodeConfigView, 'idle.resetSec').here).toBeNull();
    const after = (
      await h.admin({ method: 'GET', url: API.nodeConfig(nodes.community.id) })
    ).json() as NodeConfigView;
    expect(setting(after, 'idle.resetSec').inherited).toMatchObject({
      value: 300,
      source: { kind: 'node', nodeId: city },
    });
    await h.admin({ method: 'PUT', url: API.nodeConfig(city), payload: { 'idle.resetSec': null } });
  });

  it.each([
    [{ 'idle.resetSec': 5 }, ErrorCode.SETTING_INVALID, 'idle.resetSec'],
    [{ 'idle.resetSec': '120' }, ErrorCode.SETTING_INVALID, 'idle.resetSec'],
    [{ 'led.brightness': [{ from: '25:00', level: 3 }] }, ErrorCode.SETTING_INVALID, 'led.brightness'],
    [{ 'payment.methods': ['qr', 'cash'] }, ErrorCode.SETTING_INVALID, 'payment.methods'],
    [{ 'idle.resetsec': 120 }, ErrorCode.SETTING_UNKNOWN, 'idle.resetsec'],
  ])('refuses %j whole with %s and stores nothing', async (body, code, field) => {
    const before = rows();
    const res = await h.admin({
      method: 'PUT',
      url: API.nodeConfig(nodes.community.id),
      // A good key beside the bad one: it must not be stored either.
      payload: { 'audio.volume': 33, ...body },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code, details: { field } });
    expect(rows()).toEqual(before);
  });

  it('a body that is not an object is a coded 400', async () => {
    const res = await h.admin({ method: 'PUT', url: API.nodeConfig(nodes.community.id), payload: [1] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toMatch(/^LINLI_ERR_/);
  });

  it('staff read but may not write (403 names config.write); nothing stored', async () => {
    expect((await staff({ method: 'GET', url: API.nodeConfig(nodes.community.id) })).statusCode).toBe(200);
    expect((await staff({ method: 'GET', url: API.deviceConfigAdmin(kiosk.id) })).statusCode).toBe(200);
    const before = rows();
    for (const url of [API.nodeConfig(nodes.community.id), API.deviceConfigAdmin(kiosk.id)]) {
      const res = await staff({ method: 'PUT', url, payload: { 'audio.volume': 10 } });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject({
        code: ErrorCode.FORBIDDEN,
        details: { permission: 'config.write' },
      });
    }
    expect(rows()).toEqual(before);
  });

  it('a community admin cannot see or set its street (404 like unknown), and can its own community', async () => {
    const up = await communityAdmin({ method: 'GET', url: API.nodeConfig(nodes.street.id) });
    expect(up.statusCode).toBe(404);
    expect(up.json().error.code).toBe(ErrorCode.NODE_NOT_FOUND);
    const put = await communityAdmin({
      method: 'PUT',
      url: API.nodeConfig(nodes.street.id),
      payload: { 'audio.volume': 1 },
    });
    expect(put.statusCode).toBe(404);
    const led404 = await communityAdmin({ method: 'GET', url: API.deviceConfigAdmin(led.id) });
    expect(led404.statusCode).toBe(404);
    expect(led404.json().error.code).toBe(ErrorCode.NOT_FOUND);
    const own = await communityAdmin({
      method: 'PUT',
      url: API.nodeConfig(nodes.community.id),
      payload: { 'audio.volume': 55 },
    });
    expect(own.statusCode).toBe(200);
    await communityAdmin({
      method: 'PUT',
      url: API.nodeConfig(nodes.community.id),
      payload: { 'audio.volume': null },
    });
  });
});

describe('device configuration (admin API)', () => {
  it('shows only the settings of the device role, with effective value and source, and its overrides', async () => {
    await h.admin({ method: 'PUT', url: API.nodeConfig(nodes.street.id), payload: { 'audio.volume': 40 } });
    const put = await h.admin({
      method: 'PUT',
      url: API.deviceConfigAdmin(kiosk.id),
      payload: { 'ui.defaultLanguage': 'en' },
    });
    expect(put.statusCode).toBe(200);
    const view = put.json() as DeviceConfigView;
    expect(view.settings.map((s) => s.key)).not.toContain('led.brightness');
    expect(view.settings.map((s) => s.key)).toContain('receipt.headerLines');
    expect(setting(view, 'audio.volume')).toMatchObject({
      here: null,
      effective: { value: 40, source: { kind: 'node', nodeId: nodes.street.id, level: 'street' } },
    });
    expect(setting(view, 'ui.defaultLanguage')).toMatchObject({
      here: { value: 'en' },
      inherited: { value: 'zh', source: { kind: 'default' } },
      effective: { value: 'en', source: { kind: 'device', deviceId: kiosk.id } },
    });
    expect(view.status).toBe('never');
    const ledView = (
      await h.admin({ method: 'GET', url: API.deviceConfigAdmin(led.id) })
    ).json() as DeviceConfigView;
    expect(ledView.settings.map((s) => s.key).sort()).toEqual(
      [
        'content.pollIntervalOnlineSec',
        'content.pollIntervalSec',
        'health.reportIntervalSec',
        'led.brightness',
        'log.level',
      ].sort(),
    );
  });

  it('refuses an override the role lacks (coded) and stores nothing', async () => {
    const before = rows();
    const res = await h.admin({
      method: 'PUT',
      url: API.deviceConfigAdmin(led.id),
      payload: { 'audio.volume': 10 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: ErrorCode.SETTING_INVALID,
      details: { field: 'audio.volume', role: 'led' },
    });
    expect(rows()).toEqual(before);
  });

  it('tells connected devices of the subtree to sync config, and the one device on its own change', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}${API.deviceChannel}`;
    const channels: ChannelClient[] = [];
    try {
      const k = await openChannel(url, kiosk);
      const l = await openChannel(url, led);
      channels.push(k, l);
      // A kiosk-only key set on the street: the kiosk is told, the LED sign (same street) is not.
      await h.admin({ method: 'PUT', url: API.nodeConfig(nodes.street.id), payload: { 'audio.volume': 41 } });
      expect(await k.next('sync')).toMatchObject({ type: 'sync', topic: 'config' });
      // A key for every role: both are told.
      await h.admin({
        method: 'PUT',
        url: API.nodeConfig(nodes.street.id),
        payload: { 'log.level': 'warn' },
      });
      expect(await k.next('sync')).toMatchObject({ topic: 'config' });
      expect(await l.next('sync')).toMatchObject({ topic: 'config' });
      // The LED heard exactly one sync: the kiosk-only change did not reach it.
      expect(l.messages.filter((m) => m.type === 'sync')).toEqual([]);
      await h.admin({ method: 'PUT', url: API.deviceConfigAdmin(led.id), payload: { 'log.level': 'trace' } });
      expect(await l.next('sync')).toMatchObject({ topic: 'config', spreadMs: 3 });
      // Unchanged values: no write, no sync (positive control: the change above was heard).
      await h.admin({ method: 'PUT', url: API.deviceConfigAdmin(led.id), payload: { 'log.level': 'trace' } });
      await new Promise((r) => setTimeout(r, 200));
      expect(l.messages.filter((m) => m.type === 'sync')).toEqual([]);
    } finally {
      for (const c of channels) await c.close();
    }
  });
});
