import { afterEach, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { CreateAdminResponse } from '../../../../protocol/schemas/admin.js';
import { LoginLockout } from '../../services/login-lockout.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { TestDevice } from '../../testing/test-device.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const login = (username: string, password: string, remoteAddress = '198.51.100.7') =>
  h!.app.inject({ method: 'POST', url: API.login, payload: { username, password }, remoteAddress });

function expectThrottled(res: Awaited<ReturnType<typeof login>>, code: string = ErrorCode.LOGIN_THROTTLED) {
  expect(res.statusCode).toBe(429);
  expect(res.json()).toMatchObject({ error: { code } });
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  return retryAfter;
}

describe('admin login lockout per account', () => {
  it('5 wrong passwords lock the account: the right one is 429 too, and works once Retry-After has passed', async () => {
    h = await createHarness();
    for (let i = 0; i < 5; i++) {
      const res = await login('admin', `wrong-${i}`);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: ErrorCode.LOGIN_FAILED } });
    }
    const locked = await login('admin', h.password);
    const retryAfter = expectThrottled(locked);
    expect(retryAfter).toBe(30);
    // Another address does not help: the lock is the account's.
    expectThrottled(await login('admin', h.password, '203.0.113.9'));
    h.clock.advance((retryAfter - 1) * 1000);
    expectThrottled(await login('admin', h.password));
    h.clock.advance(1000);
    const ok = await login('admin', h.password);
    expect(ok.statusCode).toBe(200);
    // A success resets the streak: one more wrong password is a plain 401 again, not a longer lock.
    h.clock.advance(60_000); // (past the per-account rate window, which counts every attempt)
    expect((await login('admin', 'wrong-again')).statusCode).toBe(401);
    expect((await login('admin', h.password)).statusCode).toBe(200);
  });

  it('an unknown account name locks like a real one (the lock reveals nothing)', async () => {
    h = await createHarness();
    for (let i = 0; i < 5; i++) expect((await login('nobody', 'x')).statusCode).toBe(401);
    expectThrottled(await login('nobody', 'x'));
  });
});

describe('the lockout is bounded', () => {
  it('doubles with each further failure, never beyond 15 minutes, and the right password then works', () => {
    let t = 1_000_000;
    const lock = new LoginLockout(() => t);
    const seen: number[] = [];
    for (let round = 0; round < 12; round++) {
      // Wait out any lock, then fail once more (a persistent attacker).
      t += lock.lockedForSec('admin') * 1000;
      lock.check('admin');
      lock.failure('admin');
      seen.push(lock.lockedForSec('admin'));
    }
    expect(seen.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(seen.slice(4, 10)).toEqual([30, 60, 120, 240, 480, 900]);
    expect(seen.slice(10)).toEqual([900, 900]);
    expect(Math.max(...seen)).toBeLessThanOrEqual(15 * 60);
    t += 900_000;
    expect(() => lock.check('admin')).not.toThrow();
    lock.success('admin');
    lock.failure('admin');
    expect(lock.lockedForSec('admin')).toBe(0);
  });

  it('forgets a failure streak after an hour without failures', () => {
    let t = 0;
    const lock = new LoginLockout(() => t);
    for (let i = 0; i < 4; i++) lock.failure('a');
    t += 61 * 60_000;
    lock.failure('a');
    expect(lock.lockedForSec('a')).toBe(0);
  });

  it('stays bounded in memory under a spray of made-up names, keeping locked accounts', () => {
    const t = 0;
    const lock = new LoginLockout(() => t, { maxEntries: 100 });
    for (let i = 0; i < 5; i++) lock.failure('admin');
    for (let i = 0; i < 1000; i++) lock.failure(`spray-${i}`);
    expect(lock.lockedForSec('admin')).toBe(30);
    expect(lock.lockedForSec('spray-0')).toBe(0);
  });
});

describe('rate limits (@fastify/rate-limit on the app clock)', () => {
  it('the per-address limit also stops a different account from the same address', async () => {
    h = await createHarness({ config: { loginPerIpPerMinute: 6 } });
    const made = await h.admin({
      method: 'POST',
      url: API.admins,
      payload: { username: 'zhang', role: 'staff', nodeId: (await h.app.repo.nodes.listRoots())[0]!.id },
    });
    const { password } = made.json() as CreateAdminResponse;
    // Four names, under each account's own lock threshold, but six attempts from one address.
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']) {
      expect((await login(name, 'x')).statusCode).toBe(401);
    }
    const limited = await login('zhang', password);
    expect(expectThrottled(limited)).toBeLessThanOrEqual(60);
    // Positive control: the same request from another address goes through.
    expect((await login('zhang', password, '203.0.113.50')).statusCode).toBe(200);
    h.clock.advance(60_000);
    expect((await login('zhang', password)).statusCode).toBe(200);
  });

  it('the per-account limit counts attempts from every address', async () => {
    h = await createHarness();
    for (let i = 0; i < 10; i++) {
      expect((await login('admin', h.password, `198.51.100.${i + 1}`)).statusCode).toBe(200);
    }
    expectThrottled(await login('admin', h.password, '198.51.100.200'));
    h.clock.advance(60_000);
    expect((await login('admin', h.password, '198.51.100.200')).statusCode).toBe(200);
  });

  it('enrollment is limited per address with a coded 429 and Retry-After', async () => {
    h = await createHarness({ config: { enrollPerIpPerMinute: 3 } });
    const challenge = (remoteAddress = '198.51.100.7') =>
      h!.app.inject({ method: 'POST', url: API.enrollChallenge, payload: {}, remoteAddress });
    for (let i = 0; i < 3; i++) expect((await challenge()).statusCode).toBe(200);
    expectThrottled(await challenge(), ErrorCode.RATE_LIMITED);
    const enroll = await h.app.inject({
      method: 'POST',
      url: API.enroll,
      payload: {},
      remoteAddress: '198.51.100.7',
    });
    expectThrottled(enroll, ErrorCode.RATE_LIMITED);
    expect((await challenge('203.0.113.1')).statusCode).toBe(200);
    h.clock.advance(60_000);
    expect((await challenge()).statusCode).toBe(200);
  });

  it("a kiosk's appointment-code lookups and cancels are limited per device", async () => {
    h = await createHarness({ config: { codeLookupsPerDevicePerMinute: 4 } });
    const { community } = await h.community();
    const kiosk = new TestDevice();
    await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
    const other = new TestDevice();
    await other.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
    const lookup = (d: TestDevice, url: string = API.deviceAppointmentLookup) =>
      d.call(h!.app, { method: 'POST', url, payload: { code: '12345678' } });
    for (let i = 0; i < 2; i++) {
      expect((await lookup(kiosk)).json()).toMatchObject({
        error: { code: ErrorCode.APPOINTMENT_NOT_FOUND },
      });
      expect((await lookup(kiosk, API.deviceAppointmentCancel)).statusCode).toBe(404);
    }
    expectThrottled(await lookup(kiosk), ErrorCode.RATE_LIMITED);
    expectThrottled(await lookup(kiosk, API.deviceAppointmentCancel), ErrorCode.RATE_LIMITED);
    expect((await lookup(other)).statusCode).toBe(404);
    h.clock.advance(60_000);
    expect((await lookup(kiosk)).statusCode).toBe(404);
  });
});
