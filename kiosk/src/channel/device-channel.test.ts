import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ErrorCode } from '../../../protocol/errors.js';
import type { DeviceIdentity } from '../identity/identity.js';
import { silentLogger } from '../logger.js';
import { ControlPlaneDouble } from '../testing/control-plane-double.js';
import { enrolledDevice } from '../testing/enrolled-device.js';
import { DeviceChannel } from './device-channel.js';
import { ReconnectBackoff } from './reconnect-backoff.js';

describe('reconnect backoff', () => {
  it('draws full-jitter delays under a window that doubles up to the cap', () => {
    const top = new ReconnectBackoff({ baseMs: 1000, capMs: 60_000, random: () => 0.999999 });
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(() => top.next())).toEqual([
      999, 1999, 3999, 7999, 15999, 31999, 59999, 59999,
    ]);
    const bottom = new ReconnectBackoff({ baseMs: 1000, capMs: 60_000, random: () => 0 });
    expect(bottom.next()).toBe(0);
  });

  it('spreads a fleet: delays for one attempt are not in lockstep', () => {
    const delays = Array.from({ length: 200 }, () => new ReconnectBackoff({ baseMs: 1000, capMs: 60_000 }));
    for (const b of delays) for (let i = 0; i < 5; i++) b.next();
    const sixth = delays.map((b) => b.next());
    expect(new Set(sixth).size).toBeGreaterThan(150);
    expect(Math.max(...sixth)).toBeLessThan(32_000);
  });

  it('after a restart (1012) keeps the window at the restart cap for a few tries, then grows again', () => {
    const b = new ReconnectBackoff({
      baseMs: 1000,
      capMs: 300_000,
      restartCapMs: 15_000,
      restartAttempts: 8,
      random: () => 0.999999,
    });
    const restart = Array.from({ length: 8 }, () => b.next('restart'));
    expect(restart).toEqual([999, 1999, 3999, 7999, 14999, 14999, 14999, 14999]);
    // The server did not come back in that time: normal doubling from where it got to.
    expect(b.next('restart')).toBe(255_999);
    expect(b.next()).toBe(299_999);
  });

  it('waits in the upper half of the cap after a policy refusal, and resets', () => {
    const b = new ReconnectBackoff({ baseMs: 1000, capMs: 60_000, random: () => 0 });
    expect(b.next('policy')).toBe(30_000);
    expect(b.attempt).toBe(1);
    b.reset();
    expect(b.attempt).toBe(0);
  });
});

describe('device channel', () => {
  const cp = new ControlPlaneDouble();
  let identity: DeviceIdentity;
  const channels: DeviceChannel[] = [];

  beforeAll(async () => {
    await cp.start();
    identity = (await enrolledDevice(cp, 'lobby')).identity;
  });
  afterAll(async () => {
    for (const c of channels) await c.stop();
    await cp.stop();
  });

  function channel(overrides: Partial<ConstructorParameters<typeof DeviceChannel>[0]> = {}): DeviceChannel {
    const c = new DeviceChannel({
      serverUrl: cp.url,
      identity,
      log: silentLogger,
      backoffBaseMs: 20,
      backoffCapMs: 400,
      stableAfterMs: 60_000,
      handshakeTimeoutMs: 2_000,
      contentVersion: () => 'v7',
      ...overrides,
    });
    channels.push(c);
    return c;
  }

  it('answers the challenge with its key and is welcomed; sync pushes arrive', async () => {
    const c = channel();
    const welcomed = once(c, 'welcome');
    c.start();
    c.start(); // idempotent
    const [welcome] = await welcomed;
    expect(welcome.deviceId).toBe(identity.deviceId);
    expect(c.state).toBe('open');
    expect(cp.channels.has(identity.deviceId)).toBe(true);
    const sync = once(c, 'sync');
    cp.bump();
    expect((await sync)[0]).toEqual({ type: 'sync', topic: 'content' });
    await c.stop();
    await c.stop();
    expect(c.state).toBe('stopped');
  });

  it('reconnects with backoff after the server drops it', async () => {
    const c = channel();
    c.start();
    await once(c, 'welcome');
    const retry = once(c, 'retry');
    cp.channels.get(identity.deviceId)?.terminate();
    const [info] = await retry;
    expect(info.delayMs).toBeLessThan(20);
    expect(info.code).toBeUndefined();
    await once(c, 'welcome');
    expect(c.state).toBe('open');
    await c.stop();
  });

  it('logs the code and backs off hard when refused with 1008', async () => {
    cp.channelRefusal = ErrorCode.DEVICE_REVOKED;
    try {
      const c = channel();
      const retry = once(c, 'retry');
      c.start();
      const [info] = await retry;
      expect(info).toMatchObject({ closeCode: 1008, code: ErrorCode.DEVICE_REVOKED });
      expect(info.delayMs).toBeGreaterThanOrEqual(200);
      expect(info.delayMs).toBeLessThanOrEqual(400);
      expect(c.state).toBe('waiting');
      await c.stop();
    } finally {
      cp.channelRefusal = undefined;
    }
  });

  it('after close 1012 retries on the restart window while the server is gone, then grows again', async () => {
    // A server that says "restarting" and goes away: every later try is refused (close 1006).
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const port = (wss.address() as AddressInfo).port;
    wss.on('connection', (ws) => {
      ws.close(1012, 'server restarting');
      wss.close();
    });
    const c = channel({
      serverUrl: `http://127.0.0.1:${port}`,
      backoffBaseMs: 10,
      backoffCapMs: 100_000,
      restartCapMs: 40,
      restartAttempts: 5,
      random: () => 0.999999,
    });
    const delays: number[] = [];
    c.on('retry', (r) => delays.push(r.delayMs));
    c.start();
    await expect.poll(() => delays.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(7);
    await c.stop();
    // Restart window: 10 ms doubling but capped at 40 ms for 5 tries; then plain doubling from there.
    expect(delays.slice(0, 7)).toEqual([9, 19, 39, 39, 39, 319, 639]);
  });

  it('stays off when another connection with the same identity took over (close 4000)', async () => {
    const c = channel();
    c.start();
    await once(c, 'welcome');
    let retried = false;
    c.on('retry', () => {
      retried = true;
    });
    const replaced = once(c, 'state');
    cp.channels.get(identity.deviceId)?.close(4000, 'replaced by a newer connection');
    expect((await replaced)[0]).toBe('replaced');
    await new Promise((r) => setTimeout(r, 100));
    expect(retried).toBe(false);
    await c.stop();
  });

  it('keeps retrying while the server is down and stops cleanly', async () => {
    const c = channel({ serverUrl: 'http://127.0.0.1:9' });
    c.start();
    await once(c, 'retry');
    await once(c, 'retry');
    await c.stop();
    expect(c.state).toBe('stopped');
  });
});
