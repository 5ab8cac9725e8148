import { describe, expect, it } from 'vitest';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { PaymentState } from '../../../../protocol/schemas/payment.js';
import { assertTransition, canTransition, isFinal } from './payment-state-machine.js';

/** Every state of the wire enum, so a state added there is checked here (and must get a row below). */
const STATES: readonly PaymentState[] = PaymentState.anyOf.map((s) => s.const);

/**
 * The expected lifecycle, written out from docs/architecture.md ("How a payment flows") and independent of the
 * implementation's own table: any edge not listed here must be refused.
 */
const ALLOWED: Readonly<Record<PaymentState, readonly PaymentState[]>> = {
  created: ['presented', 'canceled'], // asked the terminal / shown the QR; or given up before anything could charge
  presented: ['authorized', 'canceled', 'unknown'], // approved; declined or aborted; no answer in time
  unknown: ['authorized', 'canceled'], // only the status / order query leaves unknown
  authorized: ['posted', 'voided'], // posted to the biller; biller refused, authorization voided
  posted: ['captured'],
  captured: ['receipted'],
  receipted: ['closed', 'refund_pending'],
  closed: ['refund_pending'],
  refund_pending: ['refunded'],
  refunded: ['refund_pending'], // a further partial refund
  canceled: [],
  voided: [],
};
const FINAL: readonly PaymentState[] = ['closed', 'canceled', 'voided', 'refunded'];

describe('payment state machine', () => {
  it('knows every state of the enum, and the expected table has a row for each', () => {
    expect(STATES.length).toBe(12);
    expect([...STATES].sort()).toEqual(Object.keys(ALLOWED).sort());
    for (const targets of Object.values(ALLOWED)) for (const t of targets) expect(STATES).toContain(t);
  });

  it('allows exactly the expected edges: every from × to', () => {
    const wrong: string[] = [];
    for (const from of STATES) {
      for (const to of STATES) {
        const expected = ALLOWED[from].includes(to);
        if (canTransition(from, to) !== expected)
          wrong.push(`${from}→${to} should be ${expected ? 'allowed' : 'refused'}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  describe.each(STATES)('from %s', (from) => {
    it.each(STATES)(`→ %s is allowed or refused with ${ErrorCode.PAYMENT_STATE}`, (to) => {
      if (ALLOWED[from].includes(to)) {
        expect(() => assertTransition('pay_x', from, to)).not.toThrow();
        return;
      }
      let caught: unknown;
      try {
        assertTransition('pay_x', from, to);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(LinliError);
      const err = caught as LinliError;
      expect(err.code).toBe(ErrorCode.PAYMENT_STATE);
      expect(err.httpStatus).toBe(409);
      expect(err.details).toEqual({ paymentId: 'pay_x', state: from, wanted: to });
      expect(err.message).toContain(`payment pay_x is ${from}; it cannot become ${to}`);
    });
  });

  it('calls exactly closed, canceled, voided and refunded final', () => {
    for (const s of STATES) expect(isFinal(s), s).toBe(FINAL.includes(s));
  });
});
