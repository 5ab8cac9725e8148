import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { sleep } from '../http/retry.js';
import type { FlowContext, Mode } from './flow-context.js';
import type { JournalEntry } from './payment-journal.js';
import { cancelAtServer } from './terminal-steps.js';

const WAITING = new Set(['presented', 'unknown']);

/**
 * A QR code is on the screen: poll the control plane (which asks the wallet) until the payment moves, the
 * resident cancels, or the code expires; then close the order. Closing is not a guess: if the payer was
 * faster, the control plane answers with the receipt instead. After a restart nobody is looking at the code,
 * so the order is closed at once (and a payment that did arrive is completed, not lost).
 */
export async function awaitQr(ctx: FlowContext, e: JournalEntry, mode: Mode): Promise<void> {
  const { api, log } = ctx.o;
  if (mode === 'live' && !ctx.cancelRequested(e.key)) {
    const payment = ctx.verify(e, e.payment);
    const expires = payment.qr ? Date.parse(payment.qr.expiresAt) : Number.POSITIVE_INFINITY;
    const deadline = Math.min(Date.now() + (ctx.o.qrTimeoutMs ?? 120_000), expires);
    const canceled = ctx.whenCanceled(e.key).then(() => true);
    for (;;) {
      const stop = await Promise.race([sleep(ctx.o.statusPollMs ?? 1_000).then(() => false), canceled]);
      if (stop || Date.now() >= deadline) break;
      try {
        const after = await ctx.apply(ctx.entry(e.key), await api.getPayment(e.paymentId!));
        if (!WAITING.has(after.step)) return;
      } catch (err) {
        log.warn({ key: e.key, err: (err as Error).message }, 'payment: QR poll failed; polling on');
      }
    }
  }
  await cancelAtServer(ctx, ctx.entry(e.key));
  settledOrThrow(ctx, e.key);
}

/** A QR payment the control plane could not settle with the wallet yet: ask again, never guess. */
export async function resolveQrUnknown(ctx: FlowContext, e: JournalEntry): Promise<void> {
  await ctx.apply(e, await ctx.o.api.getPayment(e.paymentId!));
  settledOrThrow(ctx, e.key);
}

function settledOrThrow(ctx: FlowContext, key: string): void {
  const step = ctx.entry(key).step;
  if (WAITING.has(step)) {
    throw new LinliError(
      ErrorCode.PAYMENT_UNRESOLVED,
      '正在向支付平台确认付款结果，请勿重复缴费。The kiosk is confirming this QR payment with the wallet; do not pay again.',
      { key },
    );
  }
}
