import { EventEmitter } from 'node:events';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { PaymentMethod } from '../../../protocol/schemas/payment.js';
import type { PeripheralEvents, Peripherals } from '../peripherals.js';
import type { LiveSettings } from '../settings/live-settings.js';

/** What the pay screen may offer now; sent to the page in the session and as a `methods` event. */
export interface PayMethodsView {
  /** The methods a resident can use now: the remote setting `payment.methods` ∩ what is plugged in. */
  offered: PaymentMethod[];
  /** The remote setting as it stands (the admin's choice). */
  configured: PaymentMethod[];
  /** A payment terminal is connected. */
  terminal: boolean;
  /** A receipt printer is connected; without one every receipt is an e-receipt QR code. */
  printer: boolean;
}

/** Which peripheral a method needs on this kiosk (the QR wallet needs only the screen and the network). */
const NEEDS: Record<PaymentMethod, keyof Peripherals | undefined> = { terminal: 'terminal', qr: undefined };

/**
 * The kiosk's payment capabilities, live: the admin's offered methods (remote configuration) intersected
 * with the peripherals present. Emits `change` with the new view whenever a setting or a peripheral changes
 * it. The device enforces it too: a payment with a method not offered now is refused with a coded error,
 * whatever the page sent.
 */
export class PayMethods extends EventEmitter<{ change: [PayMethodsView] }> {
  readonly #settings: LiveSettings;
  readonly #devices: Peripherals;
  #last: string;
  readonly #off: (() => void)[] = [];

  constructor(settings: LiveSettings, devices: Peripherals, events: PeripheralEvents | undefined) {
    super();
    this.#settings = settings;
    this.#devices = devices;
    this.#last = JSON.stringify(this.view());
    const onSettings = (keys: string[]) => {
      if (keys.includes('payment.methods')) this.#check();
    };
    const onPeripheral = (name: string) => {
      if (name === 'terminal' || name === 'printer') this.#check();
    };
    settings.on('change', onSettings);
    events?.on('change', onPeripheral);
    this.#off.push(
      () => settings.off('change', onSettings),
      () => events?.off('change', onPeripheral),
    );
  }

  view(): PayMethodsView {
    const configured = [...this.#settings.get('payment.methods')];
    const present = (m: PaymentMethod) => {
      const need = NEEDS[m];
      return need === undefined || this.#devices[need] !== undefined;
    };
    return {
      offered: configured.filter(present),
      configured,
      terminal: this.#devices.terminal !== undefined,
      printer: this.#devices.printer !== undefined,
    };
  }

  /** The method to use for a payment request; refuses one that is not offered now (or none at all). */
  choose(method: PaymentMethod | undefined): PaymentMethod {
    const v = this.view();
    const chosen = method ?? v.offered[0];
    if (chosen && v.offered.includes(chosen)) return chosen;
    if (v.offered.length === 0) {
      throw new LinliError(
        ErrorCode.PAYMENT_METHOD_UNAVAILABLE,
        '本机暂不能缴费，请到社区服务中心办理。Payments are not available on this kiosk right now; please pay at the community service centre.',
        { offered: v.offered, configured: v.configured },
      );
    }
    throw new LinliError(
      ErrorCode.PAYMENT_METHOD_UNAVAILABLE,
      chosen === 'terminal' && !v.terminal
        ? '刷卡机暂不可用，请扫码支付。The card terminal is not available; pay by QR code instead.'
        : `本机不提供此支付方式。This kiosk does not offer ${chosen} payments now; use ${v.offered.join(' or ')}.`,
      { method: chosen, offered: v.offered },
    );
  }

  close(): void {
    for (const f of this.#off.splice(0)) f();
  }

  #check(): void {
    const v = this.view();
    const s = JSON.stringify(v);
    if (s === this.#last) return;
    this.#last = s;
    this.emit('change', v);
  }
}
