import type { EmergencyAck } from '../../../protocol/schemas/device-health.js';

interface Shown {
  alert: { seq: number; noticeId: string; action: string };
}

export interface EmergencyAckerOptions {
  /** What the device shows now (ContentUnit.emergencies.active()). */
  active: () => readonly Shown[];
  /** Sends on the channel; false when it is not open. */
  send: (msg: EmergencyAck) => boolean;
  now?: () => number;
}

/**
 * Acknowledges each emergency the device puts on screen, once per seq, so the control plane knows who shows
 * it. Call `check()` when what is shown changes and after every welcome: a seq sent while offline (send
 * false) is sent on the next check.
 */
export class EmergencyAcker {
  readonly #o: EmergencyAckerOptions;
  readonly #acked = new Set<number>();

  constructor(o: EmergencyAckerOptions) {
    this.#o = o;
  }

  /** After a reconnect the control plane (another instance, perhaps) is told again what is shown. */
  welcomed(): void {
    this.#acked.clear();
    this.check();
  }

  check(): void {
    const now = this.#o.now ?? Date.now;
    for (const { alert } of this.#o.active()) {
      if (alert.action !== 'show' || this.#acked.has(alert.seq)) continue;
      const msg: EmergencyAck = {
        type: 'emergency-ack',
        seq: alert.seq,
        noticeId: alert.noticeId,
        at: new Date(now()).toISOString(),
      };
      if (this.#o.send(msg)) this.#acked.add(alert.seq);
    }
  }
}
