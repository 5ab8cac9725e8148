import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ErrorCode } from '../../../protocol/errors.js';
import { CloseCode } from '../../../protocol/schemas/channel.js';
import { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';
import { handleChannel } from './channel-handler.js';
import { DeviceHub } from './device-hub.js';

/** Just enough of a ws socket for the hub: records what it was sent and how it was closed. */
class FakeSocket extends EventEmitter {
  readyState = 1;
  sent: unknown[] = [];
  pings = 0;
  closedWith: [number, string] | undefined;
  terminated = false;
  send(data: unknown): void {
    this.sent.push(data);
  }
  ping(): void {
    this.pings++;
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
}

let dir: string;
let repo: SqliteRepository;
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'linli-hub-'));
  repo = SqliteRepository.open(dir);
});
afterAll(async () => {
  await repo.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

const hubWith = (heartbeatSec = 30) => new DeviceHub({ repo, now: Date.now, heartbeatSec, log });
// The hub's socket type is ws.WebSocket; the fake has the parts it uses.
const asWs = (s: FakeSocket) => s as unknown as WebSocket;

describe('DeviceHub', () => {
  it('serialises a notification once and sends the same bytes to every connected target', () => {
    const hub = hubWith();
    const sockets = Array.from({ length: 50 }, () => new FakeSocket());
    sockets.forEach((s, i) => {
      hub.register(`dev_${i}`, asWs(s));
    });
    const sent = hub.notify([...sockets.keys()].map((i) => `dev_${i}`).concat(['dev_offline']), {
      type: 'sync',
      topic: 'content',
    });
    expect(sent).toBe(50);
    const first = sockets[0]!.sent[0];
    expect(JSON.parse(String(first))).toEqual({ type: 'sync', topic: 'content' });
    expect(sockets.every((s) => s.sent.length === 1 && s.sent[0] === first)).toBe(true);
  });

  it('replaces an older connection and ignores the late close of the replaced one', () => {
    const hub = hubWith();
    const a = new FakeSocket();
    const b = new FakeSocket();
    hub.register('dev_a', asWs(a));
    hub.register('dev_a', asWs(b));
    expect(a.closedWith?.[0]).toBe(CloseCode.REPLACED);
    hub.unregister('dev_a', asWs(a));
    expect(hub.isOnline('dev_a')).toBe(true);
    hub.unregister('dev_a', asWs(b));
    expect(hub.isOnline('dev_a')).toBe(false);
  });

  it('pings on every heartbeat and drops a socket that missed a pong', () => {
    vi.useFakeTimers();
    const hub = hubWith(5);
    const alive = new FakeSocket();
    const dead = new FakeSocket();
    hub.register('dev_alive', asWs(alive));
    hub.register('dev_dead', asWs(dead));
    hub.start();
    hub.start();
    vi.advanceTimersByTime(5000);
    expect([alive.pings, dead.pings]).toEqual([1, 1]);
    alive.emit('pong');
    vi.advanceTimersByTime(5000);
    expect(dead.terminated).toBe(true);
    expect(alive.terminated).toBe(false);
    expect(hub.isOnline('dev_dead')).toBe(false);
    expect(hub.isOnline('dev_alive')).toBe(true);
    hub.stop();
    expect(alive.closedWith?.[0]).toBe(CloseCode.SERVER_RESTART);
    hub.stop();
  });
});

describe('DeviceHub index and fan-out', () => {
  const placed = (ancestry: string[], role: 'lobby' | 'kiosk' | 'led' = 'lobby', tags: string[] = []) => ({
    ancestry,
    role,
    tags,
  });

  it('resolves notice targets from the connections it holds, by node ancestry, role and tags', () => {
    const hub = hubWith();
    const a = new FakeSocket();
    const b = new FakeSocket();
    const c = new FakeSocket();
    hub.register('dev_a', asWs(a), placed(['node_city', 'node_d1', 'node_s1'], 'lobby', ['east']));
    hub.register('dev_b', asWs(b), placed(['node_city', 'node_d1', 'node_s2'], 'kiosk'));
    hub.register('dev_c', asWs(c), placed(['node_city', 'node_d2'], 'lobby'));
    const ids = (t: Parameters<DeviceHub['connectedTargets']>[0]) => hub.connectedTargets(t).sort();
    expect(ids([{ nodeIds: ['node_d1'] }])).toEqual(['dev_a', 'dev_b']);
    expect(ids([{ nodeIds: ['node_city'], roles: ['lobby'] }])).toEqual(['dev_a', 'dev_c']);
    expect(ids([{ nodeIds: ['node_city'], tags: ['east'] }])).toEqual(['dev_a']);
    expect(ids([{ nodeIds: ['node_s1'] }, { nodeIds: ['node_d1', 'node_s1'] }])).toEqual(['dev_a', 'dev_b']);
    expect(ids([{ nodeIds: ['node_other'] }])).toEqual([]);
    // Gone from the index when it leaves, and a replacing connection is indexed where it now sits.
    hub.unregister('dev_b', asWs(b));
    expect(ids([{ nodeIds: ['node_d1'] }])).toEqual(['dev_a']);
    hub.register('dev_a', asWs(new FakeSocket()), placed(['node_city', 'node_d2']));
    expect(ids([{ nodeIds: ['node_d1'] }])).toEqual([]);
    expect(ids([{ nodeIds: ['node_d2'] }])).toEqual(['dev_a', 'dev_c']);
    hub.disconnect('dev_c', 1000, 'bye');
    expect(ids([{ nodeIds: ['node_city'] }])).toEqual(['dev_a']);
    hub.stop();
    expect(ids([{ nodeIds: ['node_city'] }])).toEqual([]);
  });

  it('writes one pre-framed message that real ws clients read intact, in order, small and large', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise((resolve) => wss.once('listening', resolve));
    const hub = hubWith();
    let n = 0;
    wss.on('connection', (socket) => {
      const id = `dev_${n++}`;
      hub.register(id, socket, placed(['node_city']));
      socket.send(JSON.stringify({ type: 'welcome-ish', id }));
    });
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    const clients = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const ws = new WebSocket(url);
        const got: string[] = [];
        ws.on('message', (d) => got.push(String(d)));
        await new Promise((resolve) => ws.once('open', resolve));
        await expect.poll(() => got.length).toBe(1);
        return { ws, got };
      }),
    );
    const sizes = [10, 300, 70_000];
    for (const size of sizes) {
      const sent = hub.notify(hub.connectedTargets([{ nodeIds: ['node_city'] }]), {
        type: 'push',
        kind: 'test',
        envelope: 'x'.repeat(size),
      });
      expect(sent).toBe(5);
    }
    for (const c of clients) {
      await expect.poll(() => c.got.length).toBe(1 + sizes.length);
      expect(c.got.slice(1).map((m) => (JSON.parse(m) as { envelope: string }).envelope.length)).toEqual(
        sizes,
      );
      c.ws.close();
    }
    hub.stop();
    await new Promise((resolve) => wss.close(resolve));
  });

  it('writes presence of many devices in one batch, not one commit each', async () => {
    const hub = hubWith();
    const touchMany = vi.spyOn(repo.devices, 'touchMany');
    const touch = vi.spyOn(repo.devices, 'touch');
    for (let i = 0; i < 40; i++) hub.register(`dev_p${i}`, asWs(new FakeSocket()));
    hub.recordStatus('dev_p0', { type: 'status', uptimeSec: 1 });
    await hub.flushPresence();
    expect(touch).not.toHaveBeenCalled();
    expect(touchMany).toHaveBeenCalledTimes(1);
    const batch = touchMany.mock.calls[0]![0];
    expect(batch).toHaveLength(40);
    expect(batch.find((e) => e.id === 'dev_p0')?.lastStatus).toEqual({ type: 'status', uptimeSec: 1 });
    touchMany.mockRestore();
    touch.mockRestore();
    hub.stop();
  });
});

describe('channel handshake timeout', () => {
  it('closes a socket that does not authenticate in time with 1008 LINLI_ERR_HANDSHAKE_FAILED', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    const hub = hubWith();
    wss.on('connection', (socket) =>
      handleChannel(socket, { hub, repo, now: Date.now, log, handshakeTimeoutMs: 150 }),
    );
    const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const first = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
    const closed = new Promise<[number, string]>((resolve) =>
      ws.on('close', (c, r) => resolve([c, r.toString()])),
    );
    expect(JSON.parse(await first)).toMatchObject({ type: 'challenge' });
    expect(await closed).toEqual([1008, ErrorCode.HANDSHAKE_FAILED]);
    await new Promise((resolve) => wss.close(resolve));
  });
});
