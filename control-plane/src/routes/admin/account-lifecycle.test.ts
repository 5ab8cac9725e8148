import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { AdminView, CreateAdminResponse, NodeView } from '../../../../protocol/schemas/admin.js';
import { createHarness, type Harness } from '../../testing/harness.js';

let h: Harness;
let district: NodeView;
let community: NodeView;
let sibling: NodeView;

async function create(
  username: string,
  role: 'admin' | 'staff',
  nodeId: string,
): Promise<CreateAdminResponse> {
  const res = await h.admin({ method: 'POST', url: API.admins, payload: { username, role, nodeId } });
  expect(res.statusCode).toBe(201);
  return res.json() as CreateAdminResponse;
}

async function login(username: string, password: string) {
  return h.app.inject({ method: 'POST', url: API.login, payload: { username, password } });
}

async function token(username: string, password: string): Promise<string> {
  const res = await login(username, password);
  expect(res.statusCode).toBe(200);
  return (res.json() as { token: string }).token;
}

const as = (t: string, o: { method: 'GET' | 'POST'; url: string; payload?: object }) =>
  h.app.inject({ ...o, headers: { authorization: `Bearer ${t}` } });

beforeAll(async () => {
  // Many logins from one test address: the per-IP throttle is not what this file tests.
  h = await createHarness({ config: { loginPerIpPerMinute: 10_000 } });
  ({ district, community } = await h.community());
  const street = community; // any node under the district that is not the community
  sibling = (
    await h.admin({ method: 'POST', url: API.nodes, payload: { parentId: district.id, name: '明月街道' } })
  ).json() as NodeView;
  expect(street.id).not.toBe(sibling.id);
});
afterAll(() => h.close());

describe('disable and enable an account', () => {
  it('ends the sessions at once, refuses login with ACCOUNT_DISABLED, and enabling lets it log in again', async () => {
    const staff = await create('lc-staff', 'staff', community.id);
    const t1 = await token('lc-staff', staff.password);
    const t2 = await token('lc-staff', staff.password);
    expect((await as(t1, { method: 'GET', url: API.nodes })).statusCode).toBe(200); // cached now

    const off = await h.admin({ method: 'POST', url: API.adminAction(staff.admin.id, 'disable') });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ id: staff.admin.id, disabled: true });
    // At once, although t1's principal was cached a moment ago (no clock advance).
    for (const t of [t1, t2]) {
      const r = await as(t, { method: 'GET', url: API.nodes });
      expect(r.statusCode).toBe(401);
    }
    const refused = await login('lc-staff', staff.password);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: ErrorCode.ACCOUNT_DISABLED } });
    // A wrong password on a disabled account still says only LOGIN_FAILED (no oracle).
    const wrong = await login('lc-staff', 'not-the-password');
    expect(wrong.json()).toMatchObject({ error: { code: ErrorCode.LOGIN_FAILED } });
    const listed = (await h.admin({ method: 'GET', url: API.admins })).json() as { admins: AdminView[] };
    expect(listed.admins.find((a) => a.id === staff.admin.id)).toMatchObject({ disabled: true });

    const on = await h.admin({ method: 'POST', url: API.adminAction(staff.admin.id, 'enable') });
    expect(on.statusCode).toBe(200);
    expect(on.json()).not.toHaveProperty('disabled');
    const t3 = await token('lc-staff', staff.password);
    expect((await as(t3, { method: 'GET', url: API.nodes })).statusCode).toBe(200);
    // The old sessions stay ended.
    expect((await as(t1, { method: 'GET', url: API.nodes })).statusCode).toBe(401);
  });

  it('answers 404 for an account outside the scope like an unknown one, and refuses your own', async () => {
    const districtAdmin = await create('lc-district', 'admin', community.id);
    const outsider = await create('lc-sibling', 'staff', sibling.id);
    const t = await token('lc-district', districtAdmin.password);
    for (const id of [outsider.admin.id, 'adm_unknown']) {
      const r = await as(t, { method: 'POST', url: API.adminAction(id, 'disable') });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ error: { code: ErrorCode.NOT_FOUND } });
    }
    // An admin above the account's node is not in a community admin's scope either.
    const root = (await h.admin({ method: 'GET', url: API.admins })).json() as { admins: AdminView[] };
    const cityAdmin = root.admins.find((a) => a.username === 'admin')!;
    expect((await as(t, { method: 'POST', url: API.adminAction(cityAdmin.id, 'disable') })).statusCode).toBe(
      404,
    );
    const self = await as(t, { method: 'POST', url: API.adminAction(districtAdmin.admin.id, 'disable') });
    expect(self.statusCode).toBe(403);
    expect(self.json()).toMatchObject({ error: { code: ErrorCode.FORBIDDEN } });
    // Positive control: the outsider is still able to log in.
    expect((await login('lc-sibling', outsider.password)).statusCode).toBe(200);
  });

  it('is admin-only (staff: 403 FORBIDDEN naming admins.manage)', async () => {
    const staff = await create('lc-staff2', 'staff', community.id);
    const victim = await create('lc-victim', 'staff', community.id);
    const t = await token('lc-staff2', staff.password);
    const r = await as(t, { method: 'POST', url: API.adminAction(victim.admin.id, 'disable') });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({
      error: { code: ErrorCode.FORBIDDEN, details: { permission: 'admins.manage' } },
    });
    expect((await login('lc-victim', victim.password)).statusCode).toBe(200);
  });
});

describe('password change by the user', () => {
  it('needs the current password, keeps this session and ends the others', async () => {
    const staff = await create('pw-staff', 'staff', community.id);
    const mine = await token('pw-staff', staff.password);
    const other = await token('pw-staff', staff.password);
    expect((await as(other, { method: 'GET', url: API.nodes })).statusCode).toBe(200);
    const next = 'a-new-long-password-1';

    const wrong = await as(mine, { method: 'POST', url: API.myPassword, payload: { current: 'nope', next } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({
      error: { code: ErrorCode.PASSWORD_WRONG, details: { field: 'current' } },
    });
    const weak = await as(mine, {
      method: 'POST',
      url: API.myPassword,
      payload: { current: staff.password, next: 'short' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ error: { code: ErrorCode.PASSWORD_WEAK } });
    const same = await as(mine, {
      method: 'POST',
      url: API.myPassword,
      payload: { current: staff.password, next: staff.password },
    });
    expect(same.json()).toMatchObject({ error: { code: ErrorCode.PASSWORD_WEAK } });
    const missing = await as(mine, { method: 'POST', url: API.myPassword, payload: { next } });
    expect(missing.statusCode).toBe(400);
    // Nothing changed so far: the old password still logs in, both sessions still work.
    expect((await login('pw-staff', staff.password)).statusCode).toBe(200);
    expect((await as(other, { method: 'GET', url: API.nodes })).statusCode).toBe(200);

    const ok = await as(mine, {
      method: 'POST',
      url: API.myPassword,
      payload: { current: staff.password, next },
    });
    expect(ok.statusCode).toBe(204);
    expect((await as(mine, { method: 'GET', url: API.nodes })).statusCode).toBe(200);
    expect((await as(other, { method: 'GET', url: API.nodes })).statusCode).toBe(401);
    expect((await login('pw-staff', staff.password)).json()).toMatchObject({
      error: { code: ErrorCode.LOGIN_FAILED },
    });
    expect((await login('pw-staff', next)).statusCode).toBe(200);
  });

  it('counts wrong current passwords toward the login lockout', async () => {
    const staff = await create('pw-lock', 'staff', community.id);
    const t = await token('pw-lock', staff.password);
    let last = 0;
    let code = '';
    for (let i = 0; i < 30 && code !== ErrorCode.LOGIN_THROTTLED; i++) {
      const r = await as(t, {
        method: 'POST',
        url: API.myPassword,
        payload: { current: `wrong-${i}`, next: 'a-new-long-password-2' },
      });
      last = r.statusCode;
      code = (r.json() as { error: { code: string } }).error.code;
    }
    expect(code).toBe(ErrorCode.LOGIN_THROTTLED);
    expect(last).toBe(429);
    // The lock is the account's: a login with the right password is refused too while it lasts.
    expect((await login('pw-lock', staff.password)).json()).toMatchObject({
      error: { code: ErrorCode.LOGIN_THROTTLED },
    });
  });
});

describe('session list and revoke', () => {
  type List = { sessions: { id: string; current: boolean; createdAt: string; expiresAt: string }[] };

  it('lists your own sessions (current marked, no token shown) and revokes one of them at once', async () => {
    const staff = await create('ss-own', 'staff', community.id);
    const mine = await token('ss-own', staff.password);
    const other = await token('ss-own', staff.password);
    expect((await as(other, { method: 'GET', url: API.nodes })).statusCode).toBe(200); // cached
    const res = await as(mine, { method: 'GET', url: API.mySessions });
    expect(res.statusCode).toBe(200);
    const list = (res.json() as List).sessions;
    expect(list).toHaveLength(2);
    expect(list.filter((s) => s.current)).toHaveLength(1);
    expect(res.body).not.toContain(mine.slice(5));
    expect(res.body).not.toContain(other.slice(5));
    const otherId = list.find((s) => !s.current)!.id;

    const unknown = await as(mine, { method: 'POST', url: API.mySessionRevoke('not-a-session') });
    expect(unknown.statusCode).toBe(404);
    const ok = await as(mine, { method: 'POST', url: API.mySessionRevoke(otherId) });
    expect(ok.statusCode).toBe(204);
    expect((await as(other, { method: 'GET', url: API.nodes })).statusCode).toBe(401);
    expect((await as(mine, { method: 'GET', url: API.nodes })).statusCode).toBe(200);
    const after = ((await as(mine, { method: 'GET', url: API.mySessions })).json() as List).sessions;
    expect(after.map((s) => s.current)).toEqual([true]);
  });

  it('lets an admin list and revoke the sessions of an account in scope; outside it answers 404', async () => {
    const admin = await create('ss-admin', 'admin', community.id);
    const staff = await create('ss-staff', 'staff', community.id);
    const outsider = await create('ss-outsider', 'staff', sibling.id);
    const a = await token('ss-admin', admin.password);
    const s = await token('ss-staff', staff.password);
    const o = await token('ss-outsider', outsider.password);

    const listed = await as(a, { method: 'GET', url: API.adminSessions(staff.admin.id) });
    expect(listed.statusCode).toBe(200);
    const [only] = (listed.json() as List).sessions;
    expect(only).toMatchObject({ current: false });
    const revoked = await as(a, { method: 'POST', url: API.adminSessionRevoke(staff.admin.id, only!.id) });
    expect(revoked.statusCode).toBe(204);
    expect((await as(s, { method: 'GET', url: API.nodes })).statusCode).toBe(401);

    // Outside the subtree: 404 like an unknown account, and the session there lives on.
    const outsiderSessions = (
      (await h.admin({ method: 'GET', url: API.adminSessions(outsider.admin.id) })).json() as List
    ).sessions;
    expect(outsiderSessions).toHaveLength(1);
    for (const id of [outsider.admin.id, 'adm_unknown']) {
      const r = await as(a, { method: 'GET', url: API.adminSessions(id) });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ error: { code: ErrorCode.NOT_FOUND } });
    }
    const cross = await as(a, {
      method: 'POST',
      url: API.adminSessionRevoke(outsider.admin.id, outsiderSessions[0]!.id),
    });
    expect(cross.statusCode).toBe(404);
    // A session id of another account does not work through this one's path either.
    const mixed = await as(a, {
      method: 'POST',
      url: API.adminSessionRevoke(staff.admin.id, outsiderSessions[0]!.id),
    });
    expect(mixed.statusCode).toBe(404);
    expect((await as(o, { method: 'GET', url: API.nodes })).statusCode).toBe(200);

    // Staff cannot look at anyone else's sessions.
    const t = await token('ss-staff', staff.password);
    const forbidden = await as(t, { method: 'GET', url: API.adminSessions(admin.admin.id) });
    expect(forbidden.statusCode).toBe(403);
  });
});

describe('reset by an admin of a parent scope', () => {
  it('gives a temporary password shown once that must be changed before anything else works', async () => {
    const staff = await create('rs-staff', 'staff', community.id);
    const before = await token('rs-staff', staff.password);
    const reset = await h.admin({ method: 'POST', url: API.adminResetPassword(staff.admin.id) });
    expect(reset.statusCode).toBe(200);
    const { password: temp } = reset.json() as { password: string };
    expect(temp.length).toBeGreaterThanOrEqual(12);
    expect((await as(before, { method: 'GET', url: API.nodes })).statusCode).toBe(401);
    expect((await login('rs-staff', staff.password)).statusCode).toBe(401);

    const first = await login('rs-staff', temp);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ mustChangePassword: true });
    const t = (first.json() as { token: string }).token;
    for (const url of [API.nodes, API.mySessions]) {
      const r = await as(t, { method: 'GET', url });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ error: { code: ErrorCode.PASSWORD_CHANGE_REQUIRED } });
    }
    const changed = await as(t, {
      method: 'POST',
      url: API.myPassword,
      payload: { current: temp, next: 'my-own-long-password' },
    });
    expect(changed.statusCode).toBe(204);
    expect((await as(t, { method: 'GET', url: API.nodes })).statusCode).toBe(200);
    const again = await login('rs-staff', 'my-own-long-password');
    expect(again.json()).not.toHaveProperty('mustChangePassword');
  });

  it('answers 404 outside the subtree, 403 for your own account and for staff', async () => {
    const admin = await create('rs-admin', 'admin', community.id);
    const outsider = await create('rs-outsider', 'staff', sibling.id);
    const staff = await create('rs-staff2', 'staff', community.id);
    const a = await token('rs-admin', admin.password);
    const out = await as(a, { method: 'POST', url: API.adminResetPassword(outsider.admin.id) });
    expect(out.statusCode).toBe(404);
    expect(out.json()).toMatchObject({ error: { code: ErrorCode.NOT_FOUND } });
    const self = await as(a, { method: 'POST', url: API.adminResetPassword(admin.admin.id) });
    expect(self.statusCode).toBe(403);
    const s = await token('rs-staff2', staff.password);
    expect((await as(s, { method: 'POST', url: API.adminResetPassword(admin.admin.id) })).statusCode).toBe(
      403,
    );
    // Positive controls: nothing was reset.
    expect((await login('rs-outsider', outsider.password)).statusCode).toBe(200);
    expect((await login('rs-admin', admin.password)).statusCode).toBe(200);
  });
});
