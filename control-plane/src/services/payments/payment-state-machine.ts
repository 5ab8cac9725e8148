import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { type PaymentState, TERMINAL_PAYMENT_STATES } from '../../../../protocol/schemas/payment.js';

/**
 * The payment lifecycle on the control plane:
 *
 *   created ─present→ presented ─approved→ authorized ─posted→ posted ─captured→ captured ─signed→ receipted ─→ closed
 *      └─cancel→ canceled ←declined/aborted┘   │            └─biller refused→ voided          │              │
 *                  ↑           lost answer→ unknown ─status query→ authorized | canceled     refund_pending ←┘
 *                  └──────────────────────────────┘                                           ↓      ↑
 *                                                                                           refunded ┘ (partial refunds)
 *
 * `presented` is recorded before the terminal is asked (or the wallet order shown), so a crash there is
 * resolved by a status query, never by charging again. `unknown` means nobody knows whether money moved; only
 * the terminal's status query or the wallet's order query leaves it. Every edge is persisted (with an audit
 * row) before the action that follows it.
 */
const TRANSITIONS: Readonly<Record<PaymentState, readonly PaymentState[]>> = {
  created: ['presented', 'canceled'],
  presented: ['authorized', 'canceled', 'unknown'],
  unknown: ['authorized', 'canceled'],
  authorized: ['posted', 'voided'],
  posted: ['captured'],
  captured: ['receipted'],
  receipted: ['closed', 'refund_pending'],
  closed: ['refund_pending'],
  refund_pending: ['refunded'],
  refunded: ['refund_pending'],
  canceled: [],
  voided: [],
};

/** States after which the terminal's approval has been acted on: an authorization request only replays. */
export const PAST_AUTHORIZATION: readonly PaymentState[] = [
  'authorized',
  'posted',
  'captured',
  'receipted',
  'closed',
  'refund_pending',
  'refunded',
];

/** Where the authorization pipeline resumes after a crash or a transient biller/acquirer failure. */
export const IN_FLIGHT: readonly PaymentState[] = ['authorized', 'posted', 'captured'];

/** Money may have moved or be moving, but nobody has decided yet: recovery keeps asking. */
export const AWAITING_PAYER: readonly PaymentState[] = ['presented', 'unknown'];

export function canTransition(from: PaymentState, to: PaymentState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Over for the kiosk and the resident: closed, canceled, voided or refunded. */
export function isFinal(state: PaymentState): boolean {
  return TERMINAL_PAYMENT_STATES.includes(state);
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
