import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LinliProcess, REPO_ROOT } from '../../../tests/helpers/processes.js';
import { ControlPlaneDouble } from '../testing/control-plane-double.js';
import { enrolledDevice } from '../testing/enrolled-device.js';
import { LoopHealth, pollingLoopProbe } from './loop-health.js';
import { watchdogUsec } from './notifier.js';

interface Datagram {
  at: number;
  text: string;
}
interface DgramServer {
  bind(path: string): void;
  on(ev: 'message', fn: (buf: Buffer) => void): void;
  close(): void;
}

/** A fake $NOTIFY_SOCKET: the server side of unix-dgram, recording every datagram with its arrival time. */
function fakeNotifySocket() {
  const unix = createRequire(import.meta.url)('unix-dgram') as {
    createSocket(t: 'unix_dgram', fn?: (b: Buffer) => void): DgramServer;
  };
  const path = join(mkdtempSync(join(tmpdir(), 'linli-notify-')), 'notify.sock');
  const got: Datagram[] = [];
  const server = unix.createSocket('unix_dgram', (buf) => got.push({ at: Date.now(), text: buf.toString() }));
  server.bind(path);
  const index = (re: RegExp, from = 0) => got.findIndex((d, i) => i >= from && re.test(d.text));
  return { path, got, index, close: () => server.close() };
}

const USEC = 1_000_000; // pings every 500 ms
const slow = { timeout: 20_000, interval: 50 };
const kids: (ChildProcess | LinliProcess)[] = [];
afterEach(async () => {
  for (const k of kids.splice(0)) {
    const c = k instanceof LinliProcess ? k.child : k;
    if (c.exitCode === null) c.kill('SIGKILL');
  }
});

describe('systemd notify protocol from `linli device` (real process, fake notify socket)', () => {
  const cp = new ControlPlaneDouble();
  beforeAll(() => cp.start());
  afterAll(() => cp.stop());

  it('sends READY=1 once it serves, WATCHDOG=1 within USEC/2, STOPPING=1 on SIGTERM', async () => {
    const sock = fakeNotifySocket();
    const { stateDir } = await enrolledDevice(cp, 'lobby');
    const device = new LinliProcess('device', ['device', '--state', stateDir, '--port', '0'], {
      NOTIFY_SOCKET: sock.path,
      WATCHDOG_USEC: String(USEC),
    });
    kids.push(device);
    await device.waitFor(/serving on http:\/\/127\.0\.0\.1:\d+/);
    await expect.poll(() => sock.index(/^READY=1/), slow).toBeGreaterThanOrEqual(0);
    const ready = sock.index(/^READY=1/);
    expect(sock.got[ready]!.text).toMatch(/STATUS=lobby dev_\S+ serving on http:\/\/127\.0\.0\.1:\d+/);
    await expect
      .poll(() => sock.got.filter((d) => d.text === 'WATCHDOG=1').length, slow)
      .toBeGreaterThanOrEqual(3);
    // Nothing claims health before READY=1.
    expect(sock.index(/WATCHDOG=1/)).toBeGreaterThan(ready);
    const pings = sock.got.filter((d) => d.text === 'WATCHDOG=1').map((d) => d.at);
    const firstGap = pings[0]! - sock.got[ready]!.at;
    // Generous bound (2 cores, 8 workers): the first ping comes in about USEC/2, never after USEC.
    expect(firstGap).toBeLessThan(USEC / 1000);
    device.child.kill('SIGTERM');
    expect(await device.exited).toBe(0);
    const stop = sock.index(/^STOPPING=1/);
    expect(stop).toBeGreaterThan(ready);
    expect(sock.got[stop]!.text).toContain('STATUS=stopping (SIGTERM)');
    sock.close();
  }, 60_000);

  it('does nothing without NOTIFY_SOCKET (a shell, Type=simple)', async () => {
    const sock = fakeNotifySocket();
    const { stateDir } = await enrolledDevice(cp, 'lobby');
    const device = new LinliProcess('device', ['device', '--state', stateDir, '--port', '0'], {
      NOTIFY_SOCKET: '',
      WATCHDOG_USEC: String(USEC),
    });
    kids.push(device);
    await device.waitFor(/serving on/);
    await new Promise((r) => setTimeout(r, 1200));
    device.child.kill('SIGTERM');
    expect(await device.exited).toBe(0);
    expect(sock.got).toEqual([]);
    sock.close();
  }, 60_000);
});

describe('the watchdog pings only while healthy (fixture process)', () => {
  const fixture = (sockPath: string) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'kiosk/src/testing/watchdog-fixture.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NOTIFY_SOCKET: sockPath, WATCHDOG_USEC: String(USEC), BLOCK_MS: '2500' },
      stdio: 'ignore',
    });
    kids.push(child);
    return child;
  };
  const pingsBetween = (got: Datagram[], from: number, to: number) =>
    got.slice(from + 1, to).filter((d) => d.text === 'WATCHDOG=1').length;

  it('sends no WATCHDOG=1 while the event loop is blocked, and resumes after', async () => {
    const sock = fakeNotifySocket();
    const child = fixture(sock.path);
    await expect
      .poll(() => sock.got.filter((d) => d.text === 'WATCHDOG=1').length, slow)
      .toBeGreaterThanOrEqual(2);
    child.kill('SIGUSR2');
    await expect.poll(() => sock.index(/STATUS=fixture: unblocked/), slow).toBeGreaterThan(0);
    const start = sock.index(/STATUS=fixture: blocking/);
    const end = sock.index(/STATUS=fixture: unblocked/);
    expect(sock.got[end]!.at - sock.got[start]!.at).toBeGreaterThanOrEqual(2000); // ≥ 4 ping periods
    expect(pingsBetween(sock.got, start, end)).toBe(0);
    // The late tick after the block says so and skips its ping; the next healthy tick pings again.
    await expect
      .poll(() => sock.index(/STATUS=unhealthy: event loop: blocked/, end), slow)
      .toBeGreaterThan(end);
    await expect.poll(() => sock.index(/^WATCHDOG=1$/, end), slow).toBeGreaterThan(end);
    sock.close();
  }, 30_000);

  it('sends no WATCHDOG=1 while a runtime loop is unhealthy, says why in STATUS=, and resumes', async () => {
    const sock = fakeNotifySocket();
    const child = fixture(sock.path);
    await expect
      .poll(() => sock.got.filter((d) => d.text === 'WATCHDOG=1').length, slow)
      .toBeGreaterThanOrEqual(2);
    child.kill('SIGUSR1');
    await expect.poll(() => sock.index(/STATUS=unhealthy: content sync/), slow).toBeGreaterThan(0);
    const bad = sock.index(/STATUS=unhealthy: content sync/);
    await new Promise((r) => setTimeout(r, 2000)); // four periods
    expect(pingsBetween(sock.got, bad, sock.got.length)).toBe(0);
    child.kill('SIGUSR1');
    await expect.poll(() => sock.index(/STATUS=healthy/, bad), slow).toBeGreaterThan(bad);
    await expect.poll(() => sock.index(/^WATCHDOG=1$/, bad), slow).toBeGreaterThan(bad);
    child.kill('SIGTERM');
    await expect.poll(() => sock.index(/^STOPPING=1/), slow).toBeGreaterThan(bad);
    sock.close();
  }, 30_000);
});

describe('health condition and watchdog period', () => {
  it('reads WATCHDOG_USEC only for this pid', () => {
    expect(watchdogUsec({ WATCHDOG_USEC: '30000000' }, 42)).toBe(30_000_000);
    expect(watchdogUsec({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(30_000_000);
    expect(watchdogUsec({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 42)).toBeUndefined();
    expect(watchdogUsec({}, 42)).toBeUndefined();
  });

  it('a polling loop is healthy while it cycles; offline cycles count; stalled or stuck is not', () => {
    const loop = {
      lastCycleAt: undefined as number | undefined,
      cycleStartedAt: undefined as number | undefined,
    };
    const h = new LoopHealth();
    h.register(pollingLoopProbe('content sync', loop, { startedAt: 0, pollMs: () => 60_000 }));
    expect(h.check(200_000)).toEqual({ ok: true, problems: [] });
    expect(h.check(241_000).problems).toEqual(['content sync: no cycle for 241 s (expected one every 60 s)']);
    loop.lastCycleAt = 240_000; // a failed (offline) cycle is still a cycle
    expect(h.check(241_000).ok).toBe(true);
    loop.cycleStartedAt = 250_000;
    expect(h.check(250_000 + 15 * 60_000 + 1).problems[0]).toMatch(/a cycle has been running for 900 s/);
  });
});
