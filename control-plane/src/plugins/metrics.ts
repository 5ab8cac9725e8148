import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { API } from '../../../protocol/api.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { safeEqual } from '../crypto/secrets.js';

/** One labelled value of a gauge computed at scrape time. */
export interface GaugeSample {
  labels: Record<string, string>;
  value: number;
}

export interface ScrapeGauge {
  /** `linli_…`, snake_case. */
  name: string;
  help: string;
  labelNames: readonly string[];
  /** Called on every scrape; one cheap (grouped) store query at most. A throw keeps the last values. */
  collect(): Promise<GaugeSample[]>;
}

export interface Metrics {
  readonly registry: Registry;
  /**
   * Adds a gauge computed at scrape time, e.g. the alerts code after merge:
   * `fastify.metrics.registerGauge({ name: 'linli_alerts_open', help: '…', labelNames: ['rule', 'level'],
   * collect: async () => (await repo.alerts.countOpen()).map((r) => ({ labels: {…}, value: r.count })) })`.
   */
  registerGauge(g: ScrapeGauge): void;
  /** The Prometheus text of everything (what GET /metrics answers). */
  render(): Promise<string>;
  readonly contentType: string;
  /** Whether the main port serves /metrics and with which token; undefined: it does not. */
  readonly token: string | undefined;
  /** The separate listener's address once it listens (config metrics.port). */
  listenerAddress(): AddressInfo | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

const ROLES = ['kiosk', 'lobby', 'led'] as const;
const LEVELS = ['city', 'district', 'street', 'community'] as const;
const COUNTED_MESSAGES = new Set(['sync', 'push', 'command']);

/**
 * /metrics in Prometheus text format from a private Registry (default Node metrics included). Gauges that
 * describe the whole cluster (devices online, payments) are read from the store at scrape time, so every
 * instance reports the same cluster-wide value (aggregate them with max(), not sum()); counters and
 * histograms (pushes, channel latency, HTTP) are this instance's own, told apart by the scrape's instance
 * label. docs/running-a-city.md "Metrics" has the scrape config.
 */
export const metricsPlugin = fp(
  async (fastify) => {
    const { config, repo, log } = fastify;
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });

    const registerGauge = (g: ScrapeGauge): void => {
      new Gauge({
        name: g.name,
        help: g.help,
        labelNames: [...g.labelNames],
        registers: [registry],
        async collect() {
          let samples: GaugeSample[];
          try {
            samples = await g.collect();
          } catch (err) {
            log.warn({ err, metric: g.name }, 'could not compute a metric; it keeps its last values');
            return;
          }
          this.reset();
          for (const s of samples) this.set(s.labels, s.value);
        },
      });
    };

    registerGauge({
      name: 'linli_devices_online',
      help: 'Devices with an open channel on a live instance (cluster-wide), by role and node level',
      labelNames: ['role', 'level'],
      async collect() {
        const rows = await repo.metrics.devicesOnline(fastify.cluster.lease.cutoff());
        // Every combination is reported, 0 included, so a series does not vanish when the last device goes.
        const out = ROLES.flatMap((role) => LEVELS.map((level) => ({ labels: { role, level }, value: 0 })));
        for (const r of rows) {
          const s = out.find((o) => o.labels.role === r.role && o.labels.level === r.level);
          if (s) s.value = r.count;
        }
        return out;
      },
    });
    registerGauge({
      name: 'linli_payments',
      help: 'Payments in the store by state (cluster-wide)',
      labelNames: ['state'],
      async collect() {
        return (await repo.metrics.paymentsByState()).map((r) => ({
          labels: { state: r.state },
          value: r.count,
        }));
      },
    });

    const latency = new Histogram({
      name: 'linli_channel_latency_seconds',
      help: "Round trip of this instance's heartbeat ping to a device and its pong",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    const sent = new Counter({
      name: 'linli_device_messages_sent_total',
      help: 'Messages this instance wrote to device channels, by kind (sync, push, command), one per device',
      labelNames: ['kind'],
      registers: [registry],
    });
    for (const kind of COUNTED_MESSAGES) sent.inc({ kind }, 0);
    fastify.hub.meter({
      pong: (seconds) => latency.observe(seconds),
      sent: (type, count) => {
        if (COUNTED_MESSAGES.has(type)) sent.inc({ kind: type }, count);
      },
    });

    const http = new Histogram({
      name: 'linli_http_request_duration_seconds',
      help: 'HTTP requests served by this instance, by method, route pattern and status class',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    fastify.addHook('onResponse', async (req, reply) => {
      // The route pattern, never the raw URL: ids and query strings would explode the series (and leak).
      const route = req.routeOptions.url ?? '(unmatched)';
      http.observe(
        { method: req.method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` },
        reply.elapsedTime / 1000,
      );
    });

    let listener: Server | undefined;
    const token = config.metrics.token;
    const metrics: Metrics = {
      registry,
      registerGauge,
      render: () => registry.metrics(),
      contentType: registry.contentType,
      token,
      listenerAddress: () => (listener?.address() as AddressInfo | null) ?? undefined,
    };
    fastify.decorate('metrics', metrics);

    const port = config.metrics.port;
    if (port !== undefined) {
      listener = createServer((req, res) => {
        const path = (req.url ?? '').split('?')[0];
        const send = (status: number, err: LinliError) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(err.toJSON()));
        if (req.method !== 'GET' || path !== API.metrics) {
          send(404, new LinliError(ErrorCode.NOT_FOUND, `this listener serves only GET ${API.metrics}`));
          return;
        }
        if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
          res.setHeader('www-authenticate', 'Bearer');
          send(401, metricsUnauthorized());
          return;
        }
        registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          (err: unknown) => {
            log.error({ err }, 'metrics scrape failed');
            send(500, new LinliError(ErrorCode.INTERNAL, 'the metrics could not be rendered; see the log'));
          },
        );
      });
      fastify.addHook('onReady', async () => {
        await new Promise<void>((resolve, reject) => {
          listener!.once('error', reject);
          listener!.listen(port, config.metrics.host, () => resolve());
        });
        log.info({ address: listener!.address() }, 'metrics listener started');
      });
      fastify.addHook('onClose', async () => {
        if (listener?.listening) await new Promise<void>((r) => listener!.close(() => r()));
      });
    }
  },
  { name: 'linli-metrics', dependencies: ['linli-storage', 'linli-config', 'linli-hub', 'linli-cluster'] },
);

/** `Authorization: Bearer <token>`, compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  return m !== null && safeEqual(m[1]!, token);
}

export function metricsUnauthorized(): LinliError {
  return new LinliError(
    ErrorCode.UNAUTHORIZED,
    'GET /metrics needs Authorization: Bearer <metrics.token>; set the same token in the scraper (bearer_token_file)',
  );
}

export default metricsPlugin;
