import { DeviceErrorCode } from '../../../device-drivers/contracts/device-error.js';
import type { LedController } from '../../../device-drivers/contracts/led-controller.js';
import type { Peripherals } from '../peripherals.js';

/**
 * Counts the LED controller's answers. The contract reports a refused or unanswered packet only as the
 * rejection of the call that sent it, so the counter watches the calls: every resolved write was ACKed.
 */
export class LedAckCounter {
  lastAckAt: number | null = null;
  naks = 0;
  timeouts = 0;
  readonly #onChange: () => void;
  readonly #now: () => number;

  constructor(onChange: () => void = () => {}, now: () => number = Date.now) {
    this.#onChange = onChange;
    this.#now = now;
  }

  acked(): void {
    this.lastAckAt = this.#now();
  }

  failed(code: unknown): void {
    if (code === DeviceErrorCode.NAK) this.naks++;
    else if (code === DeviceErrorCode.TIMEOUT) this.timeouts++;
    else return;
    this.#onChange();
  }
}

const COUNTED = new Set(['showFrame', 'showText', 'setBrightness']);

function countedLed(led: LedController, acks: LedAckCounter): LedController {
  return new Proxy(led, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (!COUNTED.has(prop as string)) return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        try {
          const r = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          acks.acked();
          return r;
        } catch (err) {
          acks.failed((err as { code?: unknown }).code);
          throw err;
        }
      };
    },
  });
}

/**
 * The role's view of its peripherals with the LED controller's calls counted. Reads go through to the live
 * object the provider keeps current (a replugged controller is wrapped afresh).
 */
export function withLedAcks(devices: Peripherals, acks: LedAckCounter): Peripherals {
  const wrapped = new WeakMap<LedController, LedController>();
  return new Proxy(devices, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'led' || !value) return value;
      const led = value as LedController;
      let w = wrapped.get(led);
      if (!w) {
        w = countedLed(led, acks);
        wrapped.set(led, w);
      }
      return w;
    },
  });
}
