import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../../../protocol/ids.js';
import { SecretBox } from '../../crypto/secrets.js';
import { createBill, idempotencyFor, paymentFor, seedWorld } from '../../testing/payment-fixtures.js';
import { startReceiver } from '../../testing/webhook-receiver.js';
import type { NodeRecord } from '../records.js';
import type { Repository } from '../repository.js';
import type { WebhookEndpointRecord } from '../webhook-repository.js';
import { addAdmin, addNode, addToken, enroll, T0 } from './fixtures.js';
import { forEachStore, locationOf } from './stores.js';

const WORKER = join(import.meta.dirname, '..', '..', 'testing', 'webhook-claim-worker.ts');

function endpoint(node: NodeRecord, over: Partial<WebhookEndpointRecord> = {}): WebhookEndpointRecord {
  return {
    id: newId('whk', T0),
    nodeId: node.id,
    url: 'https://pager.example.org/hook',
    secretSealed: 'v1.sealed',
    events: ['alert.opened', 'alert.resolved'],
    description: '区值班',
    enabled: true,
    disabledReason: null,
    createdBy: 'adm_x',
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

const delivery = (endpointId: string, eventId: string, at = T0) => ({
  id: newId('whd', at),
  endpointId,
  eventId,
  eventType: 'alert.opened' as const,
  body: JSON.stringify({ id: eventId, n: '数' }),
  createdAt: at,
});

const done = (at: number) => ({
  state: 'delivered' as const,
  nextAttemptAt: at,
  lastStatus: 204,
  lastError: null,
  at,
});

forEachStore((open) => {
  describe('webhooks', () => {
    let repo: Repository;
    let city: NodeRecord;
    let district: NodeRecord;
    beforeEach(async () => {
      repo = await open();
      city = await addNode(repo, '市');
      district = await addNode(repo, '区', city);
    });
    afterEach(() => repo.close());

    it('stores endpoints, lists them by node, updates and deletes them', async () => {
      const a = endpoint(city);
      const b = endpoint(district, { id: newId('whk', T0 + 1), createdAt: T0 + 1, events: ['webhook.test'] });
      await repo.webhooks.createEndpoint(a);
      await repo.webhooks.createEndpoint(b);
      expect(await repo.webhooks.getEndpoint(b.id)).toEqual(b);
      expect((await repo.webhooks.listEndpoints([city.id, district.id])).map((e) => e.id)).toEqual([
        a.id,
        b.id,
      ]);
      expect((await repo.webhooks.listEndpoints([district.id])).map((e) => e.id)).toEqual([b.id]);
      expect(await repo.webhooks.listEndpoints([])).toEqual([]);
      const up = await repo.webhooks.updateEndpoint(
        a.id,
        { url: 'https://b.example.org/x', events: ['alert.opened'] },
        T0 + 5,
      );
      expect(up).toMatchObject({
        url: 'https://b.example.org/x',
        events: ['alert.opened'],
        enabled: true,
        updatedAt: T0 + 5,
      });
      expect(await repo.webhooks.getEndpoint(a.id)).toEqual(up);
      const rotated = await repo.webhooks.updateEndpoint(a.id, { secretSealed: 'v1.new' }, T0 + 6);
      expect(rotated).toMatchObject({ secretSealed: 'v1.new', url: 'https://b.example.org/x' });
      expect((await repo.webhooks.getEndpoint(a.id))?.secretSealed).toBe('v1.new');
      expect(await repo.webhooks.updateEndpoint('whk_none', { enabled: false }, T0)).toBeUndefined();
      await repo.webhooks.enqueue([delivery(a.id, 'evt_1')]);
      expect(await repo.webhooks.deleteEndpoint(a.id)).toBe(true);
      expect(await repo.webhooks.deleteEndpoint(a.id)).toBe(false);
      expect(await repo.webhooks.getEndpoint(a.id)).toBeUndefined();
      expect(await repo.webhooks.listDeliveries(a.id, { limit: 10 })).toEqual([]);
    });

    it('enqueues once per (endpoint, event), claims due deliveries with a lease and records outcomes', async () => {
      const e = endpoint(city);
      await repo.webhooks.createEndpoint(e);
      const d1 = delivery(e.id, 'evt_1');
      expect(await repo.webhooks.enqueue([d1, delivery(e.id, 'evt_2', T0 + 10)])).toBe(2);
      // The same event again (a retried publish) adds nothing.
      expect(await repo.webhooks.enqueue([{ ...delivery(e.id, 'evt_1'), id: newId('whd') }])).toBe(0);
      expect(await repo.webhooks.claimDue('me', T0 - 1, 1000, 10)).toEqual([]);

      const first = await repo.webhooks.claimDue('me', T0 + 20, 1000, 1);
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ url: e.url, secretSealed: e.secretSealed });
      expect(first[0]!.delivery).toMatchObject({
        id: d1.id,
        body: d1.body,
        attempts: 1,
        leaseOwner: 'me',
        leaseUntil: T0 + 1020,
      });
      // Leased: nobody else gets it until the lease runs out.
      const second = await repo.webhooks.claimDue('other', T0 + 20, 1000, 10);
      expect(second.map((c) => c.delivery.eventId)).toEqual(['evt_2']);
      expect(await repo.webhooks.claimDue('other', T0 + 500, 1000, 10)).toEqual([]);

      // A retry later: pending again with the next attempt time; a stranger cannot complete it.
      const retry = {
        state: 'pending' as const,
        nextAttemptAt: T0 + 5000,
        lastStatus: 503,
        lastError: 'HTTP 503',
        at: T0 + 30,
      };
      expect(await repo.webhooks.complete(d1.id, 'other', retry)).toBe(false);
      expect(await repo.webhooks.complete(d1.id, 'me', retry)).toBe(true);
      expect(await repo.webhooks.getDelivery(d1.id)).toMatchObject({
        state: 'pending',
        attempts: 1,
        leaseOwner: null,
        nextAttemptAt: T0 + 5000,
        lastStatus: 503,
        lastError: 'HTTP 503',
      });
      // Not due yet; evt_2's lease by 'other' ran out at T0 + 1020 (it died mid-send): claimable again, the
      // attempt counted.
      const expired = await repo.webhooks.claimDue('third', T0 + 4999, 1000, 10);
      expect(expired.map((c) => [c.delivery.eventId, c.delivery.attempts])).toEqual([['evt_2', 2]]);
      const again = await repo.webhooks.claimDue('me', T0 + 5000, 1000, 10);
      expect(again.map((c) => c.delivery.attempts)).toEqual([2]);
      expect(await repo.webhooks.complete(d1.id, 'me', done(T0 + 5001))).toBe(true);
      expect(await repo.webhooks.getDelivery(d1.id)).toMatchObject({
        state: 'delivered',
        deliveredAt: T0 + 5001,
        lastStatus: 204,
      });
      // Completed once; a late second completion by the same owner changes nothing.
      expect(await repo.webhooks.complete(d1.id, 'me', done(T0 + 6000))).toBe(false);

      const listed = await repo.webhooks.listDeliveries(e.id, { limit: 10 });
      expect(listed.map((d) => d.eventId)).toEqual(['evt_2', 'evt_1']);
      expect(
        (await repo.webhooks.listDeliveries(e.id, { limit: 10, state: 'delivered' })).map((d) => d.eventId),
      ).toEqual(['evt_1']);
      expect(await repo.webhooks.listDeliveries(e.id, { limit: 1 })).toHaveLength(1);
      expect(await repo.webhooks.prune(T0 + 5002)).toBe(1);
      expect((await repo.webhooks.listDeliveries(e.id, { limit: 10 })).map((d) => d.eventId)).toEqual([
        'evt_2',
      ]);
    });

    it('fails pending deliveries when the endpoint is switched off, and claims none for it', async () => {
      const e = endpoint(city);
      const other = endpoint(district, { id: newId('whk', T0 + 2) });
      await repo.webhooks.createEndpoint(e);
      await repo.webhooks.createEndpoint(other);
      await repo.webhooks.enqueue([delivery(e.id, 'evt_1'), delivery(other.id, 'evt_1')]);
      const off = await repo.webhooks.updateEndpoint(
        e.id,
        { enabled: false, disabledReason: 'HTTP 410 Gone' },
        T0 + 1,
      );
      expect(off).toMatchObject({ enabled: false, disabledReason: 'HTTP 410 Gone' });
      const [d] = await repo.webhooks.listDeliveries(e.id, { limit: 10 });
      expect(d).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/switched off/) });
      await repo.webhooks.enqueue([delivery(e.id, 'evt_2', T0 + 2)]);
      // Positive control: the other endpoint's delivery is claimed, the disabled one's is not.
      expect(
        (await repo.webhooks.claimDue('me', T0 + 10, 1000, 10)).map((c) => c.delivery.endpointId),
      ).toEqual([other.id]);
      const on = await repo.webhooks.updateEndpoint(e.id, { enabled: true }, T0 + 3);
      expect(on).toMatchObject({ enabled: true, disabledReason: null });
      expect((await repo.webhooks.claimDue('me', T0 + 10, 1000, 10)).map((c) => c.delivery.eventId)).toEqual([
        'evt_2',
      ]);
    });

    it('counts payments by state and online devices by role and node level (live instances only)', async () => {
      const w = await seedWorld(repo);
      for (const state of ['closed', 'closed', 'unknown'] as const) {
        const bill = await createBill(repo, w);
        const p = paymentFor(bill, { state });
        await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'x');
      }
      const counts = Object.fromEntries(
        (await repo.metrics.paymentsByState()).map((r) => [r.state, r.count]),
      );
      expect(counts).toEqual({ closed: 2, unknown: 1 });

      const street = await addNode(repo, '街道', district);
      const community = await addNode(repo, '社区', street);
      const admin = await addAdmin(repo, city, 'metrics_admin');
      const kiosks = await addToken(repo, community, admin, { maxUses: 5 });
      const leds = await addToken(repo, street, admin, { maxUses: 5, role: 'led' });
      const k1 = await enroll(repo, kiosks, { publicKey: 'k1' });
      const k2 = await enroll(repo, kiosks, { publicKey: 'k2', name: 'kiosk 2' });
      const l1 = await enroll(repo, leds, { publicKey: 'l1', name: 'led 1' });
      await repo.cluster.heartbeat('inst_a', T0, T0 + 100);
      await repo.cluster.heartbeat('inst_dead', T0, T0);
      await repo.cluster.applyPresence('inst_a', [
        { deviceId: k1.id, connected: true, since: T0 },
        { deviceId: l1.id, connected: true, since: T0 },
      ]);
      await repo.cluster.applyPresence('inst_dead', [{ deviceId: k2.id, connected: true, since: T0 }]);
      const online = await repo.metrics.devicesOnline(T0 + 50);
      expect(online.sort((x, y) => x.role.localeCompare(y.role))).toEqual([
        { role: 'kiosk', level: 'community', count: 1 },
        { role: 'led', level: 'street', count: 1 },
      ]);
      // Positive control for the lease cut-off: with an older cut-off the dead instance's kiosk counts.
      expect((await repo.metrics.devicesOnline(T0 - 1)).find((r) => r.role === 'kiosk')?.count).toBe(2);
    });

    /** Two worker processes on this store, released together; returns what each printed last. */
    async function race<T>(extra: string[] = []): Promise<T[]> {
      const at = locationOf(repo);
      const workers = ['one', 'two'].map((owner) =>
        spawn(
          process.execPath,
          ['--import', 'tsx', WORKER, JSON.stringify(at), owner, String(T0 + 1000), ...extra],
          {
            stdio: ['pipe', 'pipe', 'inherit'],
          },
        ),
      );
      try {
        const ready: Promise<void>[] = [];
        const outputs = workers.map((w) => {
          let buf = '';
          let onReady!: () => void;
          ready.push(new Promise<void>((r) => (onReady = r)));
          return new Promise<T>((resolve, reject) => {
            w.stdout!.on('data', (d) => {
              buf += String(d);
              if (buf.startsWith('ready\n')) onReady();
              const rest = buf.slice('ready\n'.length);
              if (rest.endsWith('\n')) resolve(JSON.parse(rest) as T);
            });
            w.on('exit', (code) => {
              if (code !== 0) reject(new Error(`worker exited ${code}`));
            });
          });
        });
        await Promise.all(ready);
        for (const w of workers) w.stdin!.write('go\n');
        return await Promise.all(outputs);
      } finally {
        for (const w of workers) if (w.exitCode === null && w.pid) process.kill(w.pid);
      }
    }

    it('gives each delivery to exactly one of two processes claiming at once', async () => {
      const e = endpoint(city);
      await repo.webhooks.createEndpoint(e);
      const all = Array.from({ length: 200 }, (_, i) => delivery(e.id, `evt_${i}`, T0 + i));
      await repo.webhooks.enqueue(all);
      const [a, b] = await race<string[]>();
      const both = [...a!, ...b!];
      expect(new Set(both).size).toBe(both.length);
      expect(both.sort()).toEqual(all.map((d) => d.id).sort());
      for (const d of await repo.webhooks.listDeliveries(e.id, { limit: 500 })) {
        expect(d).toMatchObject({ state: 'delivered', attempts: 1 });
      }
    }, 60_000);

    it('sends each delivery once when two processes run the dispatcher', async () => {
      const receiver = await startReceiver([204], 5);
      try {
        const material = randomBytes(32);
        const box = SecretBox.derive(material, 'webhook-signing-secret');
        const id = newId('whk', T0);
        const secret = 'lws_contract-secret';
        await repo.webhooks.createEndpoint(
          endpoint(city, { id, url: receiver.url, secretSealed: box.seal(secret, id) }),
        );
        await repo.webhooks.enqueue(
          Array.from({ length: 60 }, (_, i) => delivery(id, `evt_${i}`, Date.now() - 1000)),
        );
        const [a, b] = await race<number>(['dispatch', material.toString('hex')]);
        expect(a! + b!).toBe(60);
        const ids = receiver.received.map((r) => String(r.headers['linli-webhook-id']));
        expect(ids).toHaveLength(60);
        expect(new Set(ids).size).toBe(60);
        for (const r of receiver.received) {
          const t = r.headers['linli-webhook-timestamp'];
          const mac = createHmac('sha256', secret).update(`${t}.${r.body}`).digest('hex');
          expect(r.headers['linli-signature']).toBe(`t=${t},v1=${mac}`);
        }
        const rows = await repo.webhooks.listDeliveries(id, { limit: 100 });
        expect(rows.every((d) => d.state === 'delivered' && d.attempts === 1)).toBe(true);
      } finally {
        await receiver.close();
      }
    }, 60_000);
  });
});
