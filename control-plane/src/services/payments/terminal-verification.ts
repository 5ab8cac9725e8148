import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { TerminalResult } from '../../../../protocol/schemas/payment.js';
import type { AcquirerAuthorization } from '../../adapters/gateway/payment-gateway.js';
import type { PaymentPatch, PaymentRecord } from '../../storage/records.js';
import type { PipelineDeps } from './payment-deps.js';
import { saleToAcquirerData } from './terminal-request.js';

/**
 * An approval reported by a kiosk is the device's word; money moves on the acquirer's. Before a payment
 * becomes `authorized` the acquirer is asked for the authorization the result names, and it must be for
 * exactly this payment id, amount and currency, and carry the terminal request this control plane issued
 * at `presented`. A made-up reference, one from another payment or for another amount, or an approval not
 * obtained for this request is refused (LINLI_ERR_TERMINAL_RESULT_UNVERIFIED), written to the payment's
 * audit trail and logged; the payment stays where it is and nothing is posted or captured. What is stored
 * (approval code, terminal transaction id, the reference capture uses) comes from the acquirer's record.
 * Why the acquirer and not a terminal signature: nexo's message MAC (SecurityTrailer) is keyed with a secret
 * the sale system holds, i.e. the kiosk, so it cannot vouch for a kiosk; the acquirer's record can.
 */
export async function confirmedAuthorization(
  d: PipelineDeps,
  payment: PaymentRecord,
  terminal: TerminalResult,
  actor: string,
): Promise<PaymentPatch> {
  const reference = terminal.acquirerTransactionId;
  if (!reference) {
    return refuse(d, payment, actor, 'the result names no acquirer authorization (acquirerTransactionId)');
  }
  // A lookup the acquirer cannot answer now throws GATEWAY_ERROR: transient, the kiosk re-sends.
  const auth = await d.gateway.lookupAuthorization(reference);
  if (!auth)
    return refuse(d, payment, actor, 'the acquirer has no authorization under this reference', reference);
  const why = mismatch(auth, payment, saleToAcquirerData(payment, d.keys.transaction));
  if (why) return refuse(d, payment, actor, why, reference);
  return {
    authCode: auth.approvalCode,
    maskedCard: terminal.maskedCard ?? null,
    cardToken: auth.acquirerTransactionId,
    terminalTxnId: auth.poiTransactionId ?? terminal.terminalTxnId ?? null,
  };
}

function mismatch(a: AcquirerAuthorization, p: PaymentRecord, request: string): string | undefined {
  if (a.saleTransactionId !== p.id) return 'the authorization is for another payment';
  if (a.currency !== 'CNY') return `the authorization is in ${a.currency || 'no currency'}, not CNY`;
  if (a.amountFen !== p.amountFen) {
    return `the acquirer authorized ${a.amountFen} fen for a payment of ${p.amountFen}`;
  }
  if (a.saleToAcquirerData !== request) {
    return "the authorization was not obtained for this control plane's terminal request";
  }
  return undefined;
}

/** Audits the refusal on the payment (its state unchanged), logs it, and throws the coded error. */
async function refuse(
  d: PipelineDeps,
  payment: PaymentRecord,
  actor: string,
  why: string,
  reference?: string,
): Promise<never> {
  await d.repo.payments.transition({
    paymentId: payment.id,
    from: payment.state,
    to: payment.state,
    at: d.now(),
    actor,
    detail: {
      refused: ErrorCode.TERMINAL_RESULT_UNVERIFIED,
      reason: why,
      ...(reference ? { acquirerTransactionId: reference.slice(0, 80) } : {}),
    },
  });
  d.log.warn(
    { paymentId: payment.id, deviceId: payment.deviceId, reason: why },
    'terminal approval refused: the acquirer does not confirm it for this payment',
  );
  throw new LinliError(
    ErrorCode.TERMINAL_RESULT_UNVERIFIED,
    `the acquirer does not confirm this approval for payment ${payment.id}: ${why}. Nothing was posted or captured; ask the terminal for its status and send its answer unchanged, or have staff check the terminal`,
    { paymentId: payment.id, field: 'body/terminal/acquirerTransactionId' },
  );
}
