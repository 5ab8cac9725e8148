import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import type { NodeView } from '../../../protocol/schemas/admin.js';
import type { Repository } from '../storage/repository.js';
import { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';
import { openChannel } from '../testing/channel-client.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { TestDevice } from '../testing/test-device.js';
import { LocalBus } from './local-bus.js';

// A node moved on one instance: the other instance's tree and its hub's index of connected devices follow.

function shared(repo: Repository): Repository {
  return Object.create(repo, { close: { value: async () => {} } }) as Repository;
}

describe('moving a community on instance B, with its lobby connected to instance A', () => {
  let a: Harness;
  let b: Harness;
  let repo: SqliteRepository;
  let storeDir: string;
  let token: string;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'linli-node-move-'));
    repo = SqliteRepository.open(storeDir);
    const bus = new LocalBus();
    const dataDir = mkdtempSync(join(tmpdir(), 'linli-node-move-data-'));
    a = await createHarness({ bus, dataDir, repo: shared(repo) });
    b = await createHarness({ bus, dataDir, repo: shared(repo) });
    await a.app.listen({ port: 0, host: '127.0.0.1' });
    token = await a.adminToken();
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await repo.close();
    rmSync(storeDir, { recursive: true, force: true });
    rmSync(a.dataDir, { recursive: true, force: true });
    rmSync(a.config.offlineKeysDir, { recursive: true, force: true });
  });

  const as = (h: Harness, o: InjectOptions) =>
    h.app.inject({ ...o, headers: { authorization: `Bearer ${token}` } });
  const childrenOn = async (h: Harness, parentId: string) =>
    (
      (await as(h, { method: 'GET', url: `${API.nodes}?parentId=${parentId}` })).json() as {
        nodes: NodeView[];
      }
    ).nodes.map((n) => n.id);

  it('A reloads its tree, re-places the connected lobby, and notices follow the new street', async () => {
    const { district, street: oldStreet, community } = await a.community('跨实例搬家');
    const newStreet = (
      await as(a, { method: 'POST', url: API.nodes, payload: { parentId: district.id, name: '跨实例新街' } })
    ).json() as NodeView;
    const lobby = new TestDevice();
    await lobby.enroll(a.app, (await a.token(community.id, 'lobby')).token, 'lobby');
    const c = await openChannel(
      `ws://127.0.0.1:${(a.app.server.address() as AddressInfo).port}${API.deviceChannel}`,
      lobby,
    );
    await expect.poll(() => b.app.cluster.notifier.isOnline(lobby.id)).toBe(true);
    // Both instances hold the tree in memory before the move.
    expect(await childrenOn(a, oldStreet.id)).toEqual([community.id]);
    expect(await childrenOn(b, oldStreet.id)).toEqual([community.id]);

    const moved = await as(b, {
      method: 'POST',
      url: API.nodeMove(community.id),
      payload: { parentId: newStreet.id },
    });
    expect(moved.statusCode).toBe(200);
    // B asked the device (held by A) to sync both content and config.
    const topics = new Set<unknown>();
    while (topics.size < 2) topics.add((await c.next('sync')).topic);
    expect([...topics].sort()).toEqual(['config', 'content']);

    await expect.poll(() => childrenOn(a, newStreet.id)).toEqual([community.id]);
    expect(await childrenOn(a, oldStreet.id)).toEqual([]);

    const publish = async (nodeId: string, title: string) =>
      (
        await as(a, {
          method: 'POST',
          url: API.notices,
          payload: { targets: { nodeIds: [nodeId] }, title: { zh: title }, body: { zh: 'x' }, publish: true },
        })
      ).json() as { notifiedDevices: number };
    // A fans out from its hub's in-memory index: the lobby is found under the new street, not the old one.
    await expect.poll(async () => (await publish(newStreet.id, '新街通知')).notifiedDevices).toBe(1);
    expect(await c.next('sync')).toMatchObject({ topic: 'content' });
    expect((await publish(oldStreet.id, '旧街通知')).notifiedDevices).toBe(0);
    expect((await publish(district.id, '区通知')).notifiedDevices).toBe(1);
    await c.close();
  });
});
