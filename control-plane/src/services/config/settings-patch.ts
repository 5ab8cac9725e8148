import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { DeviceRole } from '../../../../protocol/schemas/common.js';
import {
  isSettingKey,
  SETTING_KEYS,
  SETTINGS,
  type SettingKey,
} from '../../../../protocol/schemas/device-settings.js';

const checkers = new Map(SETTING_KEYS.map((k) => [k, TypeCompiler.Compile(SETTINGS[k].schema)]));

/** A validated PUT body: values to set and keys to clear. */
export interface ParsedPatch {
  set: Partial<Record<SettingKey, unknown>>;
  clear: SettingKey[];
}

/**
 * Validates a settings write, whole, before anything is stored: every key must be in the catalogue, every
 * value must pass its setting's schema (no coercion: "120" is not 120), `null` clears the key. With `role`
 * (a device override), a key that means nothing to that role is refused too. The first bad key fails the
 * whole write with a code naming it, so a half-applied patch never exists.
 */
export function parseSettingsPatch(body: unknown, role?: DeviceRole): ParsedPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new LinliError(
      ErrorCode.SETTING_INVALID,
      'send a JSON object of setting key → value, or null to clear a key',
    );
  }
  const out: ParsedPatch = { set: {}, clear: [] };
  for (const [key, value] of Object.entries(body)) {
    if (!isSettingKey(key)) {
      throw new LinliError(
        ErrorCode.SETTING_UNKNOWN,
        `there is no setting "${key}"; the settings are ${SETTING_KEYS.join(', ')}`,
        { field: key },
      );
    }
    if (role && !(SETTINGS[key].roles as readonly DeviceRole[]).includes(role)) {
      throw new LinliError(
        ErrorCode.SETTING_INVALID,
        `${key} means nothing to a ${role}; it applies to ${SETTINGS[key].roles.join(', ')} devices`,
        { field: key, role },
      );
    }
    if (value === null) {
      out.clear.push(key);
      continue;
    }
    const check = checkers.get(key)!;
    if (!check.Check(value)) {
      const first = check.Errors(value).First();
      const at = first?.path ? `${key}${first.path}` : key;
      throw new LinliError(
        ErrorCode.SETTING_INVALID,
        `${at}: ${first?.message ?? 'does not match the setting'}; ${describeBounds(key)}`,
        { field: key, ...(first?.path ? { path: first.path } : {}) },
      );
    }
    out.set[key] = value;
  }
  return out;
}

/** What a setting accepts, in words, for the error message. */
function describeBounds(key: SettingKey): string {
  const s = SETTINGS[key].schema as unknown as Record<string, unknown>;
  if (typeof s.minimum === 'number' && typeof s.maximum === 'number') {
    return `send an integer from ${s.minimum} to ${s.maximum}`;
  }
  if (Array.isArray(s.anyOf)) {
    const options = (s.anyOf as { const?: unknown }[]).map((o) => JSON.stringify(o.const));
    return `send one of ${options.join(', ')}`;
  }
  if (s.type === 'boolean') return 'send true or false';
  if (s.type === 'array')
    return `send a list of at most ${String(s.maxItems)} items (${String(s.description)})`;
  return `see the setting: ${String(s.description ?? key)}`;
}
