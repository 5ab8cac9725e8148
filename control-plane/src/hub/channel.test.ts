import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { API } from '../../../protocol/api.js';
import { signCanonical } from '../../../protocol/envelope.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import { CloseCode, channelSigningInput } from '../../../protocol/schemas/channel.js';
import { createHarness, type Harness, snapshot } from '../testing/harness.js';
import { TestDevice } from '../testing/test-device.js';

let h: Harness;
let wsUrl: string;
let communityId: string;

beforeAll(async () => {
  h = await createHarness();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  wsUrl = `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}${API.deviceChannel}`;
  communityId = (await h.community('channel')).community.id;
});
afterAll(() => h.close());

interface Client {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  next(type: string): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
}

function connect(): Promise<Client> {
  const ws = new WebSocket(wsUrl);
  const messages: Record<string, unknown>[] = [];
  const waiters: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Record<string, unknown>;
    messages.push(m);
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const seen = messages.find((m) => m.type === type);
      if (seen) {
        messages.splice(messages.indexOf(seen), 1);
        resolve(seen);
      } else waiters.push({ type, resolve: (m) => resolve(m) });
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, next, closed }));
    ws.once('error', reject);
  });
}

async function handshake(dev: TestDevice, signer = dev): Promise<Client> {
  const c = await connect();
  const challenge = await c.next('challenge');
  const nonce = challenge.nonce as string;
  c.ws.send(
    JSON.stringify({
      type: 'auth',
      deviceId: dev.id,
      nonce,
      sig: signCanonical(channelSigningInput(dev.id, nonce), signer.privateKey),
    }),
  );
  return c;
}

async function enrolled(role: 'lobby' | 'kiosk' | 'led' = 'lobby'): Promise<TestDevice> {
  const dev = new TestDevice();
  await dev.enroll(h.app, (await h.token(communityId, role)).token, role);
  return dev;
}

/** Presence of earlier tests' devices is written in batches: let it land before taking a snapshot. */
async function settled(): Promise<void> {
  await h.app.cluster.notifier.settled();
  await h.app.hub.flushPresence();
}

describe('device channel', () => {
  it('challenges first, welcomes a device that signs the nonce, and pushes sync for a notice', async () => {
    const dev = await enrolled();
    const c = await handshake(dev);
    const welcome = await c.next('welcome');
    expect(welcome).toMatchObject({ type: 'welcome', deviceId: dev.id, heartbeatSec: h.config.heartbeatSec });
    const list = await h.admin({ method: 'GET', url: `${API.devices}?nodeId=${communityId}` });
    const me = (
      list.json() as { devices: { id: string; online: boolean; lastSeenAt: string | null }[] }
    ).devices.find((d) => d.id === dev.id);
    expect(me).toMatchObject({ online: true });
    expect(me?.lastSeenAt).not.toBeNull();

    const published = await h.admin({
      method: 'POST',
      url: API.notices,
      payload: {
        targets: { nodeIds: [communityId], roles: ['lobby'] },
        title: { zh: '通知' },
        body: { zh: '内容' },
        publish: true,
      },
    });
    expect(published.json()).toMatchObject({ notifiedDevices: 1 });
    expect(await c.next('sync')).toEqual({ type: 'sync', topic: 'content', spreadMs: 3 });
    c.ws.close();
    await c.closed;
  });

  it('pushes an emergency once, with no sync frame after it (the device syncs on its own after a push)', async () => {
    const dev = await enrolled();
    const c = await handshake(dev);
    await c.next('welcome');
    const published = await h.admin({
      method: 'POST',
      url: API.notices,
      payload: {
        targets: { nodeIds: [communityId], roles: ['lobby'] },
        title: { zh: '紧急' },
        body: { zh: '撤离' },
        priority: 'emergency',
        publish: true,
      },
    });
    expect(published.statusCode).toBe(201);
    const body = published.json() as { notice: { id: string }; notifiedDevices: number };
    expect(body.notifiedDevices).toBe(1);
    const push = await c.next('push');
    expect(push).toMatchObject({ type: 'push', kind: 'emergency' });
    expect(JSON.stringify(push.envelope)).toContain(body.notice.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.messages.filter((m) => m.type === 'sync')).toEqual([]);
    c.ws.close();
    await c.closed;
  });

  it('records status messages as presence', async () => {
    const dev = await enrolled('kiosk');
    const c = await handshake(dev);
    await c.next('welcome');
    const status = {
      type: 'status',
      at: new Date().toISOString(),
      uptimeSec: 42,
      peripherals: { printer: 'ok' },
    };
    c.ws.send(JSON.stringify(status));
    await expect.poll(async () => (await h.repo.devices.get(dev.id))?.lastStatus).toEqual(status);
    c.ws.close();
    await c.closed;
  });

  it('replaces an older connection of the same device', async () => {
    const dev = await enrolled();
    const first = await handshake(dev);
    await first.next('welcome');
    const second = await handshake(dev);
    await second.next('welcome');
    expect(await first.closed).toMatchObject({ code: CloseCode.REPLACED });
    expect(h.app.hub.isOnline(dev.id)).toBe(true);
    second.ws.close();
    await second.closed;
    await expect.poll(() => h.app.hub.isOnline(dev.id)).toBe(false);
  });

  it('closes an unknown device with 1008 LINLI_ERR_DEVICE_UNKNOWN and changes nothing', async () => {
    const stranger = new TestDevice();
    stranger.id = newId('dev');
    await settled();
    const before = snapshot(h.repo);
    const c = await handshake(stranger);
    expect(await c.closed).toEqual({ code: 1008, reason: ErrorCode.DEVICE_UNKNOWN });
    expect(snapshot(h.repo)).toEqual(before);
  });

  it('closes a bad signature with 1008 LINLI_ERR_HANDSHAKE_FAILED and changes nothing', async () => {
    const dev = await enrolled();
    await settled();
    const before = snapshot(h.repo);
    const c = await handshake(dev, new TestDevice());
    expect(await c.closed).toEqual({ code: 1008, reason: ErrorCode.HANDSHAKE_FAILED });
    expect(snapshot(h.repo)).toEqual(before);
  });

  it('closes a revoked device with 1008 LINLI_ERR_DEVICE_REVOKED, also when it is connected', async () => {
    const dev = await enrolled();
    const live = await handshake(dev);
    await live.next('welcome');
    await h.admin({ method: 'POST', url: API.deviceRevoke(dev.id), payload: {} });
    expect(await live.closed).toEqual({ code: 1008, reason: ErrorCode.DEVICE_REVOKED });
    // The closed channel's online history is written with the presence batch: wait for it.
    await settled();
    const before = snapshot(h.repo);
    const again = await handshake(dev);
    expect(await again.closed).toEqual({ code: 1008, reason: ErrorCode.DEVICE_REVOKED });
    expect(snapshot(h.repo)).toEqual(before);
  });

  it('refuses a first message that is not an auth for this nonce', async () => {
    const dev = await enrolled();
    for (const msg of [
      'not json',
      JSON.stringify({ type: 'status', at: new Date().toISOString(), uptimeSec: 1 }),
    ]) {
      const c = await connect();
      await c.next('challenge');
      c.ws.send(msg);
      expect(await c.closed).toEqual({ code: 1008, reason: ErrorCode.HANDSHAKE_FAILED });
    }
    const c = await connect();
    await c.next('challenge');
    const nonce = 'A'.repeat(43);
    c.ws.send(
      JSON.stringify({
        type: 'auth',
        deviceId: dev.id,
        nonce,
        sig: signCanonical(channelSigningInput(dev.id, nonce), dev.privateKey),
      }),
    );
    expect(await c.closed).toEqual({ code: 1008, reason: ErrorCode.HANDSHAKE_FAILED });
  });
});
