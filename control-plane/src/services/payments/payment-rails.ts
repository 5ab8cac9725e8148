import type { Capture } from '../../adapters/gateway/payment-gateway.js';
import type { PaymentRecord } from '../../storage/records.js';
import type { PaymentDeps } from './payment-deps.js';

/** Where a payment's money is: the card acquirer (terminal payments) or the wallet provider (QR). */
export interface MoneyRail {
  capture(p: PaymentRecord): Promise<Capture>;
  /** Releases an authorization that was never captured; idempotent. */
  void(p: PaymentRecord): Promise<void>;
  refund(p: PaymentRecord, refundId: string, amountFen: number): Promise<{ reference: string }>;
}

export function railOf(d: Pick<PaymentDeps, 'gateway' | 'wallet'>, p: PaymentRecord): MoneyRail {
  if (p.method === 'qr') {
    return {
      capture: (x) => d.wallet.settle(x.id, x.amountFen),
      void: (x) => d.wallet.reverse(x.id),
      refund: (x, id, amount) => d.wallet.refund(x.id, id, amount),
    };
  }
  return {
    // cardToken holds the acquirer's reference of the authorization it confirmed (terminal-verification.ts).
    capture: (x) => {
      if (!x.cardToken) throw new Error(`internal: posted payment ${x.id} has no acquirer reference`);
      return d.gateway.capture(x.id, x.cardToken, x.amountFen);
    },
    void: (x) => d.gateway.void(x.id),
    refund: (x, id, amount) => d.gateway.refund(x.id, id, amount),
  };
}
