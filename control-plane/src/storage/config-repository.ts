/**
 * Remote device settings (issue 12, desired-state configuration): what is set on a hierarchy node or on one
 * device, the one config revision that every write raises, and what each device reports it did.
 */

/** Where a setting is set: a hierarchy node (inherited by everything below it) or one device. */
export interface ConfigScope {
  kind: 'node' | 'device';
  id: string;
}

/** One setting set on one scope. `value` is the parsed JSON value (validated by the service before a write). */
export interface ConfigSettingRecord {
  scope: ConfigScope;
  key: string;
  value: unknown;
  /** The admin who set it. */
  setBy: string;
  setAt: number;
  /** The config revision of the write that set it. */
  revision: number;
}

export interface ConfigPatchInput {
  scope: ConfigScope;
  /** key → value to set (values are JSON; each replaces what the scope had). */
  set: Readonly<Record<string, unknown>>;
  /** Keys to clear on this scope (inherit again); clearing a key that is not set changes nothing. */
  clear: readonly string[];
  by: string;
  at: number;
}

export interface ConfigPatchResult {
  /** False when every value was already so and nothing to clear was set: nothing written, no new revision. */
  changed: boolean;
  /** The revision after the write (the current one when nothing changed). */
  revision: number;
}

/** A scope's settings and the revision of its last change (0: never written). */
export interface ConfigScopeState {
  settings: ConfigSettingRecord[];
  revision: number;
}

/** Every node's settings at one revision (the service caches this; nodes carry few settings). */
export interface ConfigNodeSnapshot {
  /** The global revision read BEFORE the rows, so the snapshot is at least this new. */
  revision: number;
  settings: ConfigSettingRecord[];
  /** node id → revision of its last change, for every node ever written (also after its keys were cleared). */
  nodeRevisions: Map<string, number>;
  /** The revision at which the settings catalogue (defaults, roles) last changed: part of every version. */
  catalogueRevision: number;
}

export interface ConfigReportRecord {
  deviceId: string;
  /** The validated ConfigReport body, as the device sent it. */
  report: {
    targetVersion: number;
    etag: string;
    outcome: 'applied' | 'waiting' | 'partial' | 'refused';
    [k: string]: unknown;
  };
  receivedAt: number;
}

export interface ConfigRepository {
  /**
   * Sets and clears keys on one scope in ONE transaction that takes the next revision. Writes are
   * serialised on the revision (a row lock on PostgreSQL), so revisions commit in the order they are
   * numbered: a reader that sees revision N sees every write up to N. The scope's own revision becomes N too,
   * also when the write only cleared keys (so a device's target version grows after a clear).
   */
  applyPatch(input: ConfigPatchInput): Promise<ConfigPatchResult>;
  /** The current config revision (0 before any write): one primary-key read, asked on every resolve. */
  revision(): Promise<number>;
  getScope(scope: ConfigScope): Promise<ConfigScopeState>;
  nodeSnapshot(): Promise<ConfigNodeSnapshot>;
  /**
   * Records the hash of the settings catalogue this release serves. A different hash than the stored one
   * (a release changed a default or a role) takes a new revision as the catalogue revision, so every
   * device's target version grows with its new settings; the same hash changes nothing.
   */
  ensureCatalogue(hash: string): Promise<void>;
  /** Stores a device's report and keeps only its newest `keep` reports. */
  saveReport(record: ConfigReportRecord, keep: number): Promise<void>;
  /** The device's reports, newest first. */
  listReports(deviceId: string, limit: number): Promise<ConfigReportRecord[]>;
}
