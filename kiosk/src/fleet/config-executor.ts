import { isDeepStrictEqual } from 'node:util';
import { ErrorCode, isLinliError } from '../../../protocol/errors.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import {
  type DeviceSettings,
  type SettingKey,
  type SettingsPatch,
  settingsForRole,
} from '../../../protocol/schemas/device-settings.js';
import type { ConfigReport } from '../../../protocol/schemas/fleet.js';
import type { LiveSettings } from '../settings/live-settings.js';
import type { PlanFailure, PlanStep, WaitingStep } from './plan-config.js';

export interface ExecResult {
  applied: SettingKey[];
  failed: PlanFailure[];
}

/**
 * Runs the planner's steps through LiveSettings.apply, one after another (each setting's appliers put it
 * into effect; a throwing applier leaves that value as it was). One failure never stops the others: the
 * report lists every key that failed with its code.
 */
export async function executeSteps(settings: LiveSettings, steps: readonly PlanStep[]): Promise<ExecResult> {
  const applied: SettingKey[] = [];
  const failed: PlanFailure[] = [];
  for (const step of steps) {
    try {
      await settings.apply(step.key, step.value as never);
      applied.push(step.key);
    } catch (err) {
      failed.push({
        key: step.key,
        code: isLinliError(err) ? err.code : ErrorCode.CONFIG_APPLY_FAILED,
        message: clip((err as Error).message ?? String(err), 300),
      });
    }
  }
  return { applied, failed };
}

export interface ReportInput {
  role: DeviceRole;
  targetVersion: number;
  etag: string;
  /** The target's settings, when it was accepted (for `applied`: which of them are in effect). */
  target?: Partial<Record<SettingKey, unknown>>;
  waiting: readonly WaitingStep[];
  failed: readonly PlanFailure[];
  refused?: boolean;
  current: DeviceSettings;
  at: Date;
}

/**
 * The ConfigReport of one pass. `applied` is every target setting now in effect (not only the ones changed
 * in this pass), so the console sees the whole state; `current` the values in effect for the role.
 */
export function buildReport(i: ReportInput): ConfigReport {
  const roleKeys = settingsForRole(i.role);
  const current: Record<string, unknown> = {};
  for (const k of roleKeys) current[k] = structuredClone(i.current[k]);
  const applied = i.refused
    ? []
    : roleKeys.filter(
        (k) => i.target && Object.hasOwn(i.target, k) && isDeepStrictEqual(i.current[k], i.target[k]),
      );
  const outcome: ConfigReport['outcome'] = i.refused
    ? 'refused'
    : i.failed.length > 0
      ? 'partial'
      : i.waiting.length > 0
        ? 'waiting'
        : 'applied';
  return {
    targetVersion: Math.max(0, Math.trunc(i.targetVersion)),
    etag: clip(i.etag, 64),
    outcome,
    applied,
    pending: i.refused ? [] : i.waiting.slice(0, 64).map((w) => ({ key: w.key, waitingFor: w.waitingFor })),
    failed: i.failed.slice(0, 64).map((f) => ({
      key: clip(f.key, 64),
      code: /^LINLI_ERR_[A-Z0-9_]+$/.test(f.code) ? f.code : ErrorCode.CONFIG_APPLY_FAILED,
      message: clip(f.message, 300),
    })),
    current: current as SettingsPatch,
    at: i.at.toISOString(),
  };
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
