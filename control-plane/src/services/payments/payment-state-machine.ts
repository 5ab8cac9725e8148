import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { PaymentState } from '../../../../protocol/schemas/payment.js';

/**
 * The payment lifecycle on the control plane:
 *
 *   created ─present→ presented ─approved→ authorized ─posted→ posted ─captured→ captured ─signed→ receipted ─→ closed
 *      └─cancel→ canceled ←declined/aborted┘        └─biller refused→ voided
 *
 * Every edge is persisted (with an audit row) before the action that follows it. A later issue adds
 * `unknown`, refunds, QR wallets and reconciliation by extending this table, not by adding ifs elsewhere.
 */
const TRANSITIONS: Readonly<Record<PaymentState, readonly PaymentState[]>> = {
  created: ['presented', 'canceled'],
  presented: ['authorized', 'canceled'],
  authorized: ['posted', 'voided'],
  posted: ['captured'],
  captured: ['receipted'],
  receipted: ['closed'],
  closed: [],
  canceled: [],
  voided: [],
  unknown: [],
  refund_pending: [],
  refunded: [],
};

/** States after which the terminal's approval has been acted on: an authorization request only replays. */
export const PAST_AUTHORIZATION: readonly PaymentState[] = [
  'authorized',
  'posted',
  'captured',
  'receipted',
  'closed',
];

/** Where the authorization pipeline resumes after a crash or a transient biller/acquirer failure. */
export const IN_FLIGHT: readonly PaymentState[] = ['authorized', 'posted', 'captured'];

export function canTransition(from: PaymentState, to: PaymentState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isFinal(state: PaymentState): boolean {
  return TRANSITIONS[state].length === 0;
}

export function assertTransition(paymentId: string, from: PaymentState, to: PaymentState): void {
  if (!canTransition(from, to)) {
    throw new LinliError(ErrorCode.PAYMENT_STATE, `payment ${paymentId} is ${from}; it cannot become ${to}`, {
      paymentId,
      state: from,
      wanted: to,
    });
  }
}
