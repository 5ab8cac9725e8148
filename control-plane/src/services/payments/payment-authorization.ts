import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { TerminalResult } from '../../../../protocol/schemas/payment.js';
import type { PaymentRecord } from '../../storage/records.js';
import type { PipelineDeps } from './payment-deps.js';
import { runPipeline } from './payment-pipeline.js';
import { confirmedAuthorization } from './terminal-verification.js';

/**
 * The terminal's answer for a presented (or unknown) payment. Approved: the acquirer must confirm the
 * authorization for exactly this payment, amount and terminal request (terminal-verification.ts), else it
 * is refused and nothing moves; then authorized → posted (biller) → captured (acquirer) → receipted, each
 * persisted before the next step, and every external call idempotent by payment id. Declined or aborted:
 * canceled. Asked again (a re-sent request after a dropped response, or a
 * retry after a transient failure), it resumes where the payment stands or returns its current state, so a
 * bill is paid once however often the kiosk asks.
 */
export async function authorizePayment(
  d: PipelineDeps,
  payment: PaymentRecord,
  terminal: TerminalResult,
  actor: string,
): Promise<PaymentRecord> {
  if (payment.method !== 'terminal') {
    throw new LinliError(
      ErrorCode.PAYMENT_METHOD,
      `payment ${payment.id} is a QR payment; the wallet's notification and order query settle it, not a terminal result`,
      { paymentId: payment.id },
    );
  }
  if (terminal.reference !== payment.id) {
    throw new LinliError(
      ErrorCode.BAD_REQUEST,
      `terminal reference ${terminal.reference} is not this payment (${payment.id}); the terminal must be given the payment id`,
      { field: 'body/terminal/reference' },
    );
  }
  const approved = terminal.outcome === 'approved';
  if (approved && terminal.amountFen !== payment.amountFen) {
    throw new LinliError(
      ErrorCode.AMOUNT_MISMATCH,
      `the terminal reports ${terminal.amountFen} fen for a payment of ${payment.amountFen}; do not capture, reverse at the terminal`,
      { field: 'body/terminal/amountFen', expected: payment.amountFen },
    );
  }
  switch (payment.state) {
    case 'created':
      throw new LinliError(
        ErrorCode.PAYMENT_STATE,
        `payment ${payment.id} was never presented; POST .../present before asking the terminal`,
        { paymentId: payment.id, state: payment.state },
      );
    case 'presented':
    case 'unknown':
      if (!approved) {
        return d.transition(
          payment,
          'canceled',
          actor,
          { reason: `terminal: ${terminal.outcome}` },
          { outcome: terminal.outcome, resolvedFrom: payment.state },
        );
      }
      return runPipeline(
        d,
        await d.transition(
          payment,
          'authorized',
          actor,
          await confirmedAuthorization(d, payment, terminal, actor),
          { resolvedFrom: payment.state },
        ),
      );
    case 'authorized':
    case 'posted':
    case 'captured':
      if (!approved) throw conflicting(payment, terminal);
      return runPipeline(d, payment);
    case 'receipted':
    case 'closed':
    case 'voided':
    case 'refund_pending':
    case 'refunded':
      if (!approved) throw conflicting(payment, terminal);
      return payment;
    case 'canceled':
      if (approved) throw conflicting(payment, terminal);
      return payment;
    default:
      throw conflicting(payment, terminal);
  }
}

function conflicting(p: PaymentRecord, t: TerminalResult): LinliError {
  return new LinliError(
    ErrorCode.PAYMENT_STATE,
    `payment ${p.id} is ${p.state}, which contradicts a terminal outcome "${t.outcome}"; resolve it with the terminal's status query`,
    { paymentId: p.id, state: p.state, outcome: t.outcome },
  );
}
