import { type Static, type TOptional, type TSchema, Type } from '@sinclair/typebox';
import type { DeviceRole } from './common.js';

/**
 * The settings an admin sets remotely (issue 12, desired-state configuration). One entry per setting: its
 * schema (type, default, bounds, description), the roles it means something to, and when a device may apply
 * it. Set on any hierarchy node and inherited down the tree, overridable per device; the control plane
 * resolves a device's values and serves them signed (`linli.target-state/v1`), the device validates every
 * value against this same table before it changes anything.
 *
 * `apply`:
 * - `live`: applied at once (log level, poll intervals, volume, LED brightness);
 * - `between-sessions`: waits while a payment or an appointment booking is open on the kiosk, so a resident
 *   never sees the screen change under their finger (idle timeout, language, voice, payment methods, receipt
 *   lines, orientation, printer profile).
 */
export type SettingApply = 'live' | 'between-sessions';

export interface SettingSpec<S extends TSchema = TSchema> {
  readonly schema: S;
  readonly roles: readonly DeviceRole[];
  readonly apply: SettingApply;
  /** Short label for the console (zh / en). */
  readonly label: { readonly zh: string; readonly en: string };
}

const spec = <S extends TSchema>(
  schema: S,
  roles: readonly DeviceRole[],
  apply: SettingApply,
  zh: string,
  en: string,
): SettingSpec<S> => ({ schema, roles, apply, label: { zh, en } });

const ALL: readonly DeviceRole[] = ['kiosk', 'lobby', 'led'];
const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
const Line = Type.String({ minLength: 1, maxLength: 32 });

export const PAYMENT_METHODS = ['terminal', 'qr'] as const;
export const SCREEN_ORIENTATIONS = [
  'landscape',
  'portrait',
  'landscape-flipped',
  'portrait-flipped',
] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const PRINTER_PROFILE_IDS = ['epson-tm-t88', 'cn-80mm'] as const;

export const SETTINGS = {
  'idle.resetSec': spec(
    Type.Integer({
      default: 90,
      minimum: 30,
      maximum: 3_600,
      description: 'seconds without a touch before the kiosk returns home (never during a payment)',
    }),
    ['kiosk'],
    'between-sessions',
    '无操作返回首页（秒）',
    'Idle timeout (s)',
  ),
  'audio.volume': spec(
    Type.Integer({ default: 70, minimum: 0, maximum: 100, description: 'voice prompt volume, percent' }),
    ['kiosk'],
    'live',
    '音量',
    'Volume',
  ),
  'voice.enabled': spec(
    Type.Boolean({ default: true, description: 'voice prompts start switched on for each resident' }),
    ['kiosk'],
    'between-sessions',
    '语音提示',
    'Voice prompts',
  ),
  'ui.defaultLanguage': spec(
    Type.Union([Type.Literal('zh'), Type.Literal('en')], {
      default: 'zh',
      description: 'language the kiosk returns to after each resident',
    }),
    ['kiosk'],
    'between-sessions',
    '默认语言',
    'Default language',
  ),
  'screen.orientation': spec(
    Type.Union(
      SCREEN_ORIENTATIONS.map((o) => Type.Literal(o)),
      {
        default: 'landscape',
        description: 'how the screen is mounted; the browser is restarted to apply it',
      },
    ),
    ['kiosk', 'lobby'],
    'between-sessions',
    '屏幕方向',
    'Screen orientation',
  ),
  'led.brightness': spec(
    Type.Array(
      Type.Object(
        { from: Type.String({ pattern: HHMM }), level: Type.Integer({ minimum: 1, maximum: 16 }) },
        { additionalProperties: false },
      ),
      {
        default: [
          { from: '06:30', level: 12 },
          { from: '19:00', level: 8 },
          { from: '23:00', level: 3 },
        ],
        minItems: 1,
        maxItems: 24,
        description:
          'LED brightness 1–16 from each local time of day (community time zone); emergencies use 16',
      },
    ),
    ['led'],
    'live',
    'LED 亮度时段',
    'LED brightness schedule',
  ),
  'receipt.headerLines': spec(
    Type.Array(Line, { default: [], maxItems: 4, description: 'lines printed above every receipt' }),
    ['kiosk'],
    'between-sessions',
    '小票抬头',
    'Receipt header lines',
  ),
  'receipt.footerLines': spec(
    Type.Array(Line, { default: [], maxItems: 4, description: 'lines printed below every receipt' }),
    ['kiosk'],
    'between-sessions',
    '小票页脚',
    'Receipt footer lines',
  ),
  'printer.profile': spec(
    Type.Union(
      PRINTER_PROFILE_IDS.map((p) => Type.Literal(p)),
      {
        default: 'cn-80mm',
        description: 'receipt printer model profile (code page, width, status commands)',
      },
    ),
    ['kiosk'],
    'between-sessions',
    '打印机型号',
    'Printer profile',
  ),
  'content.pollIntervalSec': spec(
    Type.Integer({
      default: 300,
      minimum: 10,
      maximum: 86_400,
      description: 'fallback content poll while the channel is down',
    }),
    ALL,
    'live',
    '离线时内容轮询（秒）',
    'Content poll offline (s)',
  ),
  'content.pollIntervalOnlineSec': spec(
    Type.Integer({
      default: 1_800,
      minimum: 10,
      maximum: 86_400,
      description: 'fallback content poll while the channel is up (pushes announce changes)',
    }),
    ALL,
    'live',
    '在线时内容轮询（秒）',
    'Content poll online (s)',
  ),
  'health.reportIntervalSec': spec(
    Type.Integer({
      default: 60,
      minimum: 10,
      maximum: 3_600,
      description:
        'heartbeat: how often the device reports its health and peripherals (also on every change)',
    }),
    ALL,
    'live',
    '健康上报间隔（秒）',
    'Health heartbeat (s)',
  ),
  'log.level': spec(
    Type.Union(
      LOG_LEVELS.map((l) => Type.Literal(l)),
      { default: 'info', description: 'device log level (JSON lines on stderr, journald)' },
    ),
    ALL,
    'live',
    '日志级别',
    'Log level',
  ),
  'payment.methods': spec(
    Type.Array(Type.Union(PAYMENT_METHODS.map((m) => Type.Literal(m))), {
      default: ['terminal', 'qr'],
      uniqueItems: true,
      maxItems: 2,
      description: 'payment methods offered (also limited by what is plugged in); empty: no payments',
    }),
    ['kiosk'],
    'between-sessions',
    '支付方式',
    'Payment methods',
  ),
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];
export type SettingValue<K extends SettingKey> = Static<(typeof SETTINGS)[K]['schema']>;
export type DeviceSettings = { [K in SettingKey]: SettingValue<K> };

export function isSettingKey(key: unknown): key is SettingKey {
  return typeof key === 'string' && Object.hasOwn(SETTINGS, key);
}

/** Every setting at its default. */
export function defaultSettings(): DeviceSettings {
  const out: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) out[k] = structuredClone(SETTINGS[k].schema.default);
  return out as DeviceSettings;
}

/** The settings that mean something to a role (a lobby screen has no receipt lines). */
export function settingsForRole(role: DeviceRole): SettingKey[] {
  return SETTING_KEYS.filter((k) => (SETTINGS[k].roles as readonly DeviceRole[]).includes(role));
}

/**
 * Partial settings as stored on a node or a device: any subset of the keys, each value validated against its
 * schema. Unknown keys are refused (a typo never silently falls back to the inherited value).
 */
export const SettingsPatch = Type.Object(
  Object.fromEntries(SETTING_KEYS.map((k) => [k, Type.Optional(SETTINGS[k].schema)])) as {
    [K in SettingKey]: TOptional<(typeof SETTINGS)[K]['schema']>;
  },
  { additionalProperties: false },
);
export type SettingsPatch = Partial<DeviceSettings>;
