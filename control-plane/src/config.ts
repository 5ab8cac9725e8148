import { basename, dirname, join, resolve } from 'node:path';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { ErrorCode, LinliError } from '../../protocol/errors.js';
import { MetricsConfigSchema, NESTED_ENV, WebhooksConfigSchema } from './fleet-ops-config.js';
import { SimFaultsSchema } from './simulator-config.js';
import { redact } from './storage/pg/pg-database.js';

/** The one schema for the control plane's configuration: types, defaults and docs in one place. */
export const ControlPlaneConfigSchema = Type.Object(
  {
    dataDir: Type.String({
      minLength: 1,
      default: './data',
      description: 'directory for the SQLite database and keys/ (created 0700); env LINLI_DATA, flag --data',
    }),
    pg: Type.Optional(
      Type.String({
        pattern: '^postgres(ql)?://\\S+$',
        expected: 'a postgres:// URL, e.g. postgres://linli:secret@db.example.org:5432/linli',
        description:
          'store everything in this PostgreSQL database instead of SQLite in dataDir (keys stay in dataDir); several control planes may share it; env LINLI_PG_URL, flag --pg',
      }),
    ),
    pgSchema: Type.String({
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      expected: 'a lower-case PostgreSQL schema name (letters, digits, _), e.g. linli',
      default: 'public',
      description:
        'the PostgreSQL schema the tables live in (created if missing); env LINLI_PG_SCHEMA, flag --pg-schema',
    }),
    port: Type.Integer({
      minimum: 0,
      maximum: 65_535,
      default: 8080,
      description: 'TCP port to listen on (0 picks a free one); env LINLI_PORT, flag --port',
    }),
    host: Type.String({
      minLength: 1,
      default: '127.0.0.1',
      description: 'address to listen on; env LINLI_HOST, flag --host',
    }),
    publicUrl: Type.Optional(
      Type.String({
        pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
        expected: 'an http:// or https:// URL without query or fragment, e.g. https://linli.example.org',
        description:
          'base URL residents reach the control plane at, used in receipt QR codes; default http://<host>:<port>; env LINLI_PUBLIC_URL, flag --public-url',
      }),
    ),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      {
        default: 'info',
        description: 'pino log level (logs go to stderr); env LINLI_LOG_LEVEL, flag --log-level',
      },
    ),
    cityName: Type.String({
      minLength: 1,
      maxLength: 100,
      default: '邻里市',
      description: 'name of the root (city) node, used only on the first start',
    }),
    adminSessionTtlSec: Type.Integer({
      minimum: 60,
      maximum: 7 * 86_400,
      default: 8 * 3600,
      description: 'lifetime of an admin login session',
    }),
    deviceSessionTtlSec: Type.Integer({
      minimum: 60,
      maximum: 86_400,
      default: 3600,
      description: 'lifetime of a device HTTP session token; the device re-authenticates after it',
    }),
    billTtlSec: Type.Integer({
      minimum: 60,
      maximum: 3600,
      default: 900,
      description: 'how long a signed bill can be paid after the kiosk looked it up',
    }),
    heartbeatSec: Type.Integer({
      minimum: 5,
      maximum: 3600,
      default: 30,
      description:
        'WebSocket ping interval; a device that misses one is dropped; the cluster lease is renewed twice per interval; env LINLI_HEARTBEAT_SEC',
    }),
    offlineKeysDir: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'where a first start without `linli keys init` puts the offline TUF root key; default: <dataDir>-offline-keys beside the data dir (never inside it); env LINLI_OFFLINE_KEYS',
      }),
    ),
    autoInitKeys: Type.Boolean({
      default: true,
      description:
        'create a TUF root (one offline root key) on first start when `linli keys init` was not run; set false in production (env LINLI_AUTO_INIT_KEYS=false)',
    }),
    rootExpiresDays: Type.Integer({
      minimum: 30,
      maximum: 3650,
      default: 365,
      description: 'lifetime of a root created on first start',
    }),
    tufTimestampTtlSec: Type.Integer({
      minimum: 60,
      maximum: 30 * 86_400,
      default: 86_400,
      description:
        "lifetime of a device's signed timestamp; a device that cannot refresh it for this long stops accepting updates (it keeps playing)",
    }),
    tufMetadataTtlSec: Type.Integer({
      minimum: 3600,
      maximum: 365 * 86_400,
      default: 7 * 86_400,
      description: "lifetime of a device's signed snapshot and targets metadata",
    }),
    moderationFourEyes: Type.Boolean({
      default: false,
      description:
        'when true an admin may not approve a notice they edited last (emergencies always need a second admin, or a district-or-higher admin bypassing approval)',
    }),
    qrTtlSec: Type.Integer({
      minimum: 30,
      maximum: 7200,
      default: 120,
      description: 'how long a QR payment code can be paid once shown (the wallet order expiry)',
    }),
    recoveryIntervalMs: Type.Integer({
      minimum: 100,
      maximum: 3_600_000,
      default: 5_000,
      description: 'how often payments stuck mid-way, waiting QR orders and pending refunds are retried',
    }),
    simulators: Type.Boolean({
      default: true,
      description:
        'run the simulated biller, acquirer and wallet provider (their ledgers in their own file, their payer pages under /sim); with false no biller or gateway is configured and payments answer LINLI_ERR_RAILS_NOT_CONFIGURED; env LINLI_SIMULATORS',
    }),
    simLedgerFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "the simulators' own SQLite file; default <dataDir>/simulators.sqlite; give two instances the same file to share one simulated biller, acquirer and wallet; env LINLI_SIM_LEDGER_FILE",
      }),
    ),
    simFaults: Type.Optional(SimFaultsSchema),
    simAccounts: Type.Integer({
      minimum: 0,
      maximum: 100_000,
      default: 0,
      description:
        'extra accounts per simulated biller for load and chaos runs (5000000000… water, 6… electricity, 7… gas, 8… property, all in 阳光社区); env LINLI_SIM_ACCOUNTS',
    }),
    bodyLimitBytes: Type.Integer({
      minimum: 1024,
      maximum: 16 * 1024 * 1024,
      default: 256 * 1024,
      description: 'largest request body accepted (413 LINLI_ERR_BODY_TOO_LARGE above it)',
    }),
    loginPerIpPerMinute: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 20,
      description:
        'admin login attempts per minute from one address (429 LINLI_ERR_LOGIN_THROTTLED above it); each account also locks after 5 wrong passwords, 30 s doubling to at most 15 min',
    }),
    enrollPerIpPerMinute: Type.Integer({
      minimum: 1,
      maximum: 100_000,
      default: 120,
      description:
        'enrollment requests (challenge and enroll) per minute from one address (429 LINLI_ERR_RATE_LIMITED above it); raise it for a large rollout behind one NAT address',
    }),
    alerts: Type.Object(
      {
        offlineMinutes: Type.Integer({
          minimum: 1,
          maximum: 10_080,
          default: 10,
          description:
            'open a device-offline alert when an active device has had no channel on any instance for this long',
        }),
        emergencyAckSec: Type.Integer({
          minimum: 5,
          maximum: 3_600,
          default: 120,
          description:
            "open an emergency-unacknowledged alert for a device in an emergency's scope that has not acknowledged showing it this long after the issue",
        }),
        unknownPayments: Type.Integer({
          minimum: 1,
          maximum: 1_000,
          default: 3,
          description:
            'open a payment-unknown alert when a kiosk has this many payments go UNKNOWN within the window',
        }),
        unknownWindowMinutes: Type.Integer({
          minimum: 1,
          maximum: 10_080,
          default: 60,
          description: 'the window for unknownPayments',
        }),
        sweepSec: Type.Integer({
          minimum: 1,
          maximum: 3_600,
          default: 30,
          description:
            'how often every instance re-evaluates the time-based rules (offline, emergency, UNKNOWN payments) and trims health history; safe on several instances',
        }),
        historyDays: Type.Integer({
          minimum: 1,
          maximum: 365,
          default: 7,
          description: 'health reports kept per device at most this long',
        }),
        historyPerDevice: Type.Integer({
          minimum: 10,
          maximum: 100_000,
          default: 2_000,
          description: 'and at most this many (a 60 s heartbeat plus changes is ~1 500 a day)',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          'alert rules and health history (issue 12); see "Health and alerts" in docs/architecture.md',
      },
    ),
    codeLookupsPerDevicePerMinute: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 10,
      description:
        'appointment-code lookups and cancels per minute from one kiosk (429 LINLI_ERR_RATE_LIMITED above it): an 8-digit code must not be guessable',
    }),
    webhooks: WebhooksConfigSchema,
    metrics: MetricsConfigSchema,
  },
  { additionalProperties: false },
);

export type ControlPlaneConfigInput = Partial<Static<typeof ControlPlaneConfigSchema>>;
/** After loading, publicUrl is always set. */
export type ControlPlaneConfig = Static<typeof ControlPlaneConfigSchema> & {
  publicUrl: string;
  offlineKeysDir: string;
};

const ENV: Readonly<Record<string, keyof ControlPlaneConfigInput>> = {
  LINLI_DATA: 'dataDir',
  LINLI_PG_URL: 'pg',
  LINLI_PG_SCHEMA: 'pgSchema',
  LINLI_PORT: 'port',
  LINLI_HOST: 'host',
  LINLI_PUBLIC_URL: 'publicUrl',
  LINLI_LOG_LEVEL: 'logLevel',
  LINLI_OFFLINE_KEYS: 'offlineKeysDir',
  LINLI_AUTO_INIT_KEYS: 'autoInitKeys',
  LINLI_QR_TTL_SEC: 'qrTtlSec',
  LINLI_RECOVERY_INTERVAL_MS: 'recoveryIntervalMs',
  LINLI_HEARTBEAT_SEC: 'heartbeatSec',
  LINLI_SIM_ACCOUNTS: 'simAccounts',
  LINLI_SIMULATORS: 'simulators',
  LINLI_SIM_LEDGER_FILE: 'simLedgerFile',
};

/** The flag of each field `linli control-plane` accepts, so a message names what the user typed. */
export const CONFIG_FLAGS: Readonly<Partial<Record<keyof ControlPlaneConfigInput, string>>> = {
  dataDir: '--data',
  pg: '--pg',
  pgSchema: '--pg-schema',
  port: '--port',
  host: '--host',
  publicUrl: '--public-url',
  logLevel: '--log-level',
};

const check = TypeCompiler.Compile(ControlPlaneConfigSchema);

/**
 * Defaults, then environment, then explicit values (CLI flags or a test's overrides). Refuses to start with
 * LINLI_ERR_CONFIG_INVALID naming every bad value by where it came from (`LINLI_PORT`, `--port`, or the field
 * for values set in code) and what it must be.
 */
export function loadConfig(
  overrides: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
  overridesAreFlags = false,
): ControlPlaneConfig {
  const merged: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  for (const [name, field] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') {
      merged[field] = v;
      source[field] = name;
    }
  }
  for (const [name, [group, field]] of Object.entries(NESTED_ENV)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    merged[group] = { ...(merged[group] as Record<string, unknown> | undefined), [field]: v };
    source[group] = name;
  }
  const faults = env.LINLI_SIM_FAULTS;
  if (faults) {
    try {
      merged.simFaults = JSON.parse(faults);
      source.simFaults = 'LINLI_SIM_FAULTS';
    } catch {
      throw new LinliError(
        ErrorCode.CONFIG_INVALID,
        'LINLI_SIM_FAULTS must be JSON, e.g. {"biller":{"downRate":0.1}}',
        {
          field: 'simFaults',
        },
      );
    }
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    // A group set in code (tests) goes over what the environment set for it, field by field.
    const isGroup = k === 'webhooks' || k === 'metrics';
    merged[k] = isGroup ? { ...(merged[k] as object | undefined), ...(v as object) } : v;
    const flag = overridesAreFlags ? CONFIG_FLAGS[k as keyof ControlPlaneConfigInput] : undefined;
    source[k] = flag ?? `config field "${k}"`;
  }

  // Convert works on a copy, so `merged` keeps what the user typed ("abc", not a half-converted value).
  const candidate = Value.Default(
    ControlPlaneConfigSchema,
    Value.Convert(ControlPlaneConfigSchema, structuredClone(merged)),
  );
  if (!check.Check(candidate)) {
    const problems = new Map<string, string>();
    for (const e of check.Errors(candidate)) {
      const path = e.path.replace(/^\//, '');
      const field = path.split('/')[0] || '(root)';
      if (problems.has(field)) continue;
      const label = source[field] ?? `config field "${field}"`;
      const inner = path.includes('/') ? ` at ${path.slice(field.length + 1)}` : '';
      const expected =
        e.message === 'Unexpected property'
          ? 'not set (there is no such setting)'
          : inner
            ? `valid (${e.message}${inner})`
            : expectation(e.schema);
      // A database URL may carry a password: it is never echoed back.
      const got =
        field === 'metrics' && (merged.metrics as { token?: unknown } | undefined)?.token !== undefined
          ? '(not shown: it holds the metrics token)'
          : JSON.stringify(field === 'pg' ? redact(String(merged[field])) : merged[field]);
      problems.set(field, `${label} must be ${expected}, got ${got}`);
    }
    const [field] = problems.keys();
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `${[...problems.values()].join('; ')}; see \`linli control-plane --help\``,
      { field },
    );
  }
  const cfg = candidate as Static<typeof ControlPlaneConfigSchema>;
  const publicUrl = (cfg.publicUrl ?? defaultPublicUrl(cfg.host, cfg.port)).replace(/\/+$/, '');
  return { ...cfg, publicUrl, offlineKeysDir: cfg.offlineKeysDir ?? defaultOfflineKeysDir(cfg.dataDir) };
}

/** What a value must be, in words, read off its schema so messages and schema cannot disagree. */
function expectation(schema: TSchema): string {
  const s = schema as TSchema & Record<string, unknown>;
  if (typeof s.expected === 'string') return s.expected;
  const range = (): string =>
    s.minimum !== undefined && s.maximum !== undefined ? ` ${s.minimum}–${s.maximum}` : '';
  if (s.type === 'integer') return `an integer${range()}`;
  if (s.type === 'number') return `a number${range()}`;
  if (s.type === 'boolean') return 'true or false';
  if (Array.isArray(s.anyOf) && s.anyOf.every((x: { const?: unknown }) => x.const !== undefined)) {
    return `one of ${s.anyOf.map((x: { const?: unknown }) => String(x.const)).join(', ')}`;
  }
  if (s.type === 'string') {
    const max = typeof s.maxLength === 'number' ? ` of at most ${s.maxLength} characters` : '';
    return `a non-empty string${max}`;
  }
  return `a ${String(s.type ?? 'valid value')}`;
}

/** Beside the data dir, never inside it: a backup or copy of the data dir must not carry the root key. */
export function defaultOfflineKeysDir(dataDir: string): string {
  const abs = resolve(dataDir);
  return join(dirname(abs), `${basename(abs)}-offline-keys`);
}

export function defaultPublicUrl(host: string, port: number): string {
  return `http://${urlHost(host)}:${port}`;
}

/** IPv6 literals need brackets in a URL; a wildcard bind address is not something a resident can open. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** One line per field for `--help`, generated from the schema so the docs cannot drift. */
export function describeConfig(): string {
  const fields: [string, unknown][] = Object.entries(ControlPlaneConfigSchema.properties).flatMap(
    ([name, s]): [string, unknown][] => {
      const group = s as { properties?: Record<string, unknown> };
      return (name === 'webhooks' || name === 'metrics') && group.properties
        ? Object.entries(group.properties).map(([sub, ss]): [string, unknown] => [`${name}.${sub}`, ss])
        : [[name, s]];
    },
  );
  return fields
    .map(([name, s]) => {
      const schema = s as { default?: unknown; description?: string };
      const def = schema.default === undefined ? '' : ` (default ${JSON.stringify(schema.default)})`;
      return `  ${name}${def}: ${schema.description ?? ''}`;
    })
    .join('\n');
}
