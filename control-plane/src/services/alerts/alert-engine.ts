import { EventEmitter } from 'node:events';
import { newId } from '../../../../protocol/ids.js';
import type { AlertRule } from '../../../../protocol/schemas/alerts-admin.js';
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
import { devicesTargeted } from '../notices/device-targeting.js';
import { type Condition, evaluateHealth, HEALTH_RULES, SEVERITY, SWEEP_RULES } from './alert-rules.js';

export type AlertThresholds = ControlPlaneConfig['alerts'];

/** The unresolved alerts of the sweep's rules, read once per sweep (`rule/subject` → alert). */
type Known = Map<string, AlertRecord>;

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

  /** A validated health message from a device's channel. */
  async onHealth(deviceId: string, msg: DeviceHealth): Promise<void> {
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

  /** A validated emergency acknowledgement: stored; the device's unacknowledged alert clears if it was its last. */
  async onEmergencyAck(deviceId: string, ack: EmergencyAck): Promise<void> {
    await this.#o.repo.health.recordEmergencyAck(deviceId, ack.seq, this.#o.now());
    const device = await this.#o.repo.devices.get(deviceId);
    if (device) await this.#emergencies([device]);
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
  async #emergencies(devices: readonly DeviceRecord[], known?: Known): Promise<void> {
    const { repo } = this.#o;
    const now = this.#o.now();
    const dueBefore = now - this.#o.thresholds.emergencyAckSec * 1000;
    const live = (await repo.health.liveEmergencies(now)).filter((e) => e.issuedAt <= dueBefore);
    const acked = new Set(
      (await repo.health.emergencyAcks(live.map((e) => e.seq))).map((a) => `${a.seq}/${a.deviceId}`),
    );
    const missed = new Map<string, { seq: number; noticeId: string; title: string }[]>();
    for (const e of live) {
      const payload = (e.envelope as { payload?: unknown }).payload;
      if (!isValid(EmergencyAlert, payload)) continue;
      for (const d of await devicesTargeted(repo, payload.targets)) {
        if (acked.has(`${e.seq}/${d.id}`)) continue;
        const list = missed.get(d.id) ?? [];
        list.push({ seq: e.seq, noticeId: e.noticeId, title: payload.title.zh });
        missed.set(d.id, list);
      }
    }
    const ids = new Set(devices.map((d) => d.id));
    // Devices with an unresolved alert that is not in `devices` (revoked since) are cleared too.
    for (const a of await repo.alerts.unresolved(['emergency-unacknowledged'])) {
      if (a.deviceId && !ids.has(a.deviceId) && !missed.has(a.deviceId)) {
        await this.#resolve(a);
      }
    }
    for (const d of devices) {
      const m = missed.get(d.id);
      await this.#lock.run(d.id, () =>
        this.#apply(
          'emergency-unacknowledged',
          d,
          {
            holds: m !== undefined,
            detail: m ? { emergencies: m, ackWithinSec: this.#o.thresholds.emergencyAckSec } : {},
          },
          known,
        ),
      );
    }
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
