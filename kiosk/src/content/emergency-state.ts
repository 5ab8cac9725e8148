import { EventEmitter } from 'node:events';
import type { Low } from 'lowdb';
import { type Keyring, verifyEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import { type ContentManifest, EmergencyAlert } from '../../../protocol/schemas/notice.js';
import type { Logger } from '../logger.js';
import type { ContentState } from './content-state.js';

export interface ActiveEmergency {
  alert: EmergencyAlert;
  /** Monotonic deadline (performance.now() ms): the TTL runs from receipt on this device's own clock. */
  untilMono: number;
}

export interface EmergencyDevice {
  deviceId: string;
  role: DeviceRole;
  tags: readonly string[];
  /** Node ids from the city down to the device's community. */
  ancestry: readonly string[];
}

export interface EmergencyStateOptions {
  state: Low<ContentState>;
  keyring: () => Keyring;
  device: EmergencyDevice;
  log: Logger;
  mono?: () => number;
  wall?: () => number;
}

/**
 * Emergencies on this device. An alert from the push is verified (emergency key from the keyset the pinned
 * root certifies), must name this device's nodes, role and tags, and must carry a sequence number above every
 * one seen before (replay). It shows for its TTL counted from receipt here, never against a server clock;
 * when the TTL lapses without a renewal it is dropped (dead-man switch). The TUF manifest brings the same
 * state: a live emergency the push missed, or the end of one.
 */
export class EmergencyState extends EventEmitter<{ change: [] }> {
  readonly #o: EmergencyStateOptions;
  readonly #active = new Map<string, ActiveEmergency>();
  /** Alerts shown in this process (noticeId → version), so a showing can be reported after it ended. */
  readonly #recent = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #mono: () => number;
  readonly #wall: () => number;

  constructor(opts: EmergencyStateOptions) {
    super();
    this.#o = opts;
    this.#mono = opts.mono ?? (() => performance.now());
    this.#wall = opts.wall ?? Date.now;
  }

  /**
   * After a restart the monotonic clock starts over: an alert is restored only for the rest of its TTL as
   * measured by this device's own wall clock since it arrived, and dropped if that clock went backwards.
   */
  async start(): Promise<void> {
    const now = this.#wall();
    for (const e of this.#o.state.data.emergencies) {
      const elapsed = now - e.receivedAtMs;
      const left = e.alert.ttlSec * 1000 - elapsed;
      if (elapsed >= 0 && left > 0) this.#activate(e.alert, left);
    }
    // Only when some stored alert ended while the device was off: a durable write (fsync) is start-up time.
    if (this.#active.size !== this.#o.state.data.emergencies.length) await this.#persist();
  }

  stop(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  active(): ActiveEmergency[] {
    return [...this.#active.values()].sort((a, b) => b.alert.seq - a.alert.seq);
  }

  /** Milliseconds left for an active alert on this device's monotonic clock. */
  remainingMs(e: ActiveEmergency): number {
    return Math.max(0, e.untilMono - this.#mono());
  }

  /** Verifies and applies a pushed envelope; throws a coded error (and changes nothing) if it is refused. */
  async accept(envelope: unknown): Promise<EmergencyAlert> {
    const alert = verifyEnvelope<EmergencyAlert>(envelope, this.#o.keyring(), {
      type: 'linli.emergency/v1',
      schema: EmergencyAlert,
    });
    const { device } = this.#o;
    const t = alert.targets;
    const forMe =
      t.nodeIds.some((id) => device.ancestry.includes(id)) &&
      (!t.roles || t.roles.includes(device.role)) &&
      (!t.tags || t.tags.some((tag) => device.tags.includes(tag)));
    if (!forMe) {
      throw new LinliError(
        ErrorCode.EMERGENCY_NOT_FOR_DEVICE,
        `emergency ${alert.seq} does not name this device; ignored`,
      );
    }
    if (alert.seq <= this.#o.state.data.emergencySeq) {
      throw new LinliError(
        ErrorCode.EMERGENCY_REPLAY,
        `emergency seq ${alert.seq} is not above ${this.#o.state.data.emergencySeq}, the last one seen; replay refused`,
        { seq: alert.seq },
      );
    }
    await this.#o.state.update((s) => {
      s.emergencySeq = alert.seq;
    });
    if (alert.action === 'cancel') this.#remove(alert.noticeId);
    else this.#activate(alert, alert.ttlSec * 1000);
    await this.#persist();
    this.#o.log.info(
      { seq: alert.seq, action: alert.action, noticeId: alert.noticeId },
      'emergency: accepted',
    );
    this.emit('change');
    return alert;
  }

  /**
   * Brings the push path in line with the verified manifest: a live emergency we missed starts now; one the
   * manifest no longer carries ends, but only if the manifest is at least as new as that emergency.
   */
  async ingestManifest(m: ContentManifest): Promise<void> {
    let changed = false;
    const live = new Set<string>();
    let seen = this.#o.state.data.emergencySeq;
    for (const n of m.notices) {
      if (!n.emergency) continue;
      live.add(n.id);
      if (n.emergency.seq <= this.#o.state.data.emergencySeq) continue;
      seen = Math.max(seen, n.emergency.seq);
      this.#activate(
        {
          type: 'linli.emergency/v1',
          seq: n.emergency.seq,
          action: 'show',
          noticeId: n.id,
          noticeVersion: n.version,
          targets: { nodeIds: [this.#o.device.ancestry.at(-1)!] },
          ttlSec: n.emergency.ttlSec,
          title: n.title,
          body: n.body,
          category: n.category,
          issuedAt: new Date(this.#wall()).toISOString(),
        },
        n.emergency.ttlSec * 1000,
      );
      changed = true;
    }
    for (const [id, e] of this.#active) {
      if (!live.has(id) && m.emergencySeq >= e.alert.seq) {
        this.#remove(id);
        changed = true;
      }
    }
    if (seen !== this.#o.state.data.emergencySeq) {
      await this.#o.state.update((s) => {
        s.emergencySeq = seen;
      });
    }
    if (changed) {
      await this.#persist();
      this.emit('change');
    }
  }

  /** The version of an alert this device showed (now or earlier in this run), if any. */
  shownVersion(noticeId: string): number | undefined {
    return this.#recent.get(noticeId);
  }

  #activate(alert: EmergencyAlert, ms: number): void {
    this.#remove(alert.noticeId);
    this.#recent.delete(alert.noticeId);
    this.#recent.set(alert.noticeId, alert.noticeVersion);
    if (this.#recent.size > 500) this.#recent.delete(this.#recent.keys().next().value as string);
    this.#active.set(alert.noticeId, { alert, untilMono: this.#mono() + ms });
    const timer = setTimeout(() => {
      if (this.#active.get(alert.noticeId)?.alert.seq !== alert.seq) return;
      this.#remove(alert.noticeId);
      this.#o.log.info(
        { seq: alert.seq, noticeId: alert.noticeId },
        'emergency: TTL lapsed without renewal; normal playback returns',
      );
      void this.#persist().then(() => this.emit('change'));
    }, ms);
    timer.unref();
    this.#timers.set(alert.noticeId, timer);
  }

  #remove(noticeId: string): void {
    clearTimeout(this.#timers.get(noticeId));
    this.#timers.delete(noticeId);
    this.#active.delete(noticeId);
  }

  async #persist(): Promise<void> {
    const now = this.#wall();
    const mono = this.#mono();
    await this.#o.state.update((s) => {
      // Stored as "received at" on the wall clock, derived from the time left, so a restart can resume it.
      s.emergencies = this.active().map((e) => ({
        alert: e.alert,
        receivedAtMs: Math.round(now - (e.alert.ttlSec * 1000 - (e.untilMono - mono))),
      }));
    });
  }
}
