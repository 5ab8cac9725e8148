import type { Low } from 'lowdb';
import type { Keyring } from '../../../protocol/envelope.js';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import type { DeviceSettings } from '../../../protocol/schemas/device-settings.js';
import {
  isSettingKey,
  type SettingKey,
  type SettingsPatch,
} from '../../../protocol/schemas/device-settings.js';
import { type ConfigReport, TargetState } from '../../../protocol/schemas/fleet.js';
import { isValid } from '../../../protocol/validate.js';
import type { DeviceApiClient } from '../api-client.js';
import type { Logger } from '../logger.js';
import type { LiveSettings } from '../settings/live-settings.js';
import type { BusySignal } from './busy-signal.js';
import { buildReport, executeSteps } from './config-executor.js';
import { ConfigOutbox } from './config-outbox.js';
import { type ConfigState, openConfigState } from './config-state.js';
import { claimedHeader, isUnknownKey, type SignedTarget, verifyTarget } from './config-target.js';
import { type PlanFailure, planConfig, type WaitingStep } from './plan-config.js';

export interface ConfigSyncOptions {
  api: Pick<DeviceApiClient, 'getDeviceConfig' | 'reportDeviceConfig'>;
  deviceId: string;
  role: DeviceRole;
  keyring: () => Keyring;
  /** Fetches and accepts a new keyset (a target signed by a fleet key this device does not know yet). */
  refreshKeys: () => Promise<void>;
  settings: LiveSettings;
  /** What holds `between-sessions` settings back (the kiosk role's); none → never busy. */
  busy?: () => BusySignal | undefined;
  /** state-layout `fleetConfig`. */
  file: string;
  log: Logger;
  /** Fallback poll (the channel's `sync` topic `config` announces changes). */
  pollMs: () => number;
  /**
   * The device's own values (device.json over the defaults): a setting the target leaves out (set nowhere on
   * the control plane, or cleared there) goes back to it. Absent: an omitted setting keeps its value.
   */
  baseline?: DeviceSettings;
  reportRetryBaseMs?: number;
  now?: () => number;
}

/** What the last pass ended in, for /healthz and tests. */
export interface ConfigStatus {
  version: number | null;
  etag: string | null;
  outcome: ConfigReport['outcome'] | null;
  pending: { key: SettingKey; waitingFor: string }[];
  failed: PlanFailure[];
  lastError: { code: string; message: string } | null;
  reportPending: boolean;
}

/**
 * The device side of desired-state configuration: fetch the signed target (ETag, 304), verify it, let the
 * pure planner (plan-config.ts) compute steps from what is applied, run them (config-executor.ts), persist
 * what is in effect, report (config-outbox.ts). Steps that wait for a payment, booking or print run when the
 * busy signal clears, and a new report goes up. Passes never overlap; a request during one runs once after.
 */
export class ConfigSync {
  readonly #o: ConfigSyncOptions;
  #state: Low<ConfigState> | undefined;
  #outbox: ConfigOutbox | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #want = { fetch: false, reconcile: false };
  #started = false;
  /** ETag of the last answer, accepted or refused: asked with If-None-Match, so a refused one is not refetched. */
  #seenEtag: string | undefined;
  #waiting: WaitingStep[] = [];
  #execFailed = false;
  #status: ConfigStatus = {
    version: null,
    etag: null,
    outcome: null,
    pending: [],
    failed: [],
    lastError: null,
    reportPending: false,
  };
  readonly #onClear = () => void this.#kick('reconcile');

  constructor(opts: ConfigSyncOptions) {
    this.#o = opts;
  }

  get status(): ConfigStatus {
    return { ...this.#status, reportPending: this.#outbox?.pending !== undefined };
  }

  /**
   * Opens the state file and puts the values remote configuration had applied back into effect (through the
   * appliers), before the role starts: a restart shows the remote values from its first frame.
   */
  async restore(): Promise<void> {
    if (this.#state) return;
    const state = await openConfigState(this.#o.file, this.#o.log);
    this.#state = state;
    this.#outbox = new ConfigOutbox({
      state,
      send: (r) => this.#o.api.reportDeviceConfig(r),
      log: this.#o.log,
      ...(this.#o.reportRetryBaseMs ? { retryBaseMs: this.#o.reportRetryBaseMs } : {}),
    });
    for (const [key, value] of Object.entries(state.data.applied)) {
      if (!isSettingKey(key)) continue;
      try {
        await this.#o.settings.apply(key, value as never);
      } catch (err) {
        this.#o.log.warn(
          { key, code: (err as { code?: string }).code },
          `config: could not restore ${key} (${(err as Error).message}); the local value stays`,
        );
      }
    }
    const a = state.data.accepted;
    if (a) this.#status = { ...this.#status, version: a.version, etag: a.etag };
  }

  /** Reconciles against what was accepted (waiting steps from before a restart), then fetches and polls. */
  async start(): Promise<void> {
    if (this.#started) return;
    await this.restore();
    this.#started = true;
    this.#o.busy?.()?.on('clear', this.#onClear);
    void this.#kick('reconcile');
    void this.#kick('fetch');
    this.#schedule();
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    clearTimeout(this.#timer);
    this.#o.busy?.()?.off('clear', this.#onClear);
    this.#outbox?.close();
    await this.#running;
  }

  /** Fetches now (start, the channel's `sync` topic `config`, the poll). Never throws. */
  sync(): Promise<void> {
    return this.#kick('fetch');
  }

  /** Sends a report still waiting (the channel came back). */
  flushReport(): Promise<void> {
    return this.#outbox?.flush() ?? Promise.resolve();
  }

  #schedule(): void {
    if (!this.#started) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.sync().finally(() => this.#schedule()), this.#o.pollMs());
    this.#timer.unref();
  }

  /**
   * Passes never overlap. A fetch or reconcile asked for during a pass runs once after it (asks merge), so
   * a busy signal clearing during a fetch still runs the waiting steps.
   */
  #kick(kind: 'fetch' | 'reconcile'): Promise<void> {
    this.#want[kind] = true;
    this.#running ??= (async () => {
      while ((this.#want.fetch || this.#want.reconcile) && this.#started) {
        const want = this.#want;
        this.#want = { fetch: false, reconcile: false };
        try {
          if (want.fetch) await this.#fetchAndApply();
          if (want.reconcile) await this.#reconcile();
        } catch (err) {
          this.#fail(err, 'config: pass failed');
        }
      }
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #fetchAndApply(): Promise<void> {
    if (!this.#state || !this.#started) return;
    let answer: Awaited<ReturnType<ConfigSyncOptions['api']['getDeviceConfig']>>;
    try {
      answer = await this.#o.api.getDeviceConfig(this.#seenEtag ?? this.#state.data.accepted?.etag);
    } catch (err) {
      // A control plane without remote configuration (an older version: no such route) is not an error.
      if (isLinliError(err) && (err.code === ErrorCode.NOT_FOUND || err.details?.status === 404)) return;
      this.#fail(err, 'config: could not fetch the target state');
      await this.#outbox?.flush();
      return;
    }
    if (!answer) {
      // Unchanged: settings that waited (or failed) are tried again if nothing holds them any more.
      if (this.#waiting.length > 0 || this.#execFailed) this.#want.reconcile = true;
      await this.#outbox?.flush();
      return;
    }
    let target: SignedTarget;
    try {
      target = await this.#verify(answer.envelope);
    } catch (err) {
      this.#seenEtag = answer.etag;
      await this.#refuse(answer.envelope, [failureOf(err)]);
      return;
    }
    this.#seenEtag = answer.etag;
    const plan = planConfig(this.#o.settings.applied(), target.settings, this.#context());
    if (plan.kind === 'refused') {
      await this.#refuse(answer.envelope, plan.failures);
      return;
    }
    // The planner checked each value; the whole payload must match the contract too (belt and braces).
    if (!isValid(TargetState, (answer.envelope as { payload?: unknown }).payload)) {
      await this.#refuse(answer.envelope, [
        { key: 'target', code: ErrorCode.PAYLOAD_SCHEMA, message: 'target state does not match TargetState' },
      ]);
      return;
    }
    const db = this.#state;
    db.data.accepted = {
      version: target.version,
      etag: target.etag,
      issuedAt: target.issuedAt,
      settings: target.settings as SettingsPatch,
    };
    await db.write();
    this.#o.log.info({ version: target.version, etag: target.etag }, 'config: accepted a target state');
    await this.#reconcile(true);
  }

  /** Verifies; an unknown key id is one keyset refresh away from known (a rotated fleet key). */
  async #verify(envelope: unknown): Promise<SignedTarget> {
    const floor = this.#state?.data.accepted;
    try {
      return verifyTarget(envelope, this.#o.keyring(), this.#o.deviceId, floor);
    } catch (err) {
      if (!isUnknownKey(err)) throw err;
      await this.#o.refreshKeys();
      return verifyTarget(envelope, this.#o.keyring(), this.#o.deviceId, floor);
    }
  }

  /**
   * Plans the accepted target against what is applied now, runs what may run, persists and reports. A pass
   * that found nothing to do reports only for a freshly accepted target (a restart does not re-report).
   */
  async #reconcile(fresh = false): Promise<void> {
    const db = this.#state;
    const accepted = db?.data.accepted;
    if (!db || !accepted) return;
    const plan = planConfig(this.#o.settings.applied(), accepted.settings, this.#context());
    if (plan.kind === 'refused') return; // cannot happen: it was checked when accepted
    if (!fresh && plan.now.length === 0 && plan.waiting.length === this.#waiting.length) return;
    const exec = await executeSteps(this.#o.settings, plan.now);
    const applied = { ...db.data.applied } as Record<string, unknown>;
    for (const k of exec.applied)
      applied[k] = structuredClone((accepted.settings as Record<string, unknown>)[k]);
    db.data.applied = applied as SettingsPatch;
    await db.write();
    this.#waiting = plan.waiting;
    this.#execFailed = exec.failed.length > 0;
    for (const f of exec.failed) this.#o.log.warn({ key: f.key, code: f.code }, `config: ${f.message}`);
    if (plan.waiting.length > 0) {
      this.#o.log.info(
        { waiting: plan.waiting.map((w) => `${w.key}:${w.waitingFor}`) },
        'config: some settings wait until the resident is done',
      );
    }
    const report = buildReport({
      role: this.#o.role,
      targetVersion: accepted.version,
      etag: accepted.etag,
      target: accepted.settings,
      waiting: plan.waiting,
      failed: exec.failed,
      current: this.#o.settings.applied(),
      at: new Date(this.#now()),
    });
    this.#status = {
      ...this.#status,
      version: accepted.version,
      etag: accepted.etag,
      outcome: report.outcome,
      pending: report.pending,
      failed: exec.failed,
      lastError: null,
    };
    await this.#outbox?.put(report);
  }

  async #refuse(envelope: unknown, failures: PlanFailure[]): Promise<void> {
    const claimed = claimedHeader(envelope);
    const first = failures[0]!;
    this.#o.log.error(
      { code: first.code, key: first.key, version: claimed.version },
      `config: refused the target state whole (${first.message}); the current configuration stays`,
    );
    const report = buildReport({
      role: this.#o.role,
      targetVersion: claimed.version,
      etag: claimed.etag,
      waiting: [],
      failed: failures,
      refused: true,
      current: this.#o.settings.applied(),
      at: new Date(this.#now()),
    });
    this.#status = { ...this.#status, outcome: 'refused', failed: failures, lastError: null };
    await this.#outbox?.put(report);
  }

  #context() {
    const b = this.#o.busy?.()?.state() ?? { paymentOpen: false, bookingOpen: false, printing: false };
    return { role: this.#o.role, ...b, ...(this.#o.baseline ? { baseline: this.#o.baseline } : {}) };
  }

  #fail(err: unknown, what: string): void {
    const e = isLinliError(err) ? err : new LinliError(ErrorCode.INTERNAL, (err as Error).message);
    this.#status = { ...this.#status, lastError: { code: e.code, message: e.message } };
    this.#o.log.warn({ code: e.code }, `${what} (${e.message})`);
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }
}

function failureOf(err: unknown): PlanFailure {
  const e = isLinliError(err) ? err : new LinliError(ErrorCode.INTERNAL, (err as Error).message);
  return { key: 'target', code: e.code, message: e.message };
}
