import { createHash } from 'node:crypto';
import { canonicalBytes } from '../../../../protocol/canonical-json.js';
import { signEnvelope } from '../../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { SigningKey } from '../../../../protocol/keys.js';
import type { Signed } from '../../../../protocol/schemas/common.js';
import type { DeviceConfigView, NodeConfigView, SetHere } from '../../../../protocol/schemas/config-admin.js';
import { SETTING_KEYS, SETTINGS, type SettingKey } from '../../../../protocol/schemas/device-settings.js';
import { ConfigReport, type TargetState } from '../../../../protocol/schemas/fleet.js';
import { validate } from '../../../../protocol/validate.js';
import type { DeviceNotifier } from '../../hub/device-hub.js';
import type { ConfigScope, ConfigSettingRecord } from '../../storage/config-repository.js';
import type { DeviceRecord, NodeRecord } from '../../storage/records.js';
import type { Repository } from '../../storage/repository.js';
import { type AdminPrincipal, type DevicePrincipal, iso, type Logger } from '../context.js';
import type { HierarchyService } from '../hierarchy.js';
import { connectedTargeted, spreadFor } from '../notices/device-targeting.js';
import { requirePermission } from '../permissions.js';
import { type ResolvedSetting, resolveChain, resolveDevice, settingsObject } from './resolve-settings.js';
import { parseSettingsPatch } from './settings-patch.js';

/** Reports kept per device (the console shows the newest few). */
export const REPORTS_KEPT = 20;
const REPORTS_SHOWN = 10;
/** Signed targets kept in memory; beyond this the oldest is dropped (and signed again when asked). */
const TARGETS_CACHED = 50_000;

export interface ConfigServiceDeps {
  repo: Repository;
  hierarchy: HierarchyService;
  notifier: DeviceNotifier;
  keys: { readonly fleet: SigningKey };
  now: () => number;
  log: Logger;
}

/**
 * The hash of what this release resolves settings from besides the stored values: each key's default and
 * roles. Recorded in the store on first use; a release that changes it raises every device's version.
 */
export const CATALOGUE_HASH = createHash('sha256')
  .update(
    canonicalBytes(
      Object.fromEntries(
        SETTING_KEYS.map((k) => [k, { default: SETTINGS[k].schema.default, roles: SETTINGS[k].roles }]),
      ),
    ),
  )
  .digest('hex');

/** Every node's settings at one config revision. */
interface NodeCache {
  revision: number;
  catalogueRevision: number;
  records: Map<string, Map<string, ConfigSettingRecord>>;
  values: Map<string, Map<string, unknown>>;
  nodeRevisions: Map<string, number>;
}

interface CachedTarget {
  /** The config revision it was built at: valid while the store's revision is the same. */
  revision: number;
  etag: string;
  version: number;
  signed: Signed<TargetState>;
}

/** A device's settings resolved at one revision. */
interface DeviceResolution {
  resolved: ResolvedSetting[];
  own: Map<string, ConfigSettingRecord>;
  version: number;
  etag: string;
  settings: TargetState['settings'];
}

/**
 * Desired-state configuration, control-plane side: settings set on nodes and devices, resolved down the
 * tree (default → city → district → street → community → device), served to each device as a signed
 * `linli.target-state/v1`, and the devices' reports.
 *
 * Caching: every node's settings and each device's signed target are kept in memory, tagged with the
 * config revision they were built at. Every read first asks the store for the current revision (one
 * primary-key read) and rebuilds what is older, so a write on any instance is seen by every instance at
 * once, without waiting for a bus message (a device told to sync may ask another instance before a bus
 * message would have reached it).
 */
export class ConfigService {
  readonly #d: ConfigServiceDeps;
  #nodes: Promise<NodeCache> | undefined;
  #catalogue: Promise<void> | undefined;
  readonly #targets = new Map<string, CachedTarget>();

  constructor(deps: ConfigServiceDeps) {
    this.#d = deps;
  }

  // ------------------------------------------------------------------ device side

  /** The device's signed target state (cached while nothing changed). */
  async target(device: DeviceRecord): Promise<Signed<TargetState>> {
    const revision = await this.#revision();
    const hit = this.#targets.get(device.id);
    if (hit?.revision === revision) return hit.signed;
    const r = await this.#resolve(device, revision);
    // Same settings and version as before (a write elsewhere): keep the signed bytes, so nothing changes.
    const signed =
      hit && hit.etag === r.etag && hit.version === r.version
        ? hit.signed
        : signEnvelope<TargetState>(
            {
              type: 'linli.target-state/v1',
              deviceId: device.id,
              version: r.version,
              etag: r.etag,
              issuedAt: iso(this.#d.now()),
              settings: r.settings,
            },
            this.#d.keys.fleet,
          );
    this.#targets.delete(device.id);
    if (this.#targets.size >= TARGETS_CACHED) this.#targets.delete(this.#targets.keys().next().value!);
    this.#targets.set(device.id, { revision, etag: r.etag, version: r.version, signed });
    return signed;
  }

  /** Stores what the device did with a target; strict: a body off the ConfigReport schema is refused whole. */
  async report(principal: DevicePrincipal, body: unknown): Promise<void> {
    const report = validate(ConfigReport, body, 'config report');
    await this.#d.repo.config.saveReport(
      { deviceId: principal.device.id, report, receivedAt: this.#d.now() },
      REPORTS_KEPT,
    );
  }

  // ------------------------------------------------------------------ admin side

  /** What is set on a node and what it inherits from above, for every setting. */
  async nodeConfig(principal: AdminPrincipal, nodeId: string): Promise<NodeConfigView> {
    requirePermission(principal, 'config.read');
    const node = await this.#d.hierarchy.nodeInScope(principal, nodeId);
    const nodes = await this.#nodeCache(await this.#revision());
    const chain = await this.#chain(node);
    const own = nodes.records.get(node.id) ?? new Map<string, ConfigSettingRecord>();
    const resolved = resolveChain(
      chain.slice(0, -1),
      nodes.values,
      {
        values: nodes.values.get(node.id) ?? new Map(),
        source: { kind: 'node', nodeId: node.id, level: node.level, name: node.name },
      },
      SETTING_KEYS,
    );
    return {
      node: { id: node.id, level: node.level, name: node.name },
      revision: nodes.nodeRevisions.get(node.id) ?? 0,
      settings: resolved.map((r) => ({
        ...info(r.key),
        here: setHere(own.get(r.key)),
        inherited: r.inherited,
      })),
    };
  }

  /** Sets and clears keys on a node (null clears), then tells the node's connected devices to sync. */
  async putNodeConfig(principal: AdminPrincipal, nodeId: string, body: unknown): Promise<NodeConfigView> {
    requirePermission(principal, 'config.write');
    const node = await this.#d.hierarchy.nodeInScope(principal, nodeId);
    const patch = parseSettingsPatch(body);
    const changed = await this.#write({ kind: 'node', id: node.id }, patch, principal);
    if (changed) {
      const roles = [...new Set(changed.flatMap((k) => SETTINGS[k].roles))];
      const ids = await connectedTargeted(this.#d.notifier, this.#d.repo, [{ nodeIds: [node.id], roles }]);
      this.#sync(ids);
    }
    return this.nodeConfig(principal, node.id);
  }

  /** A device's effective settings with sources, its own overrides, its reports, and whether it is in step. */
  async deviceConfig(principal: AdminPrincipal, deviceId: string): Promise<DeviceConfigView> {
    requirePermission(principal, 'config.read');
    const device = await this.#deviceInScope(principal, deviceId);
    const r = await this.#resolve(device, await this.#revision());
    const reports = await this.#d.repo.config.listReports(device.id, REPORTS_SHOWN);
    const last = reports[0]?.report;
    const current = (last?.current ?? {}) as Record<string, unknown>;
    return {
      device: { id: device.id, role: device.role, nodeId: device.nodeId, name: device.name },
      target: { version: r.version, etag: r.etag },
      settings: r.resolved.map((s) => ({
        ...info(s.key),
        here: setHere(r.own.get(s.key)),
        inherited: s.inherited,
        effective: s.effective,
        ...(Object.hasOwn(current, s.key) ? { reported: current[s.key] } : {}),
      })),
      reports: reports.map((x) => ({ report: x.report as ConfigReport, receivedAt: iso(x.receivedAt) })),
      status: !last
        ? 'never'
        : last.etag !== r.etag
          ? 'behind'
          : last.outcome === 'applied'
            ? 'in-step'
            : last.outcome === 'waiting'
              ? 'waiting'
              : 'failed',
    };
  }

  /** Sets and clears the device's own overrides (keys for its role only), then tells it to sync. */
  async putDeviceConfig(
    principal: AdminPrincipal,
    deviceId: string,
    body: unknown,
  ): Promise<DeviceConfigView> {
    requirePermission(principal, 'config.write');
    const device = await this.#deviceInScope(principal, deviceId);
    const patch = parseSettingsPatch(body, device.role);
    if (await this.#write({ kind: 'device', id: device.id }, patch, principal)) this.#sync([device.id]);
    return this.deviceConfig(principal, device.id);
  }

  // ------------------------------------------------------------------ internals

  /** The store's current config revision, once this release's catalogue is recorded (first call only). */
  async #revision(): Promise<number> {
    if (!this.#catalogue) {
      const recording = this.#d.repo.config.ensureCatalogue(CATALOGUE_HASH);
      this.#catalogue = recording;
      recording.catch(() => {
        if (this.#catalogue === recording) this.#catalogue = undefined;
      });
    }
    await this.#catalogue;
    return this.#d.repo.config.revision();
  }

  /** The device if it is installed in the admin's subtree; outside it answers like an unknown id. */
  async #deviceInScope(principal: AdminPrincipal, deviceId: string): Promise<DeviceRecord> {
    const device = await this.#d.repo.devices.get(deviceId);
    if (!device || !(await this.#d.hierarchy.inScope(principal, device.nodeId))) {
      throw new LinliError(ErrorCode.NOT_FOUND, `no device ${deviceId}`, { field: 'id' });
    }
    return device;
  }

  /** Writes a validated patch; returns the keys it touched, or undefined when it changed nothing. */
  async #write(
    scope: ConfigScope,
    patch: ReturnType<typeof parseSettingsPatch>,
    principal: AdminPrincipal,
  ): Promise<SettingKey[] | undefined> {
    const keys = [...(Object.keys(patch.set) as SettingKey[]), ...patch.clear];
    if (keys.length === 0) return undefined;
    const result = await this.#d.repo.config.applyPatch({
      scope,
      set: patch.set,
      clear: patch.clear,
      by: principal.admin.id,
      at: this.#d.now(),
    });
    if (!result.changed) return undefined;
    this.#d.log.info(
      { scope: `${scope.kind}:${scope.id}`, keys, revision: result.revision, admin: principal.admin.id },
      'device settings changed',
    );
    return keys;
  }

  #sync(deviceIds: readonly string[]): void {
    if (deviceIds.length === 0) return;
    this.#d.notifier.notify(deviceIds, {
      type: 'sync',
      topic: 'config',
      spreadMs: spreadFor(deviceIds.length),
    });
  }

  async #resolve(device: DeviceRecord, revision: number): Promise<DeviceResolution> {
    const nodes = await this.#nodeCache(revision);
    const node = await this.#d.hierarchy.node(device.nodeId);
    const chain = node ? await this.#chain(node) : [];
    const own = await this.#d.repo.config.getScope({ kind: 'device', id: device.id });
    const ownRecords = new Map(own.settings.map((s) => [s.key, s]));
    const resolved = resolveDevice(
      device,
      chain,
      nodes.values,
      new Map(own.settings.map((s) => [s.key, s.value])),
    );
    // Only what some node or the device itself sets: a setting nobody set stays the device's own (its
    // device.json, else the built-in default), so a bench kiosk's local values are not overridden by defaults.
    const settings = settingsObject(resolved.filter((r) => r.effective.source.kind !== 'default'));
    // Every write that can change this device's settings raises the revision of a scope in its chain; + 1
    // because the schema's minimum is 1 and revisions start at 0.
    // A release with another catalogue (defaults, roles) counts as a write to every chain.
    const version =
      1 +
      Math.max(
        nodes.catalogueRevision,
        own.revision,
        ...chain.map((n) => nodes.nodeRevisions.get(n.id) ?? 0),
      );
    return { resolved, own: ownRecords, version, etag: etagOf(settings), settings };
  }

  /** The node and every node above it, city first. */
  async #chain(node: NodeRecord): Promise<NodeRecord[]> {
    const tree = await this.#d.hierarchy.tree();
    return node.ancestry.map((id) => tree.get(id)).filter((n): n is NodeRecord => n !== undefined);
  }

  /** Every node's settings, at `revision` or newer; one load shared by concurrent callers. */
  async #nodeCache(revision: number): Promise<NodeCache> {
    const cached = this.#nodes;
    if (cached) {
      const c = await cached.catch(() => undefined);
      if (c && c.revision >= revision) return c;
      if (this.#nodes !== cached) return this.#nodeCache(revision);
    }
    const loading = this.#loadNodes();
    this.#nodes = loading;
    loading.catch(() => {
      if (this.#nodes === loading) this.#nodes = undefined;
    });
    return loading;
  }

  async #loadNodes(): Promise<NodeCache> {
    const snap = await this.#d.repo.config.nodeSnapshot();
    const records = new Map<string, Map<string, ConfigSettingRecord>>();
    const values = new Map<string, Map<string, unknown>>();
    for (const s of snap.settings) {
      let r = records.get(s.scope.id);
      let v = values.get(s.scope.id);
      if (!r || !v) {
        r = new Map();
        v = new Map();
        records.set(s.scope.id, r);
        values.set(s.scope.id, v);
      }
      r.set(s.key, s);
      v.set(s.key, s.value);
    }
    return {
      revision: snap.revision,
      catalogueRevision: snap.catalogueRevision,
      records,
      values,
      nodeRevisions: snap.nodeRevisions,
    };
  }
}

/** The target's etag: SHA-256 (hex) of the RFC 8785 form of its settings. */
export function etagOf(settings: TargetState['settings']): string {
  return createHash('sha256').update(canonicalBytes(settings)).digest('hex');
}

function info(key: SettingKey) {
  const s = SETTINGS[key];
  return { key, label: { ...s.label }, roles: [...s.roles], apply: s.apply, schema: s.schema };
}

function setHere(r: ConfigSettingRecord | undefined): SetHere | null {
  return r ? { value: r.value, setBy: r.setBy, setAt: iso(r.setAt) } : null;
}
