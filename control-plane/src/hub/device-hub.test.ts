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
