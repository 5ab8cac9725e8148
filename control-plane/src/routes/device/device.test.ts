import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { Keyring, signCanonical, verifyEnvelope } from '../../../../protocol/envelope.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import { sessionSigningInput } from '../../../../protocol/schemas/enrollment.js';
import { Notice } from '../../../../protocol/schemas/notice.js';
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

const publish = async (payload: Record<string, unknown>) => {
  const res = await h.admin({ method: 'POST', url: API.notices, payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as {
    notice: { payload: { id: string } };
    targetedDevices: number;
    notifiedDevices: number;
  };
};

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
    const res = await h.app.inject({ method: 'GET', url: API.deviceNotices });
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.UNAUTHORIZED } });
  });
});

describe('keyset', () => {
  it('serves the keyset signed by the root the device pinned', async () => {
    const res = await lobby.call(h.app, { method: 'GET', url: API.deviceKeyset });
    const { keyset } = res.json() as { keyset: unknown };
    const { keyset: ks } = Keyring.fromKeyset(keyset, rootVerifyKeyFromToken(lobbyToken));
    expect(ks.keys.map((k) => k.kid)).toEqual([h.app.keys.content.kid, h.app.keys.transaction.kid]);
  });
});

describe('notices', () => {
  it('publishes a signed notice, targets the subtree by role, and serves it with an ETag', async () => {
    const published = await publish({
      nodeId: nodes.street.id,
      title: { zh: '志愿者日', en: 'Volunteer day' },
      body: { zh: '周六上午九点，社区花园见。' },
      category: 'event',
      roles: ['lobby', 'led'],
    });
    const expected = await h.repo.devices.listActiveIds(nodes.street.id, ['lobby', 'led']);
    expect(expected).toEqual(expect.arrayContaining([lobby.id, led.id]));
    expect(expected).not.toContain(kiosk.id);
    expect(published).toMatchObject({ targetedDevices: expected.length, notifiedDevices: 0 });
    const ring = new Keyring([
      { kid: h.app.keys.content.kid, uses: ['content'], publicKey: h.app.keys.content.publicKey },
    ]);

    const res = await lobby.call(h.app, { method: 'GET', url: API.deviceNotices });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { version: string; notices: unknown[] };
    expect(body.notices).toHaveLength(1);
    const notice = verifyEnvelope<Notice>(body.notices[0], ring, { type: 'linli.notice/v1', schema: Notice });
    expect(notice).toMatchObject({
      title: { zh: '志愿者日', en: 'Volunteer day' },
      category: 'event',
      priority: 'normal',
      version: 1,
      targets: { nodeIds: [nodes.street.id], roles: ['led', 'lobby'] },
    });
    const etag = res.headers.etag as string;
    expect(etag).toBe(`"${body.version}"`);
    const cached = await lobby.call(h.app, {
      method: 'GET',
      url: API.deviceNotices,
      headers: { 'if-none-match': etag },
    });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');

    const kioskView = (await kiosk.call(h.app, { method: 'GET', url: API.deviceNotices })).json() as {
      notices: unknown[];
    };
    expect(kioskView.notices).toHaveLength(0);

    await publish({
      nodeId: (await h.repo.nodes.listRoots())[0]!.id,
      title: { zh: '全市通知' },
      body: { zh: '内容' },
    });
    const changed = await lobby.call(h.app, {
      method: 'GET',
      url: API.deviceNotices,
      headers: { 'if-none-match': etag },
    });
    expect(changed.statusCode).toBe(200);
    expect((changed.json() as { notices: unknown[] }).notices).toHaveLength(2);
    expect((await kiosk.call(h.app, { method: 'GET', url: API.deviceNotices })).json().notices).toHaveLength(
      1,
    );
  });

  it('does not serve a notice to devices outside its node or after it expires', async () => {
    const other = await h.community('elsewhere');
    const expiresAt = new Date(h.clock.now() + 60_000).toISOString();
    const { notice } = await publish({
      nodeId: other.community.id,
      title: { zh: '别处' },
      body: { zh: '别处' },
      expiresAt,
    });
    const ids = () =>
      led
        .call(h.app, { method: 'GET', url: API.deviceNotices })
        .then((r) => r.json().notices.map((n: { payload: { id: string } }) => n.payload.id));
    expect(await ids()).not.toContain(notice.payload.id);
    const here = await publish({
      nodeId: nodes.community.id,
      title: { zh: '停水' },
      body: { zh: '明天停水' },
      expiresAt,
    });
    expect(await ids()).toContain(here.notice.payload.id);
    h.clock.advance(60_001);
    expect(await ids()).not.toContain(here.notice.payload.id);
  });

  it('refuses a notice for a past expiry, an unknown node or with bad text', async () => {
    for (const [payload, code] of [
      [
        {
          nodeId: nodes.community.id,
          title: { zh: 'x' },
          body: { zh: 'y' },
          expiresAt: '2000-01-01T00:00:00Z',
        },
        ErrorCode.NOTICE_INVALID,
      ],
      [{ nodeId: newId('node'), title: { zh: 'x' }, body: { zh: 'y' } }, ErrorCode.NODE_NOT_FOUND],
      [{ nodeId: nodes.community.id, title: { en: 'no chinese' }, body: { zh: 'y' } }, ErrorCode.BAD_REQUEST],
      [
        { nodeId: nodes.community.id, title: { zh: 'x'.repeat(121) }, body: { zh: 'y' } },
        ErrorCode.BAD_REQUEST,
      ],
    ] as const) {
      const before = snapshot(h.repo);
      const res = await h.admin({ method: 'POST', url: API.notices, payload });
      expect(res.json()).toMatchObject({ error: { code } });
      expect(snapshot(h.repo)).toEqual(before);
    }
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
