import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { CreateAdminResponse, NodeView } from '../../../../protocol/schemas/admin.js';
import { createHarness, type Harness } from '../../testing/harness.js';

let h: Harness;
let city: NodeView;
let district: NodeView;
let community: NodeView;

async function login(username: string, password: string): Promise<string> {
  const res = await h.app.inject({ method: 'POST', url: API.login, payload: { username, password } });
  return (res.json() as { token: string }).token;
}

beforeAll(async () => {
  h = await createHarness();
  city = ((await h.admin({ method: 'GET', url: API.nodes })).json() as { nodes: NodeView[] }).nodes[0]!;
  district = (
    await h.admin({ method: 'POST', url: API.nodes, payload: { parentId: city.id, name: '和平区' } })
  ).json() as NodeView;
  const street = (
    await h.admin({ method: 'POST', url: API.nodes, payload: { parentId: district.id, name: '幸福街道' } })
  ).json() as NodeView;
  community = (
    await h.admin({ method: 'POST', url: API.nodes, payload: { parentId: street.id, name: '阳光社区' } })
  ).json() as NodeView;
});
afterAll(() => h.close());

describe('admin accounts', () => {
  it('creates a scoped admin whose first password is returned once and stored hashed', async () => {
    const res = await h.admin({
      method: 'POST',
      url: API.admins,
      payload: { username: 'district1', role: 'admin', nodeId: district.id },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as CreateAdminResponse;
    expect(body.admin).toMatchObject({ username: 'district1', role: 'admin', nodeId: district.id });
    const row = h.repo.db.prepare('SELECT password_hash FROM admins WHERE username = ?').get('district1') as {
      password_hash: string;
    };
    expect(row.password_hash).not.toContain(body.password);

    const token = await login('district1', body.password);
    // A district admin may appoint community staff, not a city-level admin.
    const staff = await h.app.inject({
      method: 'POST',
      url: API.admins,
      headers: { authorization: `Bearer ${token}` },
      payload: { username: 'staff1', role: 'staff', nodeId: community.id },
    });
    expect(staff.statusCode).toBe(201);
    const outside = await h.app.inject({
      method: 'POST',
      url: API.admins,
      headers: { authorization: `Bearer ${token}` },
      payload: { username: 'citywide', role: 'admin', nodeId: city.id },
    });
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toMatchObject({ error: { code: ErrorCode.NODE_NOT_FOUND } });
    const list = await h.app.inject({
      method: 'GET',
      url: API.admins,
      headers: { authorization: `Bearer ${token}` },
    });
    expect((list.json() as { admins: { username: string }[] }).admins.map((a) => a.username).sort()).toEqual([
      'district1',
      'staff1',
    ]);
  });

  it('lets staff create nothing and refuses taken names and bad input without storing anything', async () => {
    const staffPw = (
      (
        await h.admin({
          method: 'POST',
          url: API.admins,
          payload: { username: 'staff2', role: 'staff', nodeId: community.id },
        })
      ).json() as CreateAdminResponse
    ).password;
    const staffToken = await login('staff2', staffPw);
    const count = () => (h.repo.db.prepare('SELECT count(*) AS n FROM admins').get() as { n: number }).n;
    const before = count();
    const byStaff = await h.app.inject({
      method: 'POST',
      url: API.admins,
      headers: { authorization: `Bearer ${staffToken}` },
      payload: { username: 'staff3', role: 'staff', nodeId: community.id },
    });
    expect(byStaff.json()).toMatchObject({ error: { code: ErrorCode.FORBIDDEN } });
    const taken = await h.admin({
      method: 'POST',
      url: API.admins,
      payload: { username: 'staff2', role: 'staff', nodeId: community.id },
    });
    expect(taken.json()).toMatchObject({ error: { code: ErrorCode.CONFLICT } });
    const bad = await h.admin({
      method: 'POST',
      url: API.admins,
      payload: { username: 'X', role: 'root', nodeId: community.id },
    });
    expect(bad.json()).toMatchObject({ error: { code: ErrorCode.BAD_REQUEST } });
    expect(count()).toBe(before);
  });
});
