import type { TerminalPaymentResult } from '../../../device-drivers/contracts/payment-terminal.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { PaymentResponse } from '../../../protocol/schemas/device-api.js';
import { TerminalResult } from '../../../protocol/schemas/payment.js';
import { validate } from '../../../protocol/validate.js';
import { sleep } from '../http/retry.js';
import type { FlowContext, Mode } from './flow-context.js';
import type { JournalEntry } from './payment-journal.js';

type StatusAnswer = TerminalPaymentResult | { outcome: 'not_found'; reference: string };

/**
 * Asks the terminal to charge (live) and journals its answer. No answer (timeout, a lost frame, a crash of
 * this process while the terminal worked) is `unknown`, journaled before anything else happens; the status
 * query then decides. The host never sees a card number, only the terminal's outcome and references; the
 * terminal gets the control plane's terminal request (SaleToAcquirerData) to forward to the acquirer.
 */
export async function charge(ctx: FlowContext, e: JournalEntry, mode: Mode): Promise<void> {
  const { terminal, journal, log } = ctx.o;
  const reference = e.paymentId!;
  // The control plane's terminal request: the acquirer must see it, or the approval would be refused after
  // the card was charged. Without it the terminal is not asked at all.
  const saleToAcquirerData = e.payment?.payload.saleToAcquirerData;
  if (mode === 'live' && !saleToAcquirerData) {
    log.error({ key: e.key }, 'payment: the presented payment carries no terminal request; not charging');
    await cancelAtServer(ctx, e);
    return;
  }
  let result: TerminalPaymentResult | undefined;
  if (mode === 'live' && !ctx.cancelRequested(e.key)) {
    const onPrompt = (p: { reference: string; message: string }) => {
      if (p.reference === reference) ctx.prompt(e.key, p.message);
    };
    terminal.on('prompt', onPrompt);
    let settled = false;
    // The resident pressed cancel: ask the terminal to abort; it answers the pending pay() with `aborted`
    // (or, if the card was already approved, the approval stands and is honoured).
    void ctx.whenCanceled(e.key).then(() => {
      if (!settled) void terminal.abort(reference).catch(() => undefined);
    });
    try {
      result = await terminal.pay({
        amountFen: e.request.amountFen,
        currency: 'CNY',
        reference,
        ...(saleToAcquirerData ? { saleToAcquirerData } : {}),
        timeoutMs: ctx.o.terminalTimeoutMs,
      });
    } catch (err) {
      log.warn({ key: e.key, err: (err as Error).message }, 'payment: terminal did not answer');
    } finally {
      settled = true;
      terminal.off('prompt', onPrompt);
    }
  }
  if (!result || result.outcome === 'unknown') {
    await journal.record(e.key, 'unknown');
    try {
      await ctx.o.api.reportUnknown(
        reference,
        mode === 'live' ? 'terminal gave no answer' : 'kiosk restarted',
      );
    } catch (err) {
      log.warn({ key: e.key, err: (err as Error).message }, 'payment: could not report unknown; continuing');
    }
    return;
  }
  await recordResult(ctx, e, result);
}

/**
 * Leaves `unknown` only through the terminal's status query. A payment still running at the terminal is
 * aborted first (harmless if it already finished: the outcome stands). Still unknown: parked, the kiosk
 * takes no new payment, and the resume loop asks again.
 */
export async function resolveUnknown(ctx: FlowContext, e: JournalEntry): Promise<void> {
  const reference = e.paymentId!;
  await ctx.o.terminal.abort(reference).catch(() => undefined);
  const result = await queryTerminal(ctx, reference);
  if (result.outcome === 'unknown') {
    throw new LinliError(
      ErrorCode.PAYMENT_UNRESOLVED,
      '正在确认付款结果，请勿重复缴费。The kiosk is checking with the terminal whether this payment went through; do not pay again.',
      { paymentId: reference },
    );
  }
  await recordResult(ctx, e, result);
}

async function recordResult(ctx: FlowContext, e: JournalEntry, result: StatusAnswer): Promise<void> {
  if (result.outcome === 'not_found') {
    // The terminal never saw this payment: nothing was charged.
    await cancelAtServer(ctx, e);
    return;
  }
  if (result.outcome === 'unknown') return;
  const approved = result.outcome === 'approved';
  if (result.reference !== e.paymentId || (approved && result.amountFen !== e.request.amountFen)) {
    throw new LinliError(
      ErrorCode.AMOUNT_MISMATCH,
      `the terminal reported ${result.amountFen} fen for ${result.reference}, expected ${e.request.amountFen} for ${e.paymentId}; staff must reconcile`,
      { paymentId: e.paymentId },
    );
  }
  const terminal = validate(
    TerminalResult,
    {
      outcome: result.outcome,
      // A decline authorizes nothing; the amount stays the one asked for.
      amountFen: approved ? result.amountFen : e.request.amountFen,
      reference: result.reference,
      ...(result.authCode ? { authCode: result.authCode } : {}),
      ...(result.maskedCard ? { maskedCard: result.maskedCard } : {}),
      ...(result.cardToken ? { cardToken: result.cardToken } : {}),
      ...(result.terminalTxnId ? { terminalTxnId: result.terminalTxnId } : {}),
      // The control plane asks the acquirer about this reference; the kiosk only passes it on.
      ...(result.acquirerTransactionId ? { acquirerTransactionId: result.acquirerTransactionId } : {}),
    },
    'terminal result',
  );
  await ctx.o.journal.record(e.key, 'terminal_result', { terminal });
}

async function queryTerminal(ctx: FlowContext, reference: string): Promise<StatusAnswer> {
  for (let i = 0; i < 3; i++) {
    try {
      const status = await ctx.o.terminal.queryStatus(reference);
      if (status.outcome !== 'unknown') return status;
    } catch (err) {
      ctx.o.log.warn({ reference, err: (err as Error).message }, 'payment: terminal status query failed');
    }
    await sleep((ctx.o.statusRetryDelayMs ?? 500) * (i + 1));
  }
  return { outcome: 'unknown', reference, amountFen: 0 };
}

/** Cancels at the control plane; a refused repeat is settled by reading the signed state. */
export async function cancelAtServer(ctx: FlowContext, e: JournalEntry): Promise<void> {
  let res: PaymentResponse;
  try {
    res = await ctx.o.api.cancelPayment(e.paymentId!);
  } catch (err) {
    if (!(err instanceof LinliError) || err.code !== ErrorCode.PAYMENT_STATE) throw err;
    res = await ctx.o.api.getPayment(e.paymentId!);
  }
  await ctx.apply(e, res);
}
