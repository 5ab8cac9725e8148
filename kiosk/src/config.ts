import { readFile } from 'node:fs/promises';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorCode, LinliError } from '../../protocol/errors.js';
import { isValid } from '../../protocol/validate.js';

/**
 * A driver config, passed as is to the device-drivers factory, which validates it against its own schema
 * (device-drivers/config/schema.ts) and names any bad parameter. Simulators write under the state dir.
 */
const DriverConfig = (what: string, example: string) =>
  Type.Object(
    { transport: Type.Object({ kind: Type.String() }, { additionalProperties: true }) },
    {
      additionalProperties: true,
      default: { transport: { kind: 'sim' } },
      description: `${what}: a device-drivers config, e.g. {"transport":{"kind":"serial","path":"${example}"}}`,
    },
  );

const Ms = (def: number, min: number, max: number, description: string) =>
  Type.Integer({ default: def, minimum: min, maximum: max, description });

/**
 * The device runtime's configuration: the one place that gives every option its type, default and meaning.
 * Read from `<state>/device.json` (optional); command-line flags override it. Unknown keys are refused, so
 * a typo never silently falls back to a default.
 */
export const DeviceConfig = Type.Object(
  {
    host: Type.String({
      default: '127.0.0.1',
      description:
        'address of the local web server (the screen browser runs on the device: keep it loopback)',
    }),
    port: Type.Integer({
      default: 8090,
      minimum: 0,
      maximum: 65535,
      description: 'port of the local web server (0 picks a free one)',
    }),
    serverUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description: 'control plane base URL; default: the one used at enrollment',
      }),
    ),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info', description: 'log level (JSON lines on stderr)' },
    ),
    channel: Type.Object(
      {
        backoffBaseMs: Ms(1_000, 10, 60_000, 'first reconnect window (full jitter)'),
        backoffCapMs: Ms(
          300_000,
          100,
          3_600_000,
          'largest reconnect window; minutes keep a fleet from stampeding',
        ),
        stableAfterMs: Ms(60_000, 0, 3_600_000, 'a connection up this long resets the backoff'),
        handshakeTimeoutMs: Ms(10_000, 100, 120_000, 'time for the server to challenge and welcome'),
      },
      { default: {}, additionalProperties: false },
    ),
    content: Type.Object(
      {
        pollIntervalMs: Ms(
          300_000,
          1_000,
          86_400_000,
          'fallback TUF poll (timestamp.json with ETag, a 304 when idle) while the channel is down',
        ),
        pollIntervalOnlineMs: Ms(
          1_800_000,
          1_000,
          86_400_000,
          'fallback TUF poll while the channel is up (pushes announce changes; this catches a missed one)',
        ),
        playsUploadIntervalMs: Ms(60_000, 100, 86_400_000, 'how often buffered proof of play is uploaded'),
      },
      { default: {}, additionalProperties: false },
    ),
    http: Type.Object(
      {
        timeoutMs: Ms(10_000, 100, 300_000, 'timeout of one control plane request'),
        retries: Type.Integer({
          default: 3,
          minimum: 0,
          maximum: 20,
          description: 'extra attempts for idempotent requests after a network failure',
        }),
        retryBaseMs: Ms(250, 1, 60_000, 'first retry window (full jitter)'),
      },
      { default: {}, additionalProperties: false },
    ),
    payment: Type.Object(
      {
        terminalTimeoutMs: Ms(120_000, 1_000, 600_000, 'time the resident has at the payment terminal'),
        methods: Type.Array(Type.Union([Type.Literal('terminal'), Type.Literal('qr')]), {
          default: ['terminal', 'qr'],
          uniqueItems: true,
          maxItems: 2,
          description:
            'payment methods offered until the control plane sets payment.methods; also limited by what is plugged in',
        }),
        resumeIntervalMs: Ms(60_000, 100, 3_600_000, 'how often unresolved payments are retried'),
        qrTimeoutMs: Ms(
          120_000,
          1_000,
          600_000,
          'how long a QR payment code stays on screen before the order is closed',
        ),
        statusPollMs: Ms(1_000, 50, 30_000, 'how often a shown QR payment is checked with the control plane'),
        reprintPollMs: Ms(
          60_000,
          1_000,
          3_600_000,
          'how often staff reprint requests are fetched (also on push)',
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    idle: Type.Object(
      {
        resetSec: Type.Integer({
          default: 90,
          minimum: 30,
          maximum: 3_600,
          description:
            'kiosk touch UI: seconds without a touch before it returns home (never during a payment); must exceed idle.warningSec',
        }),
        warningSec: Type.Integer({
          default: 20,
          minimum: 5,
          maximum: 300,
          description: 'kiosk touch UI: the "more time?" warning shows this long before the idle reset',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    attract: Type.Object(
      {
        afterSec: Type.Integer({
          default: 120,
          minimum: 10,
          maximum: 3_600,
          description:
            'kiosk touch UI: seconds idle on the home screen before the attract loop (notices) starts',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    voice: Type.Object(
      {
        defaultOn: Type.Boolean({
          default: true,
          description: 'kiosk touch UI: voice prompts start switched on (when espeak-ng is installed)',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    screen: Type.Object(
      {
        cdpEndpoint: Type.String({
          pattern: '^(https?|wss?)://',
          default: 'http://127.0.0.1:9222',
          description:
            'DevTools endpoint (loopback) of the Chromium kiosk of linli-screen.service (--remote-debugging-port=9222 in the unit): the runtime opens the page there, watches it and takes screenshots; ignored with launchChromium',
        }),
        launchChromium: Type.Boolean({
          default: false,
          description:
            'demo and tests: start a headless Chromium on /screen ourselves (screenshots, proof of play)',
        }),
        chromiumPath: Type.String({
          default: '/usr/bin/chromium',
          description: 'Chromium binary for launchChromium',
        }),
        width: Type.Integer({ default: 1920, minimum: 320, maximum: 7680, description: 'screen width, px' }),
        height: Type.Integer({
          default: 1080,
          minimum: 240,
          maximum: 7680,
          description: 'screen height, px',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    led: Type.Object(
      {
        width: Type.Integer({ default: 128, minimum: 8, maximum: 1024, description: 'LED panel width, px' }),
        height: Type.Integer({ default: 32, minimum: 8, maximum: 256, description: 'LED panel height, px' }),
        colors: Type.Union([Type.Literal(1), Type.Literal(2)], {
          default: 1,
          description: '1: single colour; 2: dual colour (red, green, amber)',
        }),
        scrollPxPerSec: Type.Integer({
          default: 32,
          minimum: 1,
          maximum: 512,
          description: 'scroll speed of text wider than the panel',
        }),
        frameIntervalMs: Ms(100, 20, 5_000, 'time between scroll frames sent to the controller'),
        brightness: Type.Array(
          Type.Object(
            {
              from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
              level: Type.Integer({ minimum: 1, maximum: 16 }),
            },
            { additionalProperties: false },
          ),
          {
            default: [
              { from: '06:30', level: 12 },
              { from: '19:00', level: 8 },
              { from: '23:00', level: 3 },
            ],
            maxItems: 24,
            description:
              'brightness 1–16 from each local time of day (community timezone); emergencies use 16',
          },
        ),
        font: Type.String({
          default: 'Noto Sans CJK SC',
          minLength: 1,
          description: 'font family for LED text; must contain CJK glyphs (fonts-noto-cjk)',
        }),
        previewScale: Type.Integer({
          default: 8,
          minimum: 2,
          maximum: 32,
          description: 'px per LED in /led/preview.png',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    peripherals: Type.Object(
      {
        printer: DriverConfig('receipt printer (kiosk role)', '/dev/linli-printer'),
        terminal: DriverConfig('payment terminal (kiosk role)', '/dev/linli-terminal'),
        cardReader: DriverConfig(
          'resident-card reader (kiosk role; transport kind "none" for a kiosk without one)',
          '/dev/linli-card',
        ),
        led: DriverConfig('LED controller (led role; size from led.width/height)', '/dev/linli-led'),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type DeviceConfig = Static<typeof DeviceConfig>;

/** Flags given on the command line; they win over device.json. */
export interface ConfigOverrides {
  host?: string;
  port?: number;
  serverUrl?: string;
  logLevel?: string;
}

export async function loadDeviceConfig(file: string, overrides: ConfigOverrides = {}): Promise<DeviceConfig> {
  let fromFile: unknown = {};
  try {
    fromFile = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new LinliError(
        ErrorCode.CONFIG_INVALID,
        `${file} is not valid JSON (${(err as Error).message}); fix it or remove it to use the defaults`,
        { file },
      );
    }
  }
  if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
    throw new LinliError(ErrorCode.CONFIG_INVALID, `${file} must hold a JSON object`, { file });
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return parseDeviceConfig({ ...fromFile, ...defined }, `device config (${file} and flags)`);
}

export function parseDeviceConfig(input: unknown, source = 'device config'): DeviceConfig {
  const value = Value.Default(DeviceConfig, structuredClone(input));
  if (isValid(DeviceConfig, value)) {
    // The one rule a schema cannot say: the warning must come before the reset, with time to react.
    if (value.idle.warningSec >= value.idle.resetSec) {
      throw new LinliError(
        ErrorCode.CONFIG_INVALID,
        `${source}: idle.warningSec (${value.idle.warningSec}) must be less than idle.resetSec (${value.idle.resetSec})`,
        { field: 'idle.warningSec' },
      );
    }
    return value;
  }
  const first = Value.Errors(DeviceConfig, value).First();
  const field = (first?.path ?? '/').replace(/^\//, '').replace(/\//g, '.') || '(root)';
  throw new LinliError(
    ErrorCode.CONFIG_INVALID,
    `${source}: ${field} ${first?.message ?? 'is invalid'}${describe(first?.schema)}`,
    { field },
  );
}

function describe(schema: TSchema | undefined): string {
  return schema?.description ? ` (${schema.description})` : '';
}

/** One line per option, with its default, for `linli device --help`. */
export function describeConfig(): string[] {
  const lines: string[] = [];
  const walk = (schema: TSchema, prefix: string): void => {
    for (const [key, sub] of Object.entries(
      (schema as { properties?: Record<string, TSchema> }).properties ?? {},
    )) {
      const name = prefix ? `${prefix}.${key}` : key;
      // Objects with their own description (driver configs) are documented as one option.
      if ((sub as { type?: string }).type === 'object' && !sub.description) {
        walk(sub, name);
        continue;
      }
      const def = sub.default !== undefined ? ` (default ${JSON.stringify(sub.default)})` : '';
      lines.push(`  ${name.padEnd(28)} ${sub.description ?? ''}${def}`);
    }
  };
  walk(DeviceConfig, '');
  return lines;
}
