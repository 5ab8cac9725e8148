import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import type { NodeView } from '../../../protocol/schemas/admin.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { TestDevice } from '../testing/test-device.js';
import { PRINCIPAL_CACHE_MS } from './principal-cache.js';

/**
 * Issue 11 speed: the hierarchy's in-memory tree and the session → principal cache. Each test first makes the
 * cache hold something, so it fails if a change stops reaching the cache (or if the cache stops caching).
 */
let h: Harness;
let nodes: { district: NodeView; street: NodeView; community: NodeView };

beforeAll(async () => {
  h = await createHarness();
  nodes = await h.community('cache');
});
afterAll(() => h.close());

const listIds = async (): Promise<string[]> =>
  ((await h.admin({ method: 'GET', url: API.nodes })).json() as { nodes: NodeView[] }).nodes.map((n) => n.id);

/** A node written to the store behind the service's back, as another instance would. */
async function foreignNode(name: string): Promise<string> {
  const parent = (await h.repo.nodes.get(nodes.street.id))!;
  const id = newId('node', h.clock.now());
  await h.repo.nodes.create({
    ...parent,
    id,
    parentId: parent.id,
    level: 'community',
    name,
    ancestry: [...parent.ancestry, id],
  });
  return id;
}

describe('hierarchy tree in memory', () => {
  it('serves the subtree from memory until invalidate(), and in the store order', async () => {
    const before = await listIds();
    const id = await foreignNode('外来社区');
    expect(await listIds()).toEqual(before); // cached: the store was not read again
    h.app.services.hierarchy.invalidate();
    const after = await listIds();
    expect(after).toContain(id);
    const city = (await h.repo.nodes.listRoots())[0]!;
    expect(after).toEqual((await h.repo.nodes.listSubtree(city.id)).map((n) => n.id));
  });

  it('sees its own writes at once', async () => {
    await listIds();
    const res = await h.admin({
      method: 'POST',
      url: API.nodes,
      payload: { parentId: nodes.street.id, name: '本地社区' },
    });
    expect(res.statusCode).toBe(201);
    expect(await listIds()).toContain((res.json() as NodeView).id);
  });

  it('finds a node another instance created before its signal came (a miss asks the store)', async () => {
    await listIds();
    const id = await foreignNode('未通知社区');
    const res = await h.admin({ method: 'GET', url: `${API.nodes}?parentId=${id}` });
    expect(res.statusCode).toBe(200);
    expect(await listIds()).toContain(id); // and the miss made the tree reload
  });
});

describe('session principal cache', () => {
  const keyset = (token: string) =>
    h.app.inject({ method: 'GET', url: API.deviceKeyset, headers: { authorization: `Bearer ${token}` } });

  it('a revoked device is refused at once, though its session was just cached', async () => {
    const dev = new TestDevice();
    await dev.enroll(h.app, (await h.token(nodes.community.id, 'lobby')).token, 'lobby');
    const token = await dev.session(h.app);
    expect((await keyset(token)).statusCode).toBe(200);
    await h.admin({ method: 'POST', url: API.deviceRevoke(dev.id), payload: {} });
    expect((await keyset(token)).statusCode).toBe(401);
  });

  it('a password reset ends the cached admin sessions at once', async () => {
    const other = await createHarness();
    try {
      const token = await other.adminToken();
      const nodesOf = () =>
        other.app.inject({ method: 'GET', url: API.nodes, headers: { authorization: `Bearer ${token}` } });
      expect((await nodesOf()).statusCode).toBe(200);
      await other.app.services.adminAuth.resetPassword('admin');
      const res = await nodesOf();
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: ErrorCode.UNAUTHORIZED } });
    } finally {
      await other.close();
    }
  });

  it(`a session ended elsewhere (another process) is trusted for at most ${PRINCIPAL_CACHE_MS} ms`, async () => {
    const dev = new TestDevice();
    await dev.enroll(h.app, (await h.token(nodes.community.id, 'lobby')).token, 'lobby');
    const token = await dev.session(h.app);
    expect((await keyset(token)).statusCode).toBe(200);
    // Straight to the store, as another instance's revoke would: this process is not told.
    await h.repo.devices.revoke(dev.id, h.clock.now());
    expect((await keyset(token)).statusCode).toBe(200);
    h.clock.advance(PRINCIPAL_CACHE_MS);
    expect((await keyset(token)).statusCode).toBe(401);
  });
});
