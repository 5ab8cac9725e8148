import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { PaymentState, TerminalResult } from '../../../../protocol/schemas/payment.js';
import type { PaymentPatch, PaymentRecord } from '../../storage/records.js';
import type { DevicePrincipal } from '../context.js';
import type { PaymentDeps } from './payment-deps.js';
import { signReceipt } from './payment-signing.js';
import { IN_FLIGHT } from './payment-state-machine.js';

export interface PipelineDeps extends PaymentDeps {
  transition(
    p: PaymentRecord,
    to: PaymentState,
    actor: string,
    patch?: PaymentPatch,
    detail?: Record<string, unknown>,
  ): Promise<PaymentRecord>;
}

const SYSTEM = 'system';

/**
 * The terminal's answer for a presented payment. Approved: authorized → posted (biller) → captured
 * (acquirer) → receipted, each persisted before the next step, and every external call idempotent by
 * payment id. Declined or aborted: canceled. Asked again (a re-sent request after a dropped response, or a
 * retry after a transient failure), it resumes where the payment stands or returns its current state, so a
 * bill is paid once however often the kiosk asks.
 */
export async function authorizePayment(
  d: PipelineDeps,
  payment: PaymentRecord,
  terminal: TerminalResult,
  actor: string,
  principal: DevicePrincipal,
): Promise<PaymentRecord> {
  if (terminal.reference !== payment.id) {
    throw new LinliError(
      ErrorCode.BAD_REQUEST,
      `terminal reference ${terminal.reference} is not this payment (${payment.id}); the terminal must be given the payment id`,
      { field: 'body/terminal/reference' },
    );
  }
  if (terminal.amountFen !== payment.amountFen) {
    throw new LinliError(
      ErrorCode.AMOUNT_MISMATCH,
      `the terminal reports ${terminal.amountFen} fen for a payment of ${payment.amountFen}; do not capture, reverse at the terminal`,
      { field: 'body/terminal/amountFen', expected: payment.amountFen },
    );
  }
  const approved = terminal.outcome === 'approved';
  switch (payment.state) {
    case 'created':
      throw new LinliError(
        ErrorCode.PAYMENT_STATE,
        `payment ${payment.id} was never presented; POST .../present before asking the terminal`,
        { paymentId: payment.id, state: payment.state },
      );
    case 'presented':
      if (!approved) {
        return d.transition(payment, 'canceled', actor, undefined, { outcome: terminal.outcome });
      }
      return runPipeline(d, await d.transition(payment, 'authorized', actor, authPatch(terminal)), principal);
    case 'authorized':
    case 'posted':
    case 'captured':
      if (!approved) throw conflicting(payment, terminal);
      return runPipeline(d, payment, principal);
    case 'receipted':
    case 'closed':
    case 'voided':
      if (!approved) throw conflicting(payment, terminal);
      return payment;
    case 'canceled':
      if (approved) throw conflicting(payment, terminal);
      return payment;
    default:
      throw conflicting(payment, terminal);
  }
}

function authPatch(t: TerminalResult): PaymentPatch {
  const captureToken = t.cardToken ?? t.terminalTxnId;
  if (!captureToken) {
    throw new LinliError(
      ErrorCode.BAD_REQUEST,
      'an approved terminal result needs cardToken (or terminalTxnId) so the acquirer can capture it',
      { field: 'body/terminal/cardToken' },
    );
  }
  return {
    authCode: t.authCode ?? null,
    maskedCard: t.maskedCard ?? null,
    cardToken: captureToken,
    terminalTxnId: t.terminalTxnId ?? null,
  };
}

function conflicting(p: PaymentRecord, t: TerminalResult): LinliError {
  return new LinliError(
    ErrorCode.PAYMENT_STATE,
    `payment ${p.id} is ${p.state}, which contradicts a terminal outcome "${t.outcome}"; resolve it with the terminal's status query`,
    { paymentId: p.id, state: p.state, outcome: t.outcome },
  );
}

async function runPipeline(
  d: PipelineDeps,
  start: PaymentRecord,
  principal: DevicePrincipal,
): Promise<PaymentRecord> {
  let p = start;
  if (!IN_FLIGHT.includes(p.state)) return p;
  const bill = await d.repo.bills.get(p.billId);
  if (!bill) throw new Error(`internal: payment ${p.id} points at missing bill ${p.billId}`);

  if (p.state === 'authorized') {
    // Transient biller failures throw and leave the payment authorized; the next request resumes here.
    const posting = await d.billers.postPayment(
      p.id,
      { billerId: bill.billerId, account: bill.account, billRef: bill.billerBillRef },
      p.amountFen,
    );
    if (posting.status === 'rejected') {
      await d.gateway.void(p.id);
      d.log.warn(
        { paymentId: p.id, reason: posting.reason },
        'biller refused the payment; authorization voided',
      );
      return d.transition(p, 'voided', SYSTEM, undefined, {
        reason: posting.reason,
        message: posting.message,
      });
    }
    p = await d.transition(p, 'posted', SYSTEM, { postingId: posting.postingId });
  }
  if (p.state === 'posted') {
    if (!p.cardToken) throw new Error(`internal: posted payment ${p.id} has no capture token`);
    const capture = await d.gateway.capture(p.id, p.cardToken, p.amountFen);
    p = await d.transition(p, 'captured', SYSTEM, { captureId: capture.captureId });
  }
  if (p.state === 'captured') {
    const receiptId = newId('rcpt', d.now());
    const envelope = signReceipt(
      {
        receiptId,
        payment: p,
        bill: bill.envelope.payload,
        communityName: principal.node.name,
        paidAt: d.now(),
        publicUrl: d.publicUrl(),
      },
      d.keys.transaction,
    );
    const next = await d.repo.payments.transition({
      paymentId: p.id,
      from: 'captured',
      to: 'receipted',
      patch: { receiptId },
      at: d.now(),
      actor: SYSTEM,
      receipt: { id: receiptId, paymentId: p.id, envelope, createdAt: d.now() },
    });
    if (!next)
      throw new LinliError(ErrorCode.PAYMENT_STATE, `payment ${p.id} changed meanwhile; fetch it and retry`);
    p = next;
  }
  return p;
}
