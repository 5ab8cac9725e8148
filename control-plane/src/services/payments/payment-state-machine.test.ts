import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { PaymentState } from '../../../../protocol/schemas/payment.js';
import { assertTransition, canTransition, isFinal } from './payment-state-machine.js';

describe('payment state machine', () => {
  it('allows the happy path and the exits', () => {
    const path: PaymentState[] = [
      'created',
      'presented',
      'authorized',
      'posted',
      'captured',
      'receipted',
      'closed',
      'refund_pending',
      'refunded',
      'refund_pending',
      'refunded',
    ];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    for (const [from, to] of [
      ['created', 'canceled'],
      ['presented', 'canceled'],
      ['presented', 'unknown'],
      ['unknown', 'authorized'],
      ['unknown', 'canceled'],
      ['authorized', 'voided'],
      ['receipted', 'refund_pending'],
    ] as [PaymentState, PaymentState][]) {
      expect(canTransition(from, to), `${from}→${to}`).toBe(true);
    }
  });

  it('refuses skipping steps and leaving final states', () => {
    for (const [from, to] of [
      ['created', 'authorized'],
      ['created', 'unknown'],
      ['presented', 'posted'],
      ['unknown', 'posted'],
      ['unknown', 'voided'],
      ['authorized', 'canceled'],
      ['posted', 'voided'],
      ['captured', 'closed'],
      ['captured', 'refund_pending'],
      ['closed', 'created'],
      ['canceled', 'presented'],
      ['voided', 'authorized'],
      ['refund_pending', 'closed'],
    ] as [PaymentState, PaymentState][]) {
      expect(canTransition(from, to), `${from}→${to}`).toBe(false);
      expect(() => assertTransition('pay_x', from, to)).toThrow(
        expect.objectContaining({ code: ErrorCode.PAYMENT_STATE }),
      );
    }
    expect(['closed', 'canceled', 'voided', 'refunded'].every((s) => isFinal(s as PaymentState))).toBe(true);
    expect(['receipted', 'unknown', 'refund_pending'].some((s) => isFinal(s as PaymentState))).toBe(false);
  });
});
