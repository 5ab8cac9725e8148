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
    ];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    expect(canTransition('created', 'canceled')).toBe(true);
    expect(canTransition('presented', 'canceled')).toBe(true);
    expect(canTransition('authorized', 'voided')).toBe(true);
  });

  it('refuses skipping steps and leaving final states', () => {
    for (const [from, to] of [
      ['created', 'authorized'],
      ['presented', 'posted'],
      ['authorized', 'canceled'],
      ['posted', 'voided'],
      ['captured', 'closed'],
      ['closed', 'created'],
      ['canceled', 'presented'],
      ['voided', 'authorized'],
    ] as [PaymentState, PaymentState][]) {
      expect(canTransition(from, to), `${from}→${to}`).toBe(false);
      expect(() => assertTransition('pay_x', from, to)).toThrow(
        expect.objectContaining({ code: ErrorCode.PAYMENT_STATE }),
      );
    }
    expect(['closed', 'canceled', 'voided'].every((s) => isFinal(s as PaymentState))).toBe(true);
    expect(isFinal('receipted')).toBe(false);
  });
});
