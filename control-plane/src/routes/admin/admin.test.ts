import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { NodeView } from '../../../../protocol/schemas/admin.js';
import { parseToken } from '../../../../protocol/token.js';
import { hashPassword, sha256B64 } from '../../crypto/secrets.js';
import { createHarness, type Harness } from '../../testing/harness.js';

let h: Harness;
let root: NodeView;
beforeAll(async () => {
  h = await createHarness();
  const res = await h.admin({ method: 'GET', url: API.nodes });
  root = (res.json() as { nodes: NodeView[] }).nodes[0]!;
});
afterAll(() => h.close());

describe('POST login', () => {
  it('returns a bearer token that is stored only as a hash', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: API.login,
      payload: { username: 'admin', password: h.password },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      token: string;
      expiresAt: string;
      admin: { username: string; nodeId: string };
    };
    expect(body.admin).toMatchObject({ username: 'admin', role: 'admin', nodeId: root.id });
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(h.clock.now());
    const rows = h.repo.db.prepare('SELECT token_hash FROM admin_sessions').all() as { token_hash: string }[];
    expect(rows.map((r) => r.token_hash)).toContain(sha256B64(body.token));
    expect(JSON.stringify(rows)).not.toContain(body.token);
  });

  it.each([
    [{ username: 'admin', password: 'wrong' }, 401, ErrorCode.LOGIN_FAILED],
    [{ username: 'nobody', password: 'x' }, 401, ErrorCode.LOGIN_FAILED],
    [{ username: 'admin' }, 400, ErrorCode.BAD_REQUEST],
    [{ username: 'admin', password: '' }, 400, ErrorCode.BAD_REQUEST],
  ])('refuses %j', async (payload, status, code) => {
    const res = await h.app.inject({ method: 'POST', url: API.login, payload });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: { code } });
  });

  it('expires sessions', async () => {
    const login = await h.app.inject({
      method: 'POST',
      url: API.login,
      payload: { username: 'admin', password: h.password },
    });
    const token = (login.json() as { token: string }).token;
    h.clock.advance(h.config.adminSessionTtlSec * 1000 + 1);
    try {
      const res = await h.app.inject({
        method: 'GET',
        url: API.nodes,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: ErrorCode.SESSION_EXPIRED } });
    } finally {
      h.clock.advance(-(h.config.adminSessionTtlSec * 1000 + 1));
    }
  });

  it('requires a session on admin routes', async () => {
    for (const headers of [{}, { authorization: 'Bearer las1.nope' }, { authorization: 'Basic x' }]) {
      const res = await h.app.inject({ method: 'GET', url: API.devices, headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: ErrorCode.UNAUTHORIZED } });
    }
  });
});

describe('nodes', () => {
  it('derives the level from the parent and inherits the timezone', async () => {
    const { district, street, community } = await h.community('derive');
    expect([district.level, street.level, community.level]).toEqual(['district', 'street', 'community']);
    expect(community.timezone).toBe('Asia/Shanghai');
    expect(community.path).toEqual([root.name, 'derive区', 'derive街道', 'derive社区']);
    expect(community.parentId).toBe(street.id);
  });

  it('checks a given level, refuses children of a community and unknown zones', async () => {
    const { district, community } = await h.community('levels');
    const wrong = await h.admin({
      method: 'POST',
      url: API.nodes,
      payload: { parentId: district.id, name: 'x', level: 'community' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({
      error: { code: ErrorCode.NODE_LEVEL, details: { field: 'level', expected: 'street' } },
    });
    const under = await h.admin({
      method: 'POST',
      url: API.nodes,
      payload: { parentId: community.id, name: 'x' },
    });
    expect(under.json()).toMatchObject({ error: { code: ErrorCode.NODE_LEVEL } });
    const tz = await h.admin({
      method: 'POST',
      url: API.nodes,
      payload: { parentId: district.id, name: 'y', timezone: 'Mars/Olympus' },
    });
    expect(tz.json()).toMatchObject({
      error: { code: ErrorCode.BAD_REQUEST, details: { field: 'timezone' } },
    });
    const own = await h.admin({
      method: 'POST',
      url: API.nodes,
      payload: { parentId: district.id, name: 'z', timezone: 'Asia/Urumqi' },
    });
    expect(own.json()).toMatchObject({ level: 'street', timezone: 'Asia/Urumqi' });
    const dup = await h.admin({
      method: 'POST',
      url: API.nodes,
      payload: { parentId: district.id, name: 'z' },
    });
    expect(dup.statusCode).toBe(409);
    const missing = await h.admin({
      method: 'POST',
      url: API.nodes,
      payload: { parentId: newId('node'), name: 'q' },
    });
    expect(missing.json()).toMatchObject({ error: { code: ErrorCode.NODE_NOT_FOUND } });
    const badId = await h.admin({
      method: 'POST',
      url: API.nodes,
      payload: { parentId: 'node_1', name: 'q' },
    });
    expect(badId.json()).toMatchObject({
      error: { code: ErrorCode.BAD_REQUEST, details: { field: 'body/parentId' } },
    });
  });

  it('lists the subtree or the children of one node', async () => {
    const { district, street } = await h.community('listing');
    const all = (await h.admin({ method: 'GET', url: API.nodes })).json() as { nodes: NodeView[] };
    expect(all.nodes[0]?.id).toBe(root.id);
    expect(all.nodes.map((n) => n.id)).toContain(street.id);
    const kids = await h.admin({ method: 'GET', url: `${API.nodes}?parentId=${district.id}` });
    expect((kids.json() as { nodes: NodeView[] }).nodes.map((n) => n.id)).toEqual([street.id]);
    const bad = await h.admin({ method: 'GET', url: `${API.nodes}?color=red` });
    expect(bad.json()).toMatchObject({ error: { code: ErrorCode.BAD_REQUEST } });
  });
});

describe('enrollment tokens', () => {
  it('returns the token once with the TUF root anchor, and stores only a hash of the secret', async () => {
    const { community } = await h.community('tokens');
    const res = await h.admin({
      method: 'POST',
      url: API.enrollmentTokens,
      payload: { nodeId: community.id, role: 'lobby', expiresInSec: 600, maxUses: 3 },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as {
      id: string;
      token: string;
      maxUses: number;
      role: string;
      expiresAt: string;
    };
    const parsed = parseToken(body.token);
    expect(parsed.tokenId).toBe(body.id);
    expect(parsed.rootHash).toBe(h.app.tufKeys.anchor);
    expect(body).toMatchObject({ maxUses: 3, role: 'lobby', nodeId: community.id });
    expect(Date.parse(body.expiresAt)).toBe(h.clock.now() + 600_000);
    const row = h.repo.db.prepare('SELECT * FROM enrollment_tokens WHERE id = ?').get(body.id) as Record<
      string,
      unknown
    >;
    expect(row.secret_hash).toBe(sha256B64(parsed.secret));
    expect(JSON.stringify(row)).not.toContain(parsed.secret);
  });

  it.each([
    [{ role: 'toaster' }, 'body/role'],
    [{ expiresInSec: 10 }, 'body/expiresInSec'],
    [{ expiresInSec: 365 * 86_400 }, 'body/expiresInSec'],
    [{ maxUses: 0 }, 'body/maxUses'],
    [{ maxUses: 1.5 }, 'body/maxUses'],
  ])('refuses %j naming the field', async (patch, field) => {
    const { community } = await h.community(`bad${field.length}${JSON.stringify(patch).length}`);
    const res = await h.admin({
      method: 'POST',
      url: API.enrollmentTokens,
      payload: { nodeId: community.id, role: 'kiosk', ...patch },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.BAD_REQUEST, details: { field } } });
  });

  it('revokes a token', async () => {
    const { community } = await h.community('revoke');
    const t = await h.token(community.id, 'kiosk');
    const res = await h.admin({ method: 'POST', url: API.enrollmentTokenRevoke(t.id), payload: {} });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { revokedAt: string | null }).revokedAt).not.toBeNull();
  });
});

describe('scope: an admin acts only inside its own subtree', () => {
  it('answers anything outside as if it did not exist (404, no owner named)', async () => {
    const a = await h.community('scopeA');
    const b = await h.community('scopeB');
    await h.repo.admins.create({
      id: newId('adm'),
      username: 'district-a',
      passwordHash: await hashPassword('district-a-password'),
      role: 'admin',
      nodeId: a.district.id,
      createdAt: Date.now(),
    });
    const login = await h.app.inject({
      method: 'POST',
      url: API.login,
      payload: { username: 'district-a', password: 'district-a-password' },
    });
    const auth = { authorization: `Bearer ${(login.json() as { token: string }).token}` };
    const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      h.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });

    const inside = await call('POST', API.nodes, { parentId: a.street.id, name: 'ok' });
    expect(inside.statusCode).toBe(201);
    for (const [method, url, payload] of [
      ['POST', API.nodes, { parentId: root.id, name: 'x' }],
      ['POST', API.nodes, { parentId: b.street.id, name: 'x' }],
      ['POST', API.enrollmentTokens, { nodeId: b.community.id, role: 'kiosk' }],
      ['POST', API.notices, { targets: { nodeIds: [root.id] }, title: { zh: '越权' }, body: { zh: '越权' } }],
      ['GET', `${API.devices}?nodeId=${b.community.id}`, undefined],
      ['GET', `${API.nodes}?parentId=${root.id}`, undefined],
    ] as const) {
      const res = await call(method, url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: ErrorCode.NODE_NOT_FOUND } });
    }
    const listed = (await call('GET', API.nodes)).json() as { nodes: NodeView[] };
    expect(listed.nodes.every((n) => n.path.includes('scopeA区'))).toBe(true);
    expect(listed.nodes[0]?.id).toBe(a.district.id);
  });
});
