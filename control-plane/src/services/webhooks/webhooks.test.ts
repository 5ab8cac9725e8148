import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import type { CreatedWebhookView, WebhookDeliveryView } from '../../../../protocol/schemas/webhooks.js';
import { SecretBox } from '../../crypto/secrets.js';
import { SqliteRepository } from '../../storage/sqlite/sqlite-repository.js';
import { createHarness, type Harness, TestClock } from '../../testing/harness.js';
import { scopedAdmin } from '../../testing/scoped-admin.js';
import { startReceiver } from '../../testing/webhook-receiver.js';
import { alertEvent } from './alert-event.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

/**
 * The receiver's check, written from docs/running-a-city.md ("Webhooks → verifying a delivery"): split
 * `Linli-Signature` into t and v1, refuse a t more than 5 minutes from the receiver's clock, recompute
 * HMAC-SHA256(secret, `${t}.${rawBody}`) and compare in constant time.
 */
function verify(secret: string, headers: IncomingHttpHeaders, rawBody: string, nowSec = Date.now() / 1000) {
  const header = String(headers['linli-signature'] ?? '');
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSec - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const FAST = {
  allowHttpLoopback: true,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
  pollMs: 60_000,
  maxAttempts: 4,
};

describe('webhooks out', () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let nodes: Awaited<ReturnType<Harness['community']>>;

  beforeEach(async () => {
    receiver = await startReceiver([204]);
    h = await createHarness({ config: { webhooks: FAST } });
    nodes = await h.community('阳光');
  });
  afterEach(async () => {
    await h?.close();
    await receiver.close();
  });

  async function register(nodeId: string, events = ['alert.opened', 'alert.resolved'], url = receiver.url) {
    const res = await h.admin({
      method: 'POST',
      url: API.nodeWebhooks(nodeId),
      payload: { url, events, description: '区值班室' },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CreatedWebhookView;
  }
  const deliveries = async (id: string) =>
    (await h.admin({ method: 'GET', url: API.webhookDeliveries(id) })).json().items as WebhookDeliveryView[];
  const alert = (nodeId: string, id = 'alr_1') => ({
    id,
    rule: 'paper-out',
    nodeId,
    deviceId: 'dev_x',
    state: 'open',
    openedAt: h.clock.now(),
    detail: { printer: 'paper out' },
  });

  it('signs what it sends so a receiver following the docs can verify it, and hears a community at its district', async () => {
    const hook = await register(nodes.district.id);
    expect(hook.secret).toMatch(/^lws_/);
    const shown = await h.admin({ method: 'GET', url: API.webhook(hook.id) });
    expect(shown.json()).not.toHaveProperty('secret');
    expect(shown.body).not.toContain(hook.secret);

    // Publishing the same alert transition twice enqueues one delivery.
    expect(await h.app.webhooks.publish(alertEvent(alert(nodes.community.id), 'opened', h.clock.now()))).toBe(
      1,
    );
    expect(await h.app.webhooks.publish(alertEvent(alert(nodes.community.id), 'opened', h.clock.now()))).toBe(
      0,
    );
    await h.app.webhookDispatcher.idle();
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(verify(hook.secret, got.headers, got.body)).toBe(true);
    // Negative controls: another secret, a changed body, an old timestamp.
    expect(verify('lws_someone-else', got.headers, got.body)).toBe(false);
    expect(verify(hook.secret, got.headers, got.body.replace('paper', 'Paper'))).toBe(false);
    expect(verify(hook.secret, got.headers, got.body, Date.now() / 1000 + 301)).toBe(false);
    const [d] = await deliveries(hook.id);
    expect(got.headers['linli-webhook-id']).toBe(d!.id);
    expect(got.headers['linli-webhook-timestamp']).toBe(String(Math.floor(h.clock.now() / 1000)));
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(got.body);
    expect(body).toMatchObject({
      id: 'alr_1.opened',
      type: 'alert.opened',
      node: {
        id: nodes.community.id,
        level: 'community',
        path: [expect.any(String), nodes.district.name, nodes.street.name, nodes.community.name],
      },
      data: { alertId: 'alr_1', rule: 'paper-out', deviceId: 'dev_x', detail: { printer: 'paper out' } },
    });
    expect(d).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 204, eventType: 'alert.opened' });
  });

  it('sends only to enabled endpoints at the node or above that listen for the event', async () => {
    const district = await register(nodes.district.id, ['alert.resolved']);
    const community = await register(nodes.community.id, ['alert.opened']);
    const other = await h.community('明月');
    const sibling = await register(other.community.id, ['alert.opened']);
    const off = await register(nodes.street.id, ['alert.opened']);
    await h.admin({ method: 'PATCH', url: API.webhook(off.id), payload: { enabled: false } });
    expect(await h.app.webhooks.publish(alertEvent(alert(nodes.community.id), 'opened'))).toBe(1);
    await h.app.webhookDispatcher.idle();
    expect((await deliveries(community.id)).map((d) => d.eventType)).toEqual(['alert.opened']);
    for (const e of [district, sibling, off]) expect(await deliveries(e.id)).toEqual([]);
    expect(await h.app.webhooks.publish(alertEvent(alert(nodes.community.id), 'resolved'))).toBe(1);
    await h.app.webhookDispatcher.idle();
    expect((await deliveries(district.id)).map((d) => d.eventType)).toEqual(['alert.resolved']);
  });

  it('retries with exponential backoff until the receiver answers 2xx, and gives up after maxAttempts', async () => {
    receiver.answer([503, 500, 200]);
    const hook = await register(nodes.community.id);
    await h.app.webhooks.publish(alertEvent(alert(nodes.community.id), 'opened'));
    await h.app.webhookDispatcher.idle();
    const gaps: number[] = [];
    for (const status of [503, 500]) {
      const [d] = await deliveries(hook.id);
      expect(d).toMatchObject({ state: 'pending', lastStatus: status, lastError: `HTTP ${status}` });
      const wait = Date.parse(d!.nextAttemptAt!) - h.clock.now();
      gaps.push(wait);
      h.clock.advance(wait - 1);
      expect(await h.app.webhookDispatcher.runOnce()).toBe(0); // not due yet
      h.clock.advance(1);
      expect(await h.app.webhookDispatcher.runOnce()).toBe(1);
    }
    // Base 1 s, doubling, keeping 50–100 % (jitter).
    expect(gaps[0]).toBeGreaterThanOrEqual(500);
    expect(gaps[0]).toBeLessThanOrEqual(1000);
    expect(gaps[1]).toBeGreaterThanOrEqual(1000);
    expect(gaps[1]).toBeLessThanOrEqual(2000);
    expect((await deliveries(hook.id))[0]).toMatchObject({
      state: 'delivered',
      attempts: 3,
      lastStatus: 200,
      lastError: null,
    });
    expect(receiver.received.map((r) => r.headers['linli-webhook-id'])).toEqual(
      Array(3).fill((await deliveries(hook.id))[0]!.id),
    );
    for (const r of receiver.received)
      expect(verify(hook.secret, r.headers, r.body, Number(r.headers['linli-webhook-timestamp']))).toBe(true);

    receiver.answer([500]);
    await h.app.webhooks.publish(alertEvent(alert(nodes.community.id, 'alr_2'), 'opened'));
    await h.app.webhookDispatcher.idle();
    for (let i = 0; i < 3; i++) {
      h.clock.advance(60_000);
      await h.app.webhookDispatcher.runOnce();
    }
    const [failed] = await deliveries(hook.id);
    expect(failed).toMatchObject({
      eventId: 'alr_2.opened',
      state: 'failed',
      attempts: 4,
      nextAttemptAt: null,
    });
    expect(failed!.lastError).toMatch(/gave up after 4 attempts/);
    h.clock.advance(60_000);
    expect(await h.app.webhookDispatcher.runOnce()).toBe(0);
  });

  it('switches the endpoint off when the receiver answers 410 Gone, and does not follow redirects', async () => {
    receiver.answer([302, 410]);
    const hook = await register(nodes.community.id);
    await h.app.webhooks.publish(alertEvent(alert(nodes.community.id), 'opened'));
    await h.app.webhookDispatcher.idle();
    const [redirected] = await deliveries(hook.id);
    expect(redirected).toMatchObject({ state: 'pending', lastStatus: 302 });
    expect(redirected!.lastError).toMatch(/redirects are not followed/);
    expect(receiver.received).toHaveLength(1);
    await h.app.webhooks.publish(alertEvent(alert(nodes.community.id, 'alr_2'), 'opened'));
    await h.app.webhookDispatcher.idle();
    const ep = (await h.admin({ method: 'GET', url: API.webhook(hook.id) })).json();
    expect(ep).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/410 Gone/) });
    const all = await deliveries(hook.id);
    // alr_2 got the 410; alr_1 (waiting to retry after the redirect) failed with the switch-off.
    expect(Object.fromEntries(all.map((d) => [d.eventId, [d.state, d.lastStatus]]))).toEqual({
      'alr_2.opened': ['failed', 410],
      'alr_1.opened': ['failed', 302],
    });
    // Off: nothing more is sent, and a test is refused until an admin switches it on again.
    expect(await h.app.webhooks.publish(alertEvent(alert(nodes.community.id, 'alr_3'), 'opened'))).toBe(0);
    const refused = await h.admin({ method: 'POST', url: API.webhookTest(hook.id), payload: {} });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('LINLI_ERR_WEBHOOK_DISABLED');
    receiver.answer([204]);
    await h.admin({ method: 'PATCH', url: API.webhook(hook.id), payload: { enabled: true } });
    const test = await h.admin({ method: 'POST', url: API.webhookTest(hook.id), payload: {} });
    expect(test.statusCode).toBe(202);
    expect(test.json()).toMatchObject({ eventType: 'webhook.test', state: 'pending' });
    await h.app.webhookDispatcher.idle();
    const last = receiver.received.at(-1)!;
    expect(JSON.parse(last.body)).toMatchObject({ type: 'webhook.test', node: { id: nodes.community.id } });
    const testDelivery = (await deliveries(hook.id)).find((d) => d.id === test.json().id);
    expect(verify(hook.secret, last.headers, last.body)).toBe(true);

    // Rotation: the new secret (shown once) signs from now on; the old one no longer verifies.
    const rotated = await h.admin({ method: 'POST', url: API.webhookRotateSecret(hook.id), payload: {} });
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json().secret as string;
    expect(fresh).toMatch(/^lws_/);
    expect(fresh).not.toBe(hook.secret);
    expect((await h.admin({ method: 'GET', url: API.webhook(hook.id) })).body).not.toContain(fresh);
    await h.admin({ method: 'POST', url: API.webhookTest(hook.id), payload: {} });
    await h.app.webhookDispatcher.idle();
    const signedAfter = receiver.received.at(-1)!;
    expect(verify(fresh, signedAfter.headers, signedAfter.body)).toBe(true);
    expect(verify(hook.secret, signedAfter.headers, signedAfter.body)).toBe(false);
    expect(testDelivery).toMatchObject({ eventType: 'webhook.test', state: 'delivered', lastStatus: 204 });
  });

  it('validates URLs, keeps other admins out, and deletes', async () => {
    for (const [url, why] of [
      ['http://pager.example.org/x', /https/],
      ['ftp://127.0.0.1/x', /https/],
      ['https://user:pw@pager.example.org/x', /user name or password/],
      ['not a url at all', /absolute URL/],
    ] as const) {
      const res = await h.admin({
        method: 'POST',
        url: API.nodeWebhooks(nodes.community.id),
        payload: { url, events: ['alert.opened'] },
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'LINLI_ERR_WEBHOOK_URL_INVALID',
        message: expect.stringMatching(why),
      });
    }
    const hook = await register(nodes.community.id);
    // A retried create (same Idempotency-Key) is told it succeeded; the secret is never stored for a replay.
    const key = 'webhook-create-key-0001';
    const create = {
      method: 'POST' as const,
      url: API.nodeWebhooks(nodes.street.id),
      headers: { 'idempotency-key': key },
      payload: { url: receiver.url, events: ['alert.opened'] },
    };
    const first = await h.admin(create);
    expect(first.statusCode).toBe(201);
    expect((await h.admin(create)).statusCode).toBe(409);
    const stored = h.repo.db.prepare('SELECT body FROM admin_idempotency').all() as { body: Buffer | null }[];
    expect(stored.length).toBeGreaterThan(0);
    for (const r of stored) expect(String(r.body ?? '')).not.toContain(first.json().secret);
    const other = await h.community('明月');
    const outsider = await scopedAdmin(h, 'mingyue', 'admin', other.community.id);
    for (const [method, url] of [
      ['GET', API.webhook(hook.id)],
      ['PATCH', API.webhook(hook.id)],
      ['DELETE', API.webhook(hook.id)],
      ['GET', API.webhookDeliveries(hook.id)],
      ['POST', API.webhookTest(hook.id)],
    ] as const) {
      const res = await outsider({
        method,
        url,
        ...(method === 'PATCH' || method === 'POST'
          ? { payload: method === 'PATCH' ? { enabled: false } : {} }
          : {}),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('LINLI_ERR_WEBHOOK_NOT_FOUND');
    }
    expect((await outsider({ method: 'GET', url: API.nodeWebhooks(nodes.community.id) })).statusCode).toBe(
      404,
    );
    const staff = await scopedAdmin(h, 'yangguang_staff', 'staff', nodes.community.id);
    expect((await staff({ method: 'GET', url: API.nodeWebhooks(nodes.community.id) })).statusCode).toBe(403);
    // Positive control: the owner's admin sees it.
    const list = await h.admin({ method: 'GET', url: API.nodeWebhooks(nodes.community.id) });
    expect(list.json().items.map((e: { id: string }) => e.id)).toEqual([hook.id]);
    expect((await h.admin({ method: 'DELETE', url: API.webhook(hook.id) })).statusCode).toBe(204);
    expect((await h.admin({ method: 'GET', url: API.webhook(hook.id) })).statusCode).toBe(404);
  });
});

describe('the outbox across restarts and instances', () => {
  it('keeps an undelivered event through a restart and sends it after', async () => {
    const receiver = await startReceiver([503]);
    const clock = new TestClock();
    const h = await createHarness({ clock, config: { webhooks: FAST } });
    try {
      const { community } = await h.community('阳光');
      const created = await h.admin({
        method: 'POST',
        url: API.nodeWebhooks(community.id),
        payload: { url: receiver.url, events: ['alert.opened'] },
      });
      const hook = created.json() as CreatedWebhookView;
      await h.app.webhooks.publish(
        alertEvent(
          { id: 'alr_r', rule: 'offline', nodeId: community.id, state: 'open', openedAt: clock.now() },
          'opened',
        ),
      );
      await h.app.webhookDispatcher.idle();
      expect(receiver.received).toHaveLength(1);
      await h.close({ keepData: true });

      receiver.answer([200]);
      clock.advance(5000);
      const again = await createHarness({ clock, dataDir: h.dataDir, config: { webhooks: FAST } });
      try {
        // The restarted dispatcher finds the due delivery on start (its first pass), with the same secret.
        await again.app.webhookDispatcher.idle();
        await again.app.webhookDispatcher.runOnce();
        expect(receiver.received).toHaveLength(2);
        const r = receiver.received[1]!;
        expect(verify(hook.secret, r.headers, r.body, clock.now() / 1000)).toBe(true);
        const [d] = await again.repo.webhooks.listDeliveries(hook.id, { limit: 5 });
        expect(d).toMatchObject({ state: 'delivered', attempts: 2 });
      } finally {
        await again.close();
      }
    } finally {
      await receiver.close();
    }
  });

  it('sends each delivery once when two dispatchers (two store connections) run at once', async () => {
    const receiver = await startReceiver([204], 20);
    const h = await createHarness({ config: { webhooks: FAST } });
    const second = SqliteRepository.open(h.dataDir);
    try {
      await h.app.webhookDispatcher.stop(); // only the two below send
      const { community } = await h.community('阳光');
      await h.admin({
        method: 'POST',
        url: API.nodeWebhooks(community.id),
        payload: { url: receiver.url, events: ['alert.opened'] },
      });
      for (let i = 0; i < 24; i++) {
        await h.app.webhooks.publish(
          alertEvent(
            { id: `alr_${i}`, rule: 'offline', nodeId: community.id, state: 'open', openedAt: 0 },
            'opened',
          ),
        );
      }
      // Both derive the key from the same keys/root.pem, as two instances would.
      const key = SecretBox.derive(
        h.app.keys.root.privateKey.export({ format: 'der', type: 'pkcs8' }),
        'webhook-signing-secret',
      );
      const log = { info() {}, warn() {}, error() {} };
      const timing = { ...h.config.webhooks, concurrency: 3 };
      const a = new WebhookDispatcher({
        store: h.repo.webhooks,
        box: key,
        timing,
        now: Date.now,
        log,
        owner: 'a',
      });
      const b = new WebhookDispatcher({
        store: second.webhooks,
        box: key,
        timing,
        now: Date.now,
        log,
        owner: 'b',
      });
      const drain = async (d: WebhookDispatcher) => {
        let n = 0;
        for (let got = -1; got !== 0; ) {
          got = await d.runOnce();
          n += got;
        }
        return n;
      };
      const [na, nb] = await Promise.all([drain(a), drain(b)]);
      expect(na + nb).toBe(24);
      expect(na).toBeGreaterThan(0);
      expect(nb).toBeGreaterThan(0);
      const ids = receiver.received.map((r) => r.headers['linli-webhook-id']);
      expect(ids).toHaveLength(24);
      expect(new Set(ids).size).toBe(24);
    } finally {
      await second.close();
      await h.close();
      await receiver.close();
    }
  });
});
