import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import { API } from '../../../protocol/api.js';
import { newId } from '../../../protocol/ids.js';
import { DeviceHub, type HubMeter } from '../hub/device-hub.js';
import { openChannel } from '../testing/channel-client.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { createBill, idempotencyFor, paymentFor, seedWorld } from '../testing/payment-fixtures.js';
import { TestDevice } from '../testing/test-device.js';

const TOKEN = 'metrics-token-for-the-tests-0001';

/** The value of one sample line, e.g. value(text, 'linli_payments{state="closed"}'); undefined if absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const scrape = async (authorization?: string) =>
    h!.app.inject({ method: 'GET', url: API.metrics, headers: authorization ? { authorization } : {} });

  it('answers only a scraper with the token: 401 without or with a wrong one, the text format with it', async () => {
    h = await createHarness({ config: { metrics: { token: TOKEN } } });
    for (const auth of [undefined, 'Bearer wrong-token-wrong-token', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await scrape(auth);
      expect(res.statusCode, String(auth)).toBe(401);
      expect(res.json().error.code).toBe('LINLI_ERR_UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).not.toContain('linli_');
    }
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'linli_devices_online',
      'linli_payments',
      'linli_channel_latency_seconds',
      'linli_device_messages_sent_total',
      'linli_http_request_duration_seconds',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(ok.body).toContain(`# TYPE ${name} `);
    }
  });

  it('is off without a token or port (404, saying how to turn it on), and a metrics.port listener serves it', async () => {
    h = await createHarness();
    const off = await scrape(`Bearer ${TOKEN}`);
    expect(off.statusCode).toBe(404);
    expect(off.json().error).toMatchObject({
      code: 'LINLI_ERR_METRICS_OFF',
      message: expect.stringMatching(/metrics\.token.*metrics\.port/),
    });
    await h.close();

    h = await createHarness({ config: { metrics: { port: 0 } } });
    await h.app.ready();
    const addr = h.app.metrics.listenerAddress() as AddressInfo;
    expect(addr.address).toBe('127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${addr.port}${API.metrics}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('# TYPE linli_devices_online gauge');
    expect((await fetch(`http://127.0.0.1:${addr.port}/other`)).status).toBe(404);
    // Not on the main port when only the listener is configured.
    expect((await scrape()).json().error.code).toBe('LINLI_ERR_METRICS_OFF');
  });

  it('moves: a device online, payments by state, HTTP requests by route pattern, messages sent', async () => {
    h = await createHarness({ config: { metrics: { token: TOKEN } } });
    const read = async () => (await scrape(`Bearer ${TOKEN}`)).body;
    const online = 'linli_devices_online{role="kiosk",level="community"}';
    expect(value(await read(), online)).toBe(0);

    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { community } = await h.community('阳光');
    const dev = new TestDevice();
    await dev.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
    const url = `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}${API.deviceChannel}`;
    const channel = await openChannel(url, dev);
    try {
      await h.app.cluster.notifier.settled();
      expect(value(await read(), online)).toBe(1);
      expect(value(await read(), 'linli_devices_online{role="lobby",level="community"}')).toBe(0);

      const before = value(await read(), 'linli_device_messages_sent_total{kind="sync"}') ?? 0;
      expect(h.app.cluster.notifier.notify([dev.id], { type: 'sync', topic: 'content' })).toBe(1);
      await channel.next('sync');
      expect(value(await read(), 'linli_device_messages_sent_total{kind="sync"}')).toBe(before + 1);
    } finally {
      await channel.close();
    }
    await h.app.cluster.notifier.settled();
    expect(value(await read(), online)).toBe(0);

    const w = await seedWorld(h.repo);
    for (const state of ['closed', 'closed', 'unknown'] as const) {
      const p = paymentFor(await createBill(h.repo, w), { state });
      await h.repo.payments.createWithIdempotency(p, idempotencyFor(p), 'x');
    }
    const text = await read();
    expect(value(text, 'linli_payments{state="closed"}')).toBe(2);
    expect(value(text, 'linli_payments{state="unknown"}')).toBe(1);

    const series =
      'linli_http_request_duration_seconds_count{method="GET",route="/api/v1/admin/webhooks/:id",status_class="4xx"}';
    const seen = value(text, series) ?? 0;
    const ids = ['whk_01JZZZZZZZZZZZZZZZZZZZZZZZ', 'whk_01JYYYYYYYYYYYYYYYYYYYYYYY'];
    for (const id of ids)
      expect((await h.admin({ method: 'GET', url: API.webhook(id) })).statusCode).toBe(404);
    const after = await read();
    expect(value(after, series)).toBe(seen + 2);
    for (const id of ids) expect(after).not.toContain(id);
    expect(
      value(
        after,
        'linli_http_request_duration_seconds_count{method="GET",route="(unmatched)",status_class="4xx"}',
      ),
    ).toBeUndefined();
    await h.app.inject({ method: 'GET', url: '/no/such/path?x=secret' });
    const unmatched = await read();
    expect(
      value(
        unmatched,
        'linli_http_request_duration_seconds_count{method="GET",route="(unmatched)",status_class="4xx"}',
      ),
    ).toBe(1);
    expect(unmatched).not.toContain('secret');
  });

  it('lets other code add a gauge computed at scrape time', async () => {
    h = await createHarness({ config: { metrics: { token: TOKEN } } });
    let open = 3;
    h.app.metrics.registerGauge({
      name: 'linli_test_things',
      help: 'Things by kind',
      labelNames: ['kind'],
      collect: async () => [{ labels: { kind: 'a' }, value: open }],
    });
    expect(value((await scrape(`Bearer ${TOKEN}`)).body, 'linli_test_things{kind="a"}')).toBe(3);
    open = 1;
    expect(value((await scrape(`Bearer ${TOKEN}`)).body, 'linli_test_things{kind="a"}')).toBe(1);
  });

  it('counts unresolved alerts by rule and state (the alerts plugin registers linli_alerts_open)', async () => {
    h = await createHarness({ config: { metrics: { token: TOKEN } } });
    const city = (await h.app.repo.nodes.listRoots())[0]!;
    const at = Date.now();
    const alert = (rule: string, subject: string) => ({
      id: newId('alr', at),
      rule,
      subject,
      nodeId: city.id,
      deviceId: null,
      severity: 'warning' as const,
      state: 'open' as const,
      detail: {},
      openedAt: at,
      ackedAt: null,
      ackedBy: null,
      resolvedAt: null,
      resolvedBy: null,
    });
    expect((await scrape(`Bearer ${TOKEN}`)).body).not.toContain('linli_alerts_open{');
    const a = await h.app.repo.alerts.open(alert('paper-out', 'dev-a'));
    await h.app.repo.alerts.open(alert('paper-out', 'dev-b'));
    await h.app.repo.alerts.open(alert('device-offline', 'dev-a'));
    let body = (await scrape(`Bearer ${TOKEN}`)).body;
    expect(value(body, 'linli_alerts_open{rule="paper-out",state="open"}')).toBe(2);
    expect(value(body, 'linli_alerts_open{rule="device-offline",state="open"}')).toBe(1);
    await h.app.repo.alerts.acknowledge(a.alert.id, 'adm', at + 1);
    body = (await scrape(`Bearer ${TOKEN}`)).body;
    expect(value(body, 'linli_alerts_open{rule="paper-out",state="open"}')).toBe(1);
    expect(value(body, 'linli_alerts_open{rule="paper-out",state="acknowledged"}')).toBe(1);
  });
});

class FakeSocket extends EventEmitter {
  readyState = 1;
  send(): void {}
  ping(): void {}
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {}
}

describe('the hub meter', () => {
  afterEach(() => vi.useRealTimers());

  it('measures heartbeat ping → pong and counts messages by type', async () => {
    vi.useFakeTimers({
      toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'],
    });
    const log = { info() {}, warn() {}, error() {} };
    const repo = { devices: { touch: async () => {}, touchMany: async () => {} } };
    const hub = new DeviceHub({ repo: repo as never, now: Date.now, heartbeatSec: 5, log });
    const pongs: number[] = [];
    const sent: [string, number][] = [];
    const meter: HubMeter = { pong: (s) => pongs.push(s), sent: (t, n) => sent.push([t, n]) };
    hub.meter(meter);
    const s = new FakeSocket();
    hub.register('dev_a', s as unknown as WebSocket);
    s.emit('pong'); // unsolicited: no ping outstanding, nothing measured
    hub.start();
    vi.advanceTimersByTime(5000); // the heartbeat pings
    vi.advanceTimersByTime(40);
    s.emit('pong');
    expect(pongs).toHaveLength(1);
    expect(pongs[0]).toBeCloseTo(0.04, 2);
    s.emit('pong');
    expect(pongs).toHaveLength(1);
    hub.notify(['dev_a', 'dev_offline'], { type: 'sync', topic: 'content' });
    hub.notify(['dev_offline'], { type: 'sync', topic: 'content' });
    expect(sent).toEqual([['sync', 1]]);
    hub.stop();
  });
});
