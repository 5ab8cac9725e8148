import { Type } from '@sinclair/typebox';

/**
 * The `webhooks` and `metrics` groups of the control plane's config (issue 12), kept beside config.ts so it
 * stays one schema: config.ts embeds these. Every field has a default and a description (`--help` lists
 * them as `webhooks.timeoutMs` and so on).
 */
export const WebhooksConfigSchema = Type.Object(
  {
    timeoutMs: Type.Integer({
      minimum: 1000,
      maximum: 60_000,
      default: 10_000,
      description:
        'how long one delivery attempt may take (connect, send, answer) before it counts as failed',
    }),
    maxAttempts: Type.Integer({
      minimum: 1,
      maximum: 30,
      default: 12,
      description:
        'attempts per delivery before it is marked failed (with the defaults the retries span about 2–3½ hours)',
    }),
    backoffBaseMs: Type.Integer({
      minimum: 100,
      maximum: 3_600_000,
      default: 10_000,
      description:
        'wait before the first retry; each further retry waits twice as long (full jitter: a random 50–100 %)',
    }),
    backoffMaxMs: Type.Integer({
      minimum: 1000,
      maximum: 86_400_000,
      default: 3_600_000,
      description: 'the longest wait between two attempts',
    }),
    pollMs: Type.Integer({
      minimum: 50,
      maximum: 60_000,
      default: 2000,
      description:
        'how often each instance looks for due deliveries (an event published on this instance is sent at once)',
    }),
    concurrency: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 4,
      description: 'deliveries one instance sends at the same time',
    }),
    retentionDays: Type.Integer({
      minimum: 1,
      maximum: 3650,
      default: 30,
      description: 'delivered and failed deliveries are kept this long for the console, then deleted',
    }),
    allowHttpLoopback: Type.Boolean({
      default: false,
      description:
        'accept http:// endpoint URLs on 127.0.0.0/8, ::1 or localhost (a receiver on the same machine); every other URL must be https://; env LINLI_WEBHOOKS_ALLOW_HTTP_LOOPBACK',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const MetricsConfigSchema = Type.Object(
  {
    token: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 256,
        pattern: '^[\\x21-\\x7e]+$',
        expected: 'a token of 16–256 printable ASCII characters without spaces',
        description:
          'serve GET /metrics on the main port to a scraper that sends `Authorization: Bearer <token>`; env LINLI_METRICS_TOKEN',
      }),
    ),
    port: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65_535,
        description:
          'serve /metrics on a separate listener (metrics.host:port), without the token unless one is set too; `linli demo` uses 9464; env LINLI_METRICS_PORT',
      }),
    ),
    host: Type.String({
      minLength: 1,
      default: '127.0.0.1',
      description:
        'address of the separate metrics listener; keep it on loopback or a management network; env LINLI_METRICS_HOST',
    }),
  },
  { additionalProperties: false, default: {} },
);

/** Environment variables of nested fields: name → [group, field]. */
export const NESTED_ENV: Readonly<Record<string, readonly [string, string]>> = {
  LINLI_METRICS_TOKEN: ['metrics', 'token'],
  LINLI_METRICS_PORT: ['metrics', 'port'],
  LINLI_METRICS_HOST: ['metrics', 'host'],
  LINLI_WEBHOOKS_ALLOW_HTTP_LOOPBACK: ['webhooks', 'allowHttpLoopback'],
};
