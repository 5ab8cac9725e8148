import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { Keyring, verifyEnvelope } from '../../../../protocol/envelope.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { verifyKeyOf } from '../../../../protocol/keys.js';
import type { NodeView } from '../../../../protocol/schemas/admin.js';
import type { Signed } from '../../../../protocol/schemas/common.js';
import type { DeviceConfigView } from '../../../../protocol/schemas/config-admin.js';
import { TargetState } from '../../../../protocol/schemas/fleet.js';
import { etagOf } from '../../services/config/config-service.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { TestDevice } from '../../testing/test-device.js';

let h: Harness;
let nodes: { street: NodeView; community: NodeView };
let kiosk: TestDevice;
let lobby: TestDevice;

const fetchTarget = async (dev: TestDevice, etag?: string) =>
  dev.call(h.app, {
    method: 'GET',
    url: API.deviceConfig,
    headers: etag ? { 'if-none-match': etag } : {},
  });

/** The target, verified the way a device does: against the keyset the root key signs. */
async function verified(dev: TestDevice): Promise<{ state: TargetState; etag: string }> {
  const res = await fetchTarget(dev);
  expect(res.statusCode).toBe(200);
  const { keyring } = Keyring.fromKeyset(h.app.keys.keyset, verifyKeyOf(h.app.keys.root));
  const { target } = res.json() as { target: Signed<TargetState> };
  const state = verifyEnvelope<TargetState>(target, keyring, {
    type: 'linli.target-state/v1',
    schema: TargetState,
  });
  return { state, etag: res.headers.etag as string };
}

const report = (state: TargetState, outcome: string, extra: Record<string, unknown> = {}) => ({
  targetVersion: state.version,
  etag: state.etag,
  outcome,
  applied: outcome === 'applied' ? Object.keys(state.settings) : [],
  pending: [],
  failed: [],
  current: state.settings,
  at: new Date(h.clock.now()).toISOString(),
  ...extra,
});

const adminView = async (dev: TestDevice) =>
  (await h.admin({ method: 'GET', url: API.deviceConfigAdmin(dev.id) })).json() as DeviceConfigView;

beforeAll(async () => {
  h = await createHarness();
  nodes = await h.sunshine();
  kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(nodes.community.id, 'kiosk')).token, 'kiosk');
  lobby = new TestDevice();
  await lobby.enroll(h.app, (await h.token(nodes.community.id, 'lobby')).token, 'lobby');
});
afterAll(() => h.close());

describe('GET device config', () => {
  it('serves only what is set (nothing yet: the device keeps its own values), signed by the fleet key of the keyset', async () => {
    const { state, etag } = await verified(kiosk);
    expect(state.deviceId).toBe(kiosk.id);
    // The first use records the release's catalogue (one revision): nothing set yet, version 2.
    expect(state.version).toBe(2);
    expect(state.settings).toEqual({});
    expect(state.etag).toBe(etagOf(state.settings));
    expect(etag).toBe(`"${state.etag}"`);
    const sign = (await fetchTarget(kiosk)).json() as { target: Signed<TargetState> };
    expect(sign.target.kid).toBe(h.app.keys.fleet.kid);
  });

  it('gives each role only its own keys of what a node sets, and drops a key once it is cleared', async () => {
    const all = { 'idle.resetSec': 120, 'log.level': 'debug', 'screen.orientation': 'portrait' };
    const put = await h.admin({ method: 'PUT', url: API.nodeConfig(nodes.street.id), payload: all });
    expect(put.statusCode).toBe(200);
    expect((await verified(kiosk)).state.settings).toEqual(all);
    // A lobby screen has no idle timeout.
    expect((await verified(lobby)).state.settings).toEqual({
      'log.level': 'debug',
      'screen.orientation': 'portrait',
    });
    const cleared = await h.admin({
      method: 'PUT',
      url: API.nodeConfig(nodes.street.id),
      payload: { 'idle.resetSec': null, 'log.level': null, 'screen.orientation': null },
    });
    expect(cleared.statusCode).toBe(200);
    expect((await verified(kiosk)).state.settings).toEqual({});
    expect((await verified(lobby)).state.settings).toEqual({});
  });

  it('a tampered target fails verification (positive control of the check above)', async () => {
    const { keyring } = Keyring.fromKeyset(h.app.keys.keyset, verifyKeyOf(h.app.keys.root));
    const { target } = (await fetchTarget(kiosk)).json() as { target: Signed<TargetState> };
    (target.payload.settings as Record<string, unknown>)['idle.resetSec'] = 31;
    expect(() => verifyEnvelope(target, keyring, { type: 'linli.target-state/v1' })).toThrow(/signature/i);
  });

  it('answers 304 to its ETag while nothing changed, 200 with a new etag and a higher version after a change', async () => {
    const first = await verified(kiosk);
    const same = await fetchTarget(kiosk, first.etag);
    expect(same.statusCode).toBe(304);
    expect(same.body).toBe('');
    // An unrelated device's change: still 304.
    await h.admin({ method: 'PUT', url: API.deviceConfigAdmin(lobby.id), payload: { 'log.level': 'debug' } });
    expect((await fetchTarget(kiosk, first.etag)).statusCode).toBe(304);

    await h.admin({ method: 'PUT', url: API.nodeConfig(nodes.street.id), payload: { 'idle.resetSec': 120 } });
    const changed = await fetchTarget(kiosk, first.etag);
    expect(changed.statusCode).toBe(200);
    const second = await verified(kiosk);
    expect(second.state.settings['idle.resetSec']).toBe(120);
    expect(second.etag).not.toBe(first.etag);
    expect(second.state.version).toBeGreaterThan(first.state.version);
    expect((await fetchTarget(kiosk, second.etag)).statusCode).toBe(304);
  });

  it('version grows after a device override is cleared, and the etag returns to the inherited settings', async () => {
    const before = await verified(kiosk);
    await h.admin({ method: 'PUT', url: API.deviceConfigAdmin(kiosk.id), payload: { 'idle.resetSec': 600 } });
    const withOverride = await verified(kiosk);
    expect(withOverride.state.settings['idle.resetSec']).toBe(600);
    await h.admin({
      method: 'PUT',
      url: API.deviceConfigAdmin(kiosk.id),
      payload: { 'idle.resetSec': null },
    });
    const cleared = await verified(kiosk);
    expect(cleared.state.settings['idle.resetSec']).toBe(120);
    expect(cleared.state.version).toBeGreaterThan(withOverride.state.version);
    expect(withOverride.state.version).toBeGreaterThan(before.state.version);
    expect(cleared.etag).toBe(before.etag);
  });

  it('needs a device session', async () => {
    const res = await h.app.inject({ method: 'GET', url: API.deviceConfig });
    expect(res.statusCode).toBe(401);
  });
});

describe('POST device config report', () => {
  it('stores a report; the admin view shows it and whether the device is in step', async () => {
    const { state } = await verified(kiosk);
    const res = await kiosk.call(h.app, {
      method: 'POST',
      url: API.deviceConfigReport,
      payload: report(state, 'applied'),
    });
    expect(res.statusCode).toBe(200);
    let view = await adminView(kiosk);
    expect(view.status).toBe('in-step');
    expect(view.target).toEqual({ version: state.version, etag: state.etag });
    expect(view.reports[0]?.report).toEqual(report(state, 'applied'));
    expect(view.settings.find((s) => s.key === 'idle.resetSec')?.reported).toBe(120);

    // A new target the device has not reported yet: behind.
    await h.admin({
      method: 'PUT',
      url: API.nodeConfig(nodes.community.id),
      payload: { 'audio.volume': 20 },
    });
    expect((await adminView(kiosk)).status).toBe('behind');

    const next = (await verified(kiosk)).state;
    const failed = [
      { key: 'audio.volume', code: 'LINLI_ERR_CONFIG_APPLY_FAILED', message: 'the sound card is gone' },
    ];
    await kiosk.call(h.app, {
      method: 'POST',
      url: API.deviceConfigReport,
      payload: report(next, 'partial', { failed, current: { ...next.settings, 'audio.volume': 40 } }),
    });
    view = await adminView(kiosk);
    expect(view.status).toBe('failed');
    expect(view.reports[0]?.report.failed).toEqual(failed);
    expect(view.reports).toHaveLength(2);
    expect(view.settings.find((s) => s.key === 'audio.volume')).toMatchObject({
      effective: { value: 20 },
      reported: 40,
    });

    await kiosk.call(h.app, {
      method: 'POST',
      url: API.deviceConfigReport,
      payload: report(next, 'waiting', { pending: [{ key: 'audio.volume', waitingFor: 'payment' }] }),
    });
    expect((await adminView(kiosk)).status).toBe('waiting');
  });

  it.each([
    ['an unknown outcome', { outcome: 'done' }],
    ['an unknown key in current', { current: { 'idle.resetsec': 90 } }],
    ['a value off its bounds in current', { current: { 'idle.resetSec': 1 } }],
    ['an extra field', { extra: true }],
    ['a string version', { targetVersion: '3' }],
  ])('refuses %s with a coded 400 and stores nothing', async (_what, patch) => {
    const { state } = await verified(kiosk);
    const before = (await adminView(kiosk)).reports.length;
    const res = await kiosk.call(h.app, {
      method: 'POST',
      url: API.deviceConfigReport,
      payload: { ...report(state, 'applied'), ...patch },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(ErrorCode.PAYLOAD_SCHEMA);
    expect((await adminView(kiosk)).reports.length).toBe(before);
  });
});
