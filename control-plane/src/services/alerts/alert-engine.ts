import { EventEmitter } from 'node:events';
import { newId } from '../../../../protocol/ids.js';
import { ALERT_RULES, type AlertRule } from '../../../../protocol/schemas/alerts-admin.js';
import type {
  DeviceHealth,
  DeviceHealthReport,
  EmergencyAck,
} from '../../../../protocol/schemas/device-health.js';
import { EmergencyAlert } from '../../../../protocol/schemas/notice.js';
import { isValid } from '../../../../protocol/validate.js';
import type { ControlPlaneConfig } from '../../config.js';
import type { DeviceNotifier } from '../../hub/device-hub.js';
import type { AlertRecord, AlertState } from '../../storage/health-repository.js';
import type { DeviceRecord } from '../../storage/records.js';
import type { Repository } from '../../storage/repository.js';
import type { Logger } from '../context.js';
import { KeyedLock } from '../keyed-lock.js';
import { devicesTargeted, targetsDevice } from '../notices/device-targeting.js';
import { type Condition, evaluateHealth, HEALTH_RULES, SEVERITY, SWEEP_RULES } from './alert-rules.js';

export type AlertThresholds = ControlPlaneConfig['alerts'];

/** The unresolved alerts of the sweep's rules, read once per sweep (`rule/subject` → alert). */
type Known = Map<string, AlertRecord>;
type Missed = { seq: number; noticeId: string; title: string };

/**
 * `transition`: an alert changed state, emitted once across the cluster (by the instance whose store write
 * made the change): `from` is null when it was just opened. Subscribers (webhooks, metrics) must not throw.
 */
export interface AlertEvents {
  transition: [alert: AlertRecord, from: AlertState | null, to: AlertState];
}

export interface AlertEngineOptions {
  repo: Repository;
  /** Cluster-aware presence (ClusterNotifier): online on any instance. */
  presence: Pick<DeviceNotifier, 'isOnline' | 'lastSeen'>;
  thresholds: AlertThresholds;
  now: () => number;
  log: Logger;
}

/**
 * The alert engine (issue 12): stores device health, opens an alert when a rule's condition holds and
 * resolves it when it clears, on every health report and in a periodic sweep for the rules only time decides
 * (offline, emergency not acknowledged, repeated UNKNOWN payments). Every step is a conditional store write
 * (one unresolved alert per rule and subject by unique index; resolve only from unresolved), so two
 * instances evaluating the same device at once open one alert and emit each transition once.
 */
export class AlertEngine extends EventEmitter<AlertEvents> {
  readonly #o: AlertEngineOptions;
  readonly #lock = new KeyedLock();
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  /** Health reports being processed, and the newest one waiting behind each (see onHealth). */
  readonly #busy = new Map<string, Promise<void>>();
  readonly #waiting = new Map<string, { msg: DeviceHealth; done: Promise<void> }>();

  constructor(o: AlertEngineOptions) {
    super();
    this.#o = o;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.sweep(), this.#o.thresholds.sweepSec * 1000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping;
  }

  /**
   * A validated health message from a device's channel. Per device one report is processed at a time and at
   * most one waits (the newest): a device flooding its channel costs two store writes in flight, not a queue.
   */
  onHealth(deviceId: string, msg: DeviceHealth): Promise<void> {
    const waiting = this.#waiting.get(deviceId);
    if (waiting) {
      waiting.msg = msg;
      return waiting.done;
    }
    if (!this.#busy.has(deviceId)) return this.#runHealth(deviceId, msg);
    let release!: () => void;
    const entry = { msg, done: new Promise<void>((r) => (release = r)) };
    this.#waiting.set(deviceId, entry);
    const next = () => {
      this.#waiting.delete(deviceId);
      this.#runHealth(deviceId, entry.msg)
        .catch((err: unknown) =>
          this.#o.log.error({ err, deviceId }, 'alerts: could not store a health report'),
        )
        .finally(release);
    };
    // The one in flight reports its own failure to its caller.
    this.#busy.get(deviceId)!.then(next, next);
    return entry.done;
  }

  #runHealth(deviceId: string, msg: DeviceHealth): Promise<void> {
    const run = this.#storeAndEvaluate(deviceId, msg).finally(() => {
      if (this.#busy.get(deviceId) === run) this.#busy.delete(deviceId);
    });
    this.#busy.set(deviceId, run);
    return run;
  }

  async #storeAndEvaluate(deviceId: string, msg: DeviceHealth): Promise<void> {
    const { type: _t, ...report } = msg;
    const now = this.#o.now();
    const t = this.#o.thresholds;
    await this.#o.repo.health.record(deviceId, now, report, {
      maxAgeMs: t.historyDays * 86_400_000,
      maxPerDevice: t.historyPerDevice,
    });
    const device = await this.#o.repo.devices.get(deviceId);
    if (device?.status !== 'active') return;
    await this.evaluateReport(device, report);
  }

  /**
   * A validated emergency acknowledgement: stored. Usually no alert is open for the device (it acked in
   * time) and nothing else is read; if one is, it clears once no live emergency it missed remains.
   */
  async onEmergencyAck(deviceId: string, ack: EmergencyAck): Promise<void> {
    const { repo } = this.#o;
    await repo.health.recordEmergencyAck(deviceId, ack.seq, this.#o.now());
    const open = await repo.alerts.current('emergency-unacknowledged', deviceId);
    if (!open) return;
    const device = await repo.devices.get(deviceId);
    const node = device ? await repo.nodes.get(device.nodeId) : undefined;
    if (!device || !node) return;
    const missed = await this.#missedBy([{ device, ancestry: node.ancestry }]);
    await this.#lock.run(device.id, () =>
      this.#apply('emergency-unacknowledged', device, this.#emergencyCondition(missed.get(device.id))),
    );
  }

  async evaluateReport(device: DeviceRecord, report: DeviceHealthReport): Promise<void> {
    const conditions = evaluateHealth(report);
    await this.#lock.run(device.id, async () => {
      for (const rule of HEALTH_RULES) await this.#apply(rule, device, conditions[rule]);
    });
  }

  /** Every time-based rule once; concurrent calls share one pass. Safe on every instance at once. */
  sweep(): Promise<void> {
    this.#sweeping ??= this.#sweep()
      .catch((err: unknown) => this.#o.log.error({ err }, 'alerts: the sweep failed; retried next time'))
      .finally(() => {
        this.#sweeping = undefined;
      });
    return this.#sweeping;
  }

  async #sweep(): Promise<void> {
    const { repo, thresholds: t } = this.#o;
    const now = this.#o.now();
    const devices: DeviceRecord[] = [];
    for (const root of await repo.nodes.listRoots()) {
      devices.push(...(await repo.devices.list({ subtreeOf: root.id, activeOnly: true })));
    }
    // One read of what is open, so a quiet fleet costs no query per device and rule.
    const known: Known = new Map(
      (await repo.alerts.unresolved(SWEEP_RULES)).map((a) => [`${a.rule}/${a.subject}`, a]),
    );
    // A device revoked (or gone) since: its alerts have no one left to clear them.
    const active = new Set(devices.map((d) => d.id));
    for (const a of await repo.alerts.unresolved(ALERT_RULES)) {
      if (a.deviceId && !active.has(a.deviceId)) await this.#resolve(a);
    }
    await this.#offline(devices, now, known);
    await this.#emergencies(devices, known);
    await this.#unknownPayments(devices, now, known);
    await repo.health.purge(now - t.historyDays * 86_400_000);
  }

  async #offline(devices: readonly DeviceRecord[], now: number, known: Known): Promise<void> {
    const limitMs = this.#o.thresholds.offlineMinutes * 60_000;
    for (const d of devices) {
      const online = this.#o.presence.isOnline(d.id);
      const lastSeen = Math.max(this.#o.presence.lastSeen(d.id) ?? 0, d.lastSeenAt ?? 0) || d.enrolledAt;
      const holds = !online && now - lastSeen >= limitMs;
      await this.#lock.run(d.id, () =>
        this.#apply(
          'device-offline',
          d,
          {
            holds,
            detail: { lastSeenAt: new Date(lastSeen).toISOString(), thresholdMinutes: limitMs / 60_000 },
          },
          known,
        ),
      );
    }
  }

  /**
   * A device in a live emergency's scope that has not acknowledged it `emergencyAckSec` after the issue.
   * Clears when it acknowledges or when no live emergency it missed remains.
   */
  async #emergencies(devices: readonly DeviceRecord[], known: Known): Promise<void> {
    const missed = await this.#missedBy();
    for (const d of devices) {
      await this.#lock.run(d.id, () =>
        this.#apply('emergency-unacknowledged', d, this.#emergencyCondition(missed.get(d.id)), known),
      );
    }
  }

  #emergencyCondition(missed: Missed[] | undefined): Condition {
    return {
      holds: missed !== undefined,
      detail: missed ? { emergencies: missed, ackWithinSec: this.#o.thresholds.emergencyAckSec } : {},
    };
  }

  /**
   * Per device, the live emergencies past their acknowledgement bound that target it and it did not ack:
   * of every active device (the sweep), or of the devices given (with their ancestry).
   */
  async #missedBy(
    only?: { device: DeviceRecord; ancestry: readonly string[] }[],
  ): Promise<Map<string, Missed[]>> {
    const { repo } = this.#o;
    const now = this.#o.now();
    const dueBefore = now - this.#o.thresholds.emergencyAckSec * 1000;
    const live = (await repo.health.liveEmergencies(now)).filter((e) => e.issuedAt <= dueBefore);
    const missed = new Map<string, Missed[]>();
    if (live.length === 0) return missed;
    const acked = new Set(
      (await repo.health.emergencyAcks(live.map((e) => e.seq))).map((a) => `${a.seq}/${a.deviceId}`),
    );
    for (const e of live) {
      const payload = (e.envelope as { payload?: unknown }).payload;
      if (!isValid(EmergencyAlert, payload)) continue;
      const targeted = only
        ? only.filter((o) => targetsDevice(payload.targets, o.device, o.ancestry)).map((o) => o.device)
        : await devicesTargeted(repo, payload.targets);
      for (const d of targeted) {
        if (acked.has(`${e.seq}/${d.id}`)) continue;
        const list = missed.get(d.id) ?? [];
        list.push({ seq: e.seq, noticeId: e.noticeId, title: payload.title.zh });
        missed.set(d.id, list);
      }
    }
    return missed;
  }

  async #unknownPayments(devices: readonly DeviceRecord[], now: number, known: Known): Promise<void> {
    const t = this.#o.thresholds;
    const counts = new Map(
      (await this.#o.repo.health.unknownPaymentCounts(now - t.unknownWindowMinutes * 60_000)).map((c) => [
        c.deviceId,
        c.count,
      ]),
    );
    for (const d of devices) {
      if (d.role !== 'kiosk') continue;
      const count = counts.get(d.id) ?? 0;
      await this.#lock.run(d.id, () =>
        this.#apply(
          'payment-unknown-repeated',
          d,
          {
            holds: count >= t.unknownPayments,
            detail: { count, threshold: t.unknownPayments, windowMinutes: t.unknownWindowMinutes },
          },
          known,
        ),
      );
    }
  }

  async #apply(rule: AlertRule, device: DeviceRecord, c: Condition, known?: Known): Promise<void> {
    if (c === undefined) return;
    const { repo } = this.#o;
    if (known) {
      // The sweep's snapshot: act only where it differs (the store still decides a race).
      const cur = known.get(`${rule}/${device.id}`);
      if (c.holds === (cur !== undefined)) return;
      if (cur) {
        await this.#resolve(cur);
        return;
      }
    }
    if (c.holds) {
      if (await repo.alerts.current(rule, device.id)) return;
      const now = this.#o.now();
      const res = await repo.alerts.open({
        id: newId('alr', now),
        rule,
        subject: device.id,
        nodeId: device.nodeId,
        deviceId: device.id,
        severity: SEVERITY[rule],
        state: 'open',
        detail: c.detail,
        openedAt: now,
        ackedAt: null,
        ackedBy: null,
        resolvedAt: null,
        resolvedBy: null,
      });
      if (res.opened) this.#emit(res.alert, null);
      return;
    }
    const current = await repo.alerts.current(rule, device.id);
    if (current) await this.#resolve(current);
  }

  async #resolve(alert: AlertRecord): Promise<void> {
    const done = await this.#o.repo.alerts.resolve(alert.id, 'auto', this.#o.now());
    if (done) this.#emit(done, alert.state);
  }

  /** Emits a transition; a throwing subscriber is logged, never the caller's problem. */
  emitTransition(alert: AlertRecord, from: AlertState | null): void {
    this.#emit(alert, from);
  }

  #emit(alert: AlertRecord, from: AlertState | null): void {
    try {
      this.emit('transition', alert, from, alert.state);
    } catch (err) {
      this.#o.log.error({ err, alertId: alert.id }, 'alerts: a transition subscriber threw');
    }
    this.#o.log.info(
      { alertId: alert.id, rule: alert.rule, subject: alert.subject, from, to: alert.state },
      'alert',
    );
  }
}
