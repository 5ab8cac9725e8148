import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { Keyring, signCanonical } from '../../../../protocol/envelope.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import { sessionSigningInput } from '../../../../protocol/schemas/enrollment.js';
import { sha256B64 } from '../../crypto/secrets.js';
import { createHarness, type Harness, snapshot } from '../../testing/harness.js';
import { TestDevice } from '../../testing/test-device.js';
import { rootVerifyKeyFromToken } from '../../testing/trust.js';

let h: Harness;
let nodes: Awaited<ReturnType<Harness['community']>>;
let lobby: TestDevice;
let led: TestDevice;
let kiosk: TestDevice;
let lobbyToken: string;

beforeAll(async () => {
  h = await createHarness();
  nodes = await h.community('device');
  lobbyToken = (await h.token(nodes.community.id, 'lobby')).token;
  lobby = new TestDevice();
  await lobby.enroll(h.app, lobbyToken, 'lobby');
  led = new TestDevice();
  await led.enroll(h.app, (await h.token(nodes.community.id, 'led')).token, 'led');
  kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(nodes.community.id, 'kiosk')).token, 'kiosk');
});
afterAll(() => h.close());

describe('device session', () => {
  it('trades a signed nonce for a bearer token stored as a hash', async () => {
    const token = await lobby.session(h.app);
    expect(token).toMatch(/^lds1\./);
    const row = h.repo.db
      .prepare('SELECT device_id FROM device_sessions WHERE token_hash = ?')
      .get(sha256B64(token));
    expect(row).toEqual({ device_id: lobby.id });
  });

  it('refuses unknown devices, reused nonces and wrong signatures', async () => {
    const unknown = await h.app.inject({
      method: 'POST',
      url: API.deviceChallenge,
      payload: { deviceId: newId('dev') },
    });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toMatchObject({ error: { code: ErrorCode.DEVICE_UNKNOWN } });

    const c = await h.app.inject({
      method: 'POST',
      url: API.deviceChallenge,
      payload: { deviceId: lobby.id },
    });
    const nonce = (c.json() as { nonce: string }).nonce;
    const before = snapshot(h.repo);
    const forged = signCanonical(sessionSigningInput(lobby.id, nonce), new TestDevice().privateKey);
    const bad = await h.app.inject({
      method: 'POST',
      url: API.deviceSession,
      payload: { deviceId: lobby.id, nonce, sig: forged },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ error: { code: ErrorCode.HANDSHAKE_FAILED } });
    expect(snapshot(h.repo)).toEqual(before);

    const sig = signCanonical(sessionSigningInput(lobby.id, nonce), lobby.privateKey);
    const ok = await h.app.inject({
      method: 'POST',
      url: API.deviceSession,
      payload: { deviceId: lobby.id, nonce, sig },
    });
    expect(ok.statusCode).toBe(201);
    const again = await h.app.inject({
      method: 'POST',
      url: API.deviceSession,
      payload: { deviceId: lobby.id, nonce, sig },
    });
    expect(again.json()).toMatchObject({ error: { code: ErrorCode.NONCE_INVALID } });
  });

  it('answers SESSION_EXPIRED after the lifetime so the device re-authenticates', async () => {
    const dev = new TestDevice();
    await dev.enroll(h.app, (await h.token(nodes.community.id, 'lobby')).token, 'lobby');
    const token = await dev.session(h.app);
    h.clock.advance(h.config.deviceSessionTtlSec * 1000 + 1);
    const res = await h.app.inject({
      method: 'GET',
      url: API.deviceKeyset,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.SESSION_EXPIRED } });
    await dev.session(h.app);
    expect((await dev.call(h.app, { method: 'GET', url: API.deviceKeyset })).statusCode).toBe(200);
  });

  it('requires a session on device routes', async () => {
    const res = await h.app.inject({ method: 'GET', url: `${API.deviceTufMetadata}/timestamp.json` });
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.UNAUTHORIZED } });
  });
});

describe('keyset', () => {
  it('serves the keyset signed by the root the device pinned', async () => {
    const res = await lobby.call(h.app, { method: 'GET', url: API.deviceKeyset });
    const { keyset } = res.json() as { keyset: unknown };
    const { keyset: ks } = Keyring.fromKeyset(
      keyset,
      rootVerifyKeyFromToken(lobbyToken, h.app.tufKeys.roots),
    );
    expect(ks.keys.map((k) => k.kid)).toEqual([
      h.app.keys.content.kid,
      h.app.keys.transaction.kid,
      h.app.keys.emergency.kid,
      h.app.keys.fleet.kid,
    ]);
    expect(ks.keys.find((k) => k.kid === h.app.keys.emergency.kid)?.uses).toEqual(['emergency']);
    expect(ks.keys.find((k) => k.kid === h.app.keys.fleet.kid)?.uses).toEqual(['fleet']);
  });
});

describe('admin device list', () => {
  it('lists devices under a node with role filter, online flag and lastSeenAt', async () => {
    const res = await h.admin({
      method: 'GET',
      url: `${API.devices}?nodeId=${nodes.community.id}&role=lobby`,
    });
    const devices = (res.json() as { devices: { id: string; online: boolean; role: string }[] }).devices;
    expect(devices.every((d) => d.role === 'lobby')).toBe(true);
    expect(devices.map((d) => d.id)).toContain(lobby.id);
    expect(devices.find((d) => d.id === lobby.id)).toMatchObject({
      online: false,
      status: 'active',
      lastSeenAt: null,
    });
  });

  it('revokes a device: its session stops working and it cannot get a new one', async () => {
    const dev = new TestDevice();
    await dev.enroll(h.app, (await h.token(nodes.community.id, 'led')).token, 'led');
    const token = await dev.session(h.app);
    const res = await h.admin({ method: 'POST', url: API.deviceRevoke(dev.id), payload: {} });
    expect(res.json()).toMatchObject({ id: dev.id, status: 'revoked', online: false });
    const after = await h.app.inject({
      method: 'GET',
      url: API.deviceKeyset,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.statusCode).toBe(401);
    const challenge = await h.app.inject({
      method: 'POST',
      url: API.deviceChallenge,
      payload: { deviceId: dev.id },
    });
    expect(challenge.statusCode).toBe(403);
    expect(challenge.json()).toMatchObject({ error: { code: ErrorCode.DEVICE_REVOKED } });
  });
});
