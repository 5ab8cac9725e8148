import { EventEmitter } from 'node:events';
import type { WaitReason } from './plan-config.js';

export interface BusyState {
  paymentOpen: boolean;
  bookingOpen: boolean;
  printing: boolean;
}

interface Hold {
  timer: NodeJS.Timeout;
}

const FIELD: Record<WaitReason, keyof BusyState> = {
  payment: 'paymentOpen',
  booking: 'bookingOpen',
  print: 'printing',
};

/**
 * "A resident is in the middle of something at this kiosk": a payment, an appointment booking, a print.
 * Remote settings that would change the screen under a finger wait while it is busy (fleet/config-sync.ts).
 * Each reason is either a probe (`source`: the payment flow, the printer's state), re-read on `poke()` by
 * whoever sees it change, or a hold with a time limit (`hold`/`release`: a booking, which only the page's
 * requests show). Emits `change` on every transition and `clear` when nothing is busy any more.
 */
export class BusySignal extends EventEmitter<{ change: [BusyState]; clear: [] }> {
  readonly #probes = new Map<WaitReason, () => boolean>();
  readonly #holds = new Map<WaitReason, Hold>();
  #last: BusyState = { paymentOpen: false, bookingOpen: false, printing: false };

  /** `probe` answers whether `reason` is busy now; call `poke()` whenever its answer may have changed. */
  source(reason: WaitReason, probe: () => boolean): void {
    this.#probes.set(reason, probe);
    this.poke();
  }

  /** Busy for `reason` until `release` or, at the latest, `forMs` from now (a resident who walked away). */
  hold(reason: WaitReason, forMs: number): void {
    const had = this.#holds.get(reason);
    if (had) clearTimeout(had.timer);
    const timer = setTimeout(() => this.release(reason), forMs);
    timer.unref();
    this.#holds.set(reason, { timer });
    this.poke();
  }

  release(reason: WaitReason): void {
    const had = this.#holds.get(reason);
    if (!had) return;
    clearTimeout(had.timer);
    this.#holds.delete(reason);
    this.poke();
  }

  state(): BusyState {
    const s: BusyState = { paymentOpen: false, bookingOpen: false, printing: false };
    for (const reason of Object.keys(FIELD) as WaitReason[]) {
      let busy = this.#holds.has(reason);
      try {
        busy ||= this.#probes.get(reason)?.() ?? false;
      } catch {
        // A probe that fails says nothing: count it as busy, the safe side for a resident.
        busy = true;
      }
      s[FIELD[reason]] = busy;
    }
    return s;
  }

  get busy(): boolean {
    const s = this.state();
    return s.paymentOpen || s.bookingOpen || s.printing;
  }

  /** Re-reads every reason; emits on a transition. */
  poke(): void {
    const next = this.state();
    const prev = this.#last;
    if (
      next.paymentOpen === prev.paymentOpen &&
      next.bookingOpen === prev.bookingOpen &&
      next.printing === prev.printing
    ) {
      return;
    }
    this.#last = next;
    this.emit('change', next);
    if (!next.paymentOpen && !next.bookingOpen && !next.printing) this.emit('clear');
  }

  close(): void {
    for (const h of this.#holds.values()) clearTimeout(h.timer);
    this.#holds.clear();
    this.#probes.clear();
    this.removeAllListeners();
  }
}
