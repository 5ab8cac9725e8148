import type { DeviceRole } from '../../../../protocol/schemas/common.js';
import {
  SETTINGS,
  type SettingKey,
  type SettingsPatch,
  settingsForRole,
} from '../../../../protocol/schemas/device-settings.js';
import type { SettingSource } from '../../../../protocol/schemas/fleet.js';
import type { NodeRecord } from '../../storage/records.js';

/** A value with where it comes from. */
export interface Sourced {
  value: unknown;
  source: SettingSource;
}

/** One key of a resolved scope: what is set right here (if anything), what comes from above, the result. */
export interface ResolvedSetting {
  key: SettingKey;
  /** Set on the scope itself (the node, or the device's own override). */
  here: unknown | undefined;
  /** The value without `here`: the nearest node above that sets it, else the default. */
  inherited: Sourced;
  effective: Sourced;
}

/** The values set on one node (key → parsed value). */
export type NodeValues = ReadonlyMap<string, unknown>;

/**
 * Resolves settings down a chain of nodes, city first: default → city → district → street → community →
 * (device). Pure: the caller passes the chain (the node's ancestry as records), what each node sets, and the
 * scope's own values. Keys are the given ones, in catalogue order.
 */
export function resolveChain(
  chain: readonly NodeRecord[],
  nodeValues: ReadonlyMap<string, NodeValues>,
  own: { values: NodeValues; source: SettingSource },
  keys: readonly SettingKey[],
): ResolvedSetting[] {
  return keys.map((key) => {
    let inherited: Sourced = { value: SETTINGS[key].schema.default, source: { kind: 'default' } };
    for (const node of chain) {
      const values = nodeValues.get(node.id);
      if (values?.has(key)) {
        inherited = {
          value: values.get(key),
          source: { kind: 'node', nodeId: node.id, level: node.level, name: node.name },
        };
      }
    }
    const here = own.values.get(key);
    const effective = own.values.has(key) ? { value: here, source: own.source } : inherited;
    return { key, here, inherited, effective };
  });
}

/** The settings a device with this role is told, resolved (its own overrides last). */
export function resolveDevice(
  device: { id: string; role: DeviceRole },
  chain: readonly NodeRecord[],
  nodeValues: ReadonlyMap<string, NodeValues>,
  overrides: NodeValues,
): ResolvedSetting[] {
  return resolveChain(
    chain,
    nodeValues,
    { values: overrides, source: { kind: 'device', deviceId: device.id } },
    settingsForRole(device.role),
  );
}

/** The `settings` object of a target state: each effective value, keys in catalogue order. */
export function settingsObject(resolved: readonly ResolvedSetting[]): SettingsPatch {
  const out: Record<string, unknown> = {};
  for (const r of resolved) out[r.key] = structuredClone(r.effective.value);
  return out as SettingsPatch;
}
