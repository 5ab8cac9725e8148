import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { signCanonical } from '../../../protocol/envelope.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { DeviceSessionsResponse } from '../../../protocol/schemas/device-admin.js';
import { sessionSigningInput } from '../../../protocol/schemas/enrollment.js';
import { dropSchema, freshSchemaName, PG_TEST_URL, pgShouldRun } from '../storage/contract/pg-env.js';
import { pgMigration0007 } from '../storage/pg/migrations/0007-cluster.js';
import { pgMigration0012 } from '../storage/pg/migrations/0012-device-sessions.js';
import { PgCluster } from '../storage/pg/pg-cluster.js';
import { PgDatabase } from '../storage/pg/pg-database.js';
import { PgDeviceSessions } from '../storage/pg/pg-device-sessions.js';
import type { Repository } from '../storage/repository.js';
import { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';
import { openChannel } from '../testing/channel-client.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { TestDevice } from '../testing/test-device.js';
import { LocalBus } from './local-bus.js';

// Two control-plane apps on one store: the cluster, in one process.

/** Each app sees the shared store; the test, not the apps, closes it. */
function shared(repo: Repository): Repository {
  return Object.create(repo, { close: { value: async () => {} } }) as Repository;
}

const channelUrl = (app: FastifyInstance) =>
  `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}${API.deviceChannel}`;

interface Mode {
  name: string;
  /** The store both apps share, and the bus if not the store's own. */
  open(): Promise<{ repo: Repository; bus?: LocalBus; close(): Promise<void> }>;
}

const sqliteMode: Mode = {
  name: 'SQLite, in-process bus',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'linli-two-apps-'));
    const repo = SqliteRepository.open(dir);
    return {
      repo,
      bus: new LocalBus(),
      close: async () => {
        await repo.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** The cluster tables in PostgreSQL: each app then gets its own LISTEN/NOTIFY bus (what production runs). */
const pgMode: Mode = {
  name: 'cluster tables and LISTEN/NOTIFY on PostgreSQL',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'linli-two-apps-'));
    const sqlite = SqliteRepository.open(dir);
    const schema = freshSchemaName('linli_two_apps');
    const db = await PgDatabase.open({ url: PG_TEST_URL, schema });
    await db.query(pgMigration0007.sql);
    await db.query(pgMigration0012.sql);
    const sessions = new PgDeviceSessions(db);
    const repo = Object.create(sqlite, {
      cluster: { value: new PgCluster(db, sessions) },
      deviceSessions: { value: sessions },
    }) as Repository;
    return {
      repo,
      close: async () => {
        await sqlite.close();
        await db.close();
        await dropSchema(schema);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const runPg = await pgShouldRun('two apps on the PostgreSQL cluster tables');

for (const mode of [sqliteMode, ...(runPg ? [pgMode] : [])]) {
  describe(`two instances on one store: ${mode.name}`, () => {
    let a: Harness;
    let b: Harness;
    let communityId: string;
    let adminToken: string;
    let closeStore: () => Promise<void>;

    beforeAll(async () => {
      const { repo, bus, close } = await mode.open();
      closeStore = close;
      const dataDir = mkdtempSync(join(tmpdir(), 'linli-two-apps-data-'));
      a = await createHarness({ bus, dataDir, repo: shared(repo) });
      b = await createHarness({ bus, dataDir, repo: shared(repo) });
      await a.app.listen({ port: 0, host: '127.0.0.1' });
      await b.app.listen({ port: 0, host: '127.0.0.1' });
      communityId = (await a.community('cluster')).community.id;
      adminToken = await a.adminToken();
    });
    afterAll(async () => {
      await b.close();
      await a.close();
      await closeStore();
      rmSync(a.dataDir, { recursive: true, force: true });
      rmSync(a.config.offlineKeysDir, { recursive: true, force: true });
    });

    const asAdmin = (h: Harness, o: InjectOptions) =>
      h.app.inject({ ...o, headers: { authorization: `Bearer ${adminToken}` } });

    async function enrolled(role: 'lobby' | 'kiosk'): Promise<TestDevice> {
      const dev = new TestDevice();
      await dev.enroll(a.app, (await a.token(communityId, role)).token, role);
      return dev;
    }

    async function sessionBody(h: Harness, dev: TestDevice) {
      const c = await h.app.inject({
        method: 'POST',
        url: API.deviceChallenge,
        payload: { deviceId: dev.id },
      });
      const nonce = (c.json() as { nonce: string }).nonce;
      return {
        deviceId: dev.id,
        nonce,
        sig: signCanonical(sessionSigningInput(dev.id, nonce), dev.privateKey),
      };
    }

    describe('across the two', () => {
      it('takes a challenge issued by one instance on the other, exactly once', async () => {
        const dev = await enrolled('kiosk');
        const payload = await sessionBody(a, dev);
        const onB = await b.app.inject({ method: 'POST', url: API.deviceSession, payload });
        expect(onB.statusCode).toBe(201);
        const replay = await a.app.inject({ method: 'POST', url: API.deviceSession, payload });
        expect(replay.statusCode).toBe(401);
        expect(replay.json()).toMatchObject({ error: { code: ErrorCode.NONCE_INVALID } });

        // The same answer sent to both at once: one session, never two.
        const raced = await sessionBody(b, dev);
        const both = await Promise.all(
          [a, b].map((h) => h.app.inject({ method: 'POST', url: API.deviceSession, payload: raced })),
        );
        expect(both.map((r) => r.statusCode).sort()).toEqual([201, 401]);
      });

      it('sees a device connected to A as online on B, and offline on B once it leaves A', async () => {
        const dev = await enrolled('lobby');
        const c = await openChannel(channelUrl(a.app), dev);
        await expect.poll(() => b.app.cluster.notifier.isOnline(dev.id)).toBe(true);
        const list = await asAdmin(b, { method: 'GET', url: `${API.devices}?nodeId=${communityId}` });
        expect((list.json() as { devices: { id: string; online: boolean }[] }).devices).toContainEqual(
          expect.objectContaining({ id: dev.id, online: true }),
        );
        await c.close();
        await expect.poll(() => b.app.cluster.notifier.isOnline(dev.id)).toBe(false);
      });

      it('delivers a notice published on B to a lobby connected to A', async () => {
        const dev = await enrolled('lobby');
        const c = await openChannel(channelUrl(a.app), dev);
        await expect.poll(() => b.app.cluster.notifier.isOnline(dev.id)).toBe(true);
        const published = await asAdmin(b, {
          method: 'POST',
          url: API.notices,
          payload: {
            targets: { nodeIds: [communityId], roles: ['lobby'] },
            title: { zh: '停水通知' },
            body: { zh: '明天停水' },
            publish: true,
          },
        });
        expect(published.statusCode).toBe(201);
        expect(published.json()).toMatchObject({ notifiedDevices: 1 });
        expect(await c.next('sync')).toMatchObject({ type: 'sync', topic: 'content' });
        await c.close();
      });

      it('answers a screenshot asked on B when the device uploads to A', async () => {
        const dev = await enrolled('lobby');
        const c = await openChannel(channelUrl(a.app), dev);
        await expect.poll(() => b.app.cluster.notifier.isOnline(dev.id)).toBe(true);
        const asked = asAdmin(b, { method: 'POST', url: API.deviceScreenshot(dev.id), payload: {} });
        const command = (await c.next('command')).envelope as { payload: { id: string } };
        const upload = await dev.call(a.app, {
          method: 'POST',
          url: API.deviceScreenshotUpload(command.payload.id),
          payload: {
            capturedAt: new Date().toISOString(),
            images: [{ kind: 'lobby', png: 'iVBORw0KGgo=' }],
            errors: [],
          },
        });
        expect(upload.statusCode).toBe(200);
        const res = await asked;
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({
          deviceId: dev.id,
          images: [{ kind: 'lobby', png: 'iVBORw0KGgo=' }],
        });
        // An upload nobody waits for is refused on either instance.
        const stray = await dev.call(b.app, {
          method: 'POST',
          url: API.deviceScreenshotUpload(command.payload.id),
          payload: { capturedAt: new Date().toISOString(), images: [], errors: [] },
        });
        expect(stray.statusCode).toBe(404);
        await c.close();
      });

      it('sends a command asked on B to a device on A, and one queued on B when it connects to A', async () => {
        const dev = await enrolled('lobby');
        const queued = await asAdmin(b, {
          method: 'POST',
          url: API.deviceCommands(dev.id),
          payload: { op: 'refresh-content' },
        });
        expect(queued.json()).toMatchObject({ state: 'pending', seq: 1 });
        const c = await openChannel(channelUrl(a.app), dev);
        const first = (await c.next('command')).envelope as { payload: { id: string; seq: number } };
        expect(first.payload).toMatchObject({ id: queued.json().id, seq: 1 });
        await expect.poll(() => b.app.cluster.notifier.isOnline(dev.id)).toBe(true);
        const live = await asAdmin(b, {
          method: 'POST',
          url: API.deviceCommands(dev.id),
          payload: { op: 'identify', args: { seconds: 3 } },
        });
        expect(live.json()).toMatchObject({ state: 'sent', seq: 2 });
        const second = (await c.next('command')).envelope as { payload: { id: string; op: string } };
        expect(second.payload).toMatchObject({ id: live.json().id, op: 'identify' });
        await c.close();
      });

      it('lists on B a node created on A (B drops its cached tree when told)', async () => {
        const before = await asAdmin(b, { method: 'GET', url: `${API.nodes}?parentId=${communityId}` });
        expect(before.statusCode).toBe(200);
        const street = (await a.app.repo.nodes.get(communityId))?.parentId as string;
        const listB = async () => {
          const res = await asAdmin(b, { method: 'GET', url: `${API.nodes}?parentId=${street}` });
          return (res.json() as { nodes: { name: string }[] }).nodes.map((n) => n.name);
        };
        expect(await listB()).not.toContain('新社区');
        const made = await asAdmin(a, {
          method: 'POST',
          url: API.nodes,
          payload: { parentId: street, name: '新社区' },
        });
        expect(made.statusCode).toBe(201);
        await expect.poll(listB).toContain('新社区');
      });

      it('closes the channel on A when B revokes the device', async () => {
        const dev = await enrolled('lobby');
        const c = await openChannel(channelUrl(a.app), dev);
        await expect.poll(() => b.app.cluster.notifier.isOnline(dev.id)).toBe(true);
        const res = await asAdmin(b, { method: 'POST', url: API.deviceRevoke(dev.id), payload: {} });
        expect(res.statusCode).toBe(200);
        expect(await c.closed).toEqual({ code: 1008, reason: ErrorCode.DEVICE_REVOKED });
      });

      it('moves a device from A to B: online on B, and A closes its leftover channel', async () => {
        const dev = await enrolled('lobby');
        const onA = await openChannel(channelUrl(a.app), dev);
        await expect.poll(() => b.app.cluster.notifier.isOnline(dev.id)).toBe(true);
        // A's channel is half-dead (the device moved without closing it); B gets the new one.
        a.clock.advance(5000);
        const onB = await openChannel(channelUrl(b.app), dev);
        expect(await onA.closed).toMatchObject({ code: 4000 });
        expect(b.app.hub.isOnline(dev.id)).toBe(true);
        await expect.poll(() => a.app.cluster.notifier.isOnline(dev.id)).toBe(true);
        expect(a.app.hub.isOnline(dev.id)).toBe(false);
        const rows = await a.repo.cluster.listPresence(0);
        expect(rows.find((r) => r.deviceId === dev.id)?.instanceId).toBe(b.app.cluster.id);
        // The online history: B's channel open; A's closed when B recorded the new one (A's own close of
        // its leftover comes later and changes nothing).
        await a.app.cluster.notifier.settled();
        await b.app.cluster.notifier.settled();
        const history = await asAdmin(a, { method: 'GET', url: API.deviceSessions(dev.id) });
        const list = (history.json() as DeviceSessionsResponse).sessions;
        expect(list.map((s) => [s.instanceId, s.disconnectedAt === null, s.closeReason])).toEqual([
          [b.app.cluster.id, true, null],
          [a.app.cluster.id, false, 'superseded'],
        ]);
        await onB.close();
      });
    });
  });
}
