import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { newId } from '../../../../protocol/ids.js';
import type { CreatedWebhookView, WebhookDeliveryView } from '../../../../protocol/schemas/webhooks.js';
import type { AlertRecord } from '../../storage/health-repository.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { CATCH_UP_MS, republishRecentAlerts } from './alert-webhooks.js';

/** Alerts reach the webhooks outbox: at each transition, and by the sweep's catch-up after a lost publish. */
describe('alert webhooks', () => {
  let h: Harness;
  let nodes: Awaited<ReturnType<Harness['community']>>;
  let hook: CreatedWebhookView;

  beforeEach(async () => {
    h = await createHarness({ config: { webhooks: { allowHttpLoopback: true, pollMs: 60_000 } } });
    nodes = await h.community('阳光');
    const res = await h.admin({
      method: 'POST',
      url: API.nodeWebhooks(nodes.district.id),
      payload: { url: 'http://127.0.0.1:9/pager', events: ['alert.opened', 'alert.acknowledged'] },
    });
    expect(res.statusCode, res.body).toBe(201);
    hook = res.json() as CreatedWebhookView;
  });
  afterEach(() => h?.close());

  const events = async () =>
    (
      (await h.admin({ method: 'GET', url: API.webhookDeliveries(hook.id) })).json()
        .items as WebhookDeliveryView[]
    )
      .map((d) => d.eventType)
      .sort();
  const alert = (openedAt: number): AlertRecord => ({
    id: newId('alr', openedAt),
    rule: 'paper-out',
    subject: newId('dev'),
    nodeId: nodes.community.id,
    deviceId: null,
    severity: 'warning',
    state: 'open',
    detail: {},
    openedAt,
    ackedAt: null,
    ackedBy: null,
    resolvedAt: null,
    resolvedBy: null,
  });

  it('queues each transition the engine emits', async () => {
    h.app.alerts.emit('transition', alert(h.clock.now()), null, 'open');
    await expect.poll(events).toEqual(['alert.opened']);
  });

  it('catches up the recent transitions whose publish was lost, once, and leaves old ones alone', async () => {
    // Committed but never published (a crash in between): one recent, one older than the catch-up window.
    const recent = (await h.repo.alerts.open(alert(h.clock.now()))).alert;
    await h.repo.alerts.open({ ...alert(h.clock.now() - CATCH_UP_MS - 1), subject: 'node:old' });
    expect(await events()).toEqual([]);
    expect(await republishRecentAlerts(h.repo, h.app.webhooks, h.clock.now())).toBe(1);
    expect(await events()).toEqual(['alert.opened']);
    // Already queued: nothing new (the event id is per alert and transition).
    expect(await republishRecentAlerts(h.repo, h.app.webhooks, h.clock.now())).toBe(0);
    await h.repo.alerts.acknowledge(recent.id, 'adm_x', h.clock.now());
    expect(await republishRecentAlerts(h.repo, h.app.webhooks, h.clock.now())).toBe(1);
    expect(await events()).toEqual(['alert.acknowledged', 'alert.opened']);
  });
});
