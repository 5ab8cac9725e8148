import { isDeepStrictEqual } from 'node:util';
import { ErrorCode } from '../../../protocol/errors.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import {
  type DeviceSettings,
  isSettingKey,
  SETTING_KEYS,
  SETTINGS,
  type SettingKey,
  settingsForRole,
} from '../../../protocol/schemas/device-settings.js';
import { isValid } from '../../../protocol/validate.js';

/** What may hold a `between-sessions` setting back, in the order a report names it. */
export type WaitReason = 'payment' | 'booking' | 'print';

/** What is going on at the device while it plans: nothing of this is read inside the planner. */
export interface PlanContext {
  role: DeviceRole;
  paymentOpen: boolean;
  bookingOpen: boolean;
  printing: boolean;
  /**
   * The device's own values (device.json over the built-in defaults). A setting of the role the target
   * leaves out (nobody set it on the control plane, or it was cleared there) returns to its baseline value.
   * Without a baseline an omitted setting keeps its applied value.
   */
  baseline?: DeviceSettings;
}

/** One setting to move from `from` to `value`. */
export interface PlanStep {
  key: SettingKey;
  value: unknown;
  from: unknown;
}

export interface WaitingStep extends PlanStep {
  waitingFor: WaitReason;
}

export interface PlanFailure {
  /** The failing setting, or `settings` when the settings are not an object at all. */
  key: string;
  code: string;
  message: string;
}

export type ConfigPlan =
  | {
      kind: 'refused';
      /** Every failing key (the report carries them all); nothing of the target is applied. */
      failures: PlanFailure[];
    }
  | {
      kind: 'steps';
      /** Apply now, in the catalogue's order. */
      now: PlanStep[];
      /** `between-sessions` changes held back while the kiosk is busy. */
      waiting: WaitingStep[];
      /** Valid settings that mean nothing to this role (ignored, never applied). */
      ignored: SettingKey[];
    };

/**
 * The pure planner of remote configuration (balena-supervisor style: current → target gives steps; no I/O,
 * no clock). A target whose settings are not all valid is refused whole — one bad value never lands half a
 * configuration. Of a valid target, each setting of the role whose value differs from what is applied is a
 * step: `live` ones apply now; `between-sessions` ones wait while a payment, booking or print is open.
 * The control plane sends only the settings some node or the device itself sets; a setting of the role the
 * target leaves out returns to the device's own baseline value (`ctx.baseline`: device.json over the
 * defaults), or keeps its applied value when no baseline is given.
 */
export function planConfig(applied: DeviceSettings, target: unknown, ctx: PlanContext): ConfigPlan {
  if (typeof target !== 'object' || target === null || Array.isArray(target)) {
    return {
      kind: 'refused',
      failures: [
        { key: 'settings', code: ErrorCode.CONFIG_VALUE_INVALID, message: 'settings must be an object' },
      ],
    };
  }
  const failures: PlanFailure[] = [];
  for (const [key, value] of Object.entries(target)) {
    if (!isSettingKey(key)) {
      failures.push({
        key: key.slice(0, 64),
        code: ErrorCode.CONFIG_VALUE_INVALID,
        message: `unknown setting ${JSON.stringify(key.slice(0, 64))}; this device version does not have it`,
      });
    } else if (!isValid(SETTINGS[key].schema, value)) {
      failures.push({
        key,
        code: ErrorCode.CONFIG_VALUE_INVALID,
        message: `setting ${key}: ${describe(value)} does not match its schema (${SETTINGS[key].schema.description ?? key})`,
      });
    }
  }
  if (failures.length > 0) return { kind: 'refused', failures: failures.slice(0, 64) };

  const roleKeys = new Set(settingsForRole(ctx.role));
  const waitFor = waitReason(ctx);
  const values = target as Partial<Record<SettingKey, unknown>>;
  const now: PlanStep[] = [];
  const waiting: WaitingStep[] = [];
  const ignored: SettingKey[] = [];
  for (const key of SETTING_KEYS) {
    const given = Object.hasOwn(values, key);
    if (!given && !(ctx.baseline && roleKeys.has(key))) continue;
    if (!roleKeys.has(key)) {
      ignored.push(key);
      continue;
    }
    const value = given ? values[key] : ctx.baseline![key];
    const from = applied[key];
    if (isDeepStrictEqual(from, value)) continue;
    if (SETTINGS[key].apply === 'between-sessions' && waitFor)
      waiting.push({ key, value, from, waitingFor: waitFor });
    else now.push({ key, value, from });
  }
  return { kind: 'steps', now, waiting, ignored };
}

/** The first thing that holds `between-sessions` changes, or undefined when the kiosk is free. */
export function waitReason(ctx: Omit<PlanContext, 'role'>): WaitReason | undefined {
  if (ctx.paymentOpen) return 'payment';
  if (ctx.bookingOpen) return 'booking';
  if (ctx.printing) return 'print';
  return undefined;
}

/** `applied` with every step's value laid over it (what the device holds after the steps succeed). */
export function applySteps(applied: DeviceSettings, steps: readonly PlanStep[]): DeviceSettings {
  const out = structuredClone(applied) as Record<string, unknown>;
  for (const s of steps) out[s.key] = structuredClone(s.value);
  return out as DeviceSettings;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
