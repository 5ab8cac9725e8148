import { API } from '../../../../protocol/api.js';
import { ErrorCode, isLinliError, LinliError } from '../../../../protocol/errors.js';
import type { WalletOrder } from '../../adapters/wallet/wallet-provider.js';
import type { PaymentRecord } from '../../storage/records.js';
import { type PipelineDeps, SYSTEM_ACTOR } from './payment-deps.js';
import { runPipeline } from './payment-pipeline.js';
import { AWAITING_PAYER } from './payment-state-machine.js';

/**
 * QR payments. `present` creates the wallet order (idempotent: out_trade_no is the payment id) and records
 * its code URL with `presented`. After that only the wallet decides: a notification or a poll triggers an
 * order query, and the order's state moves the payment (SUCCESS → authorized → pipeline; CLOSED/REVOKED →
 * canceled). The notification's own content is never trusted beyond "look at this order".
 */
export async function presentQr(d: PipelineDeps, p: PaymentRecord, actor: string): Promise<PaymentRecord> {
  const bill = await d.repo.bills.get(p.billId);
  const community = bill ? await d.repo.nodes.get(bill.communityId) : undefined;
  const name = bill?.envelope.payload.billerName.zh ?? p.billerId;
  let order: WalletOrder;
  try {
    order = await d.wallet.createOrder({
      outTradeNo: p.id,
      amountFen: p.amountFen,
      description: `${community?.name ?? '邻里'} ${name} ${bill?.period ?? ''}`.trim(),
      notifyUrl: `${d.publicUrl()}${API.walletNotify}`,
      expiresAt: d.now() + d.qrTtlMs,
    });
  } catch (err) {
    if (isLinliError(err)) throw err;
    throw new LinliError(
      ErrorCode.WALLET_ERROR,
      `the wallet did not create the order: ${(err as Error).message}`,
    );
  }
  return d.transition(p, 'presented', actor, {
    walletOrderId: order.orderId,
    qrCodeUrl: order.codeUrl,
    qrExpiresAt: order.expiresAt,
  });
}

/**
 * Brings a QR payment in line with the wallet's order (the "order query"). Safe to call any number of
 * times from any path (notification, kiosk poll, cancel, recovery): the compare-and-set transitions and the
 * idempotent pipeline make repeats harmless.
 */
export async function resyncQr(d: PipelineDeps, p: PaymentRecord): Promise<PaymentRecord> {
  if (p.method !== 'qr') return p;
  if (!AWAITING_PAYER.includes(p.state)) return runPipeline(d, p);
  const order = await d.wallet.queryOrder(p.id);
  if (!order) {
    // The order was never created (the create call failed before the wallet saw it): nothing can be paid.
    if (p.state === 'unknown')
      return d.transition(p, 'canceled', SYSTEM_ACTOR, { reason: 'wallet: no order' });
    return p;
  }
  return applyOrder(d, p, order);
}

async function applyOrder(
  d: PipelineDeps,
  p: PaymentRecord,
  order: WalletOrder,
  afterClose = false,
): Promise<PaymentRecord> {
  switch (order.state) {
    case 'SUCCESS':
    case 'REFUND': {
      if (order.amountFen !== p.amountFen) {
        throw new LinliError(
          ErrorCode.AMOUNT_MISMATCH,
          `the wallet reports ${order.amountFen} fen for payment ${p.id} of ${p.amountFen}; staff must reconcile`,
          { paymentId: p.id },
        );
      }
      const authorized = await d.transition(
        p,
        'authorized',
        SYSTEM_ACTOR,
        { cardToken: `wallet:${order.transactionId}`, terminalTxnId: order.transactionId },
        { wallet: order.state, resolvedFrom: p.state },
      );
      return runPipeline(d, authorized);
    }
    case 'CLOSED':
    case 'REVOKED':
      return d.transition(p, 'canceled', SYSTEM_ACTOR, {
        reason: `wallet: order ${order.state.toLowerCase()}`,
      });
    default:
      // NOTPAY: still waiting for the payer. Past its expiry the wallet refuses payment; close it to be sure.
      // `unknown` means a close was asked for and not confirmed: ask again rather than wait for the expiry.
      if (!afterClose && (p.state === 'unknown' || order.expiresAt <= d.now()))
        return cancelQr(d, p, SYSTEM_ACTOR);
      return p;
  }
}

/**
 * The resident gave up, or the QR expired: close the order. If the payer was faster, the order is SUCCESS
 * and the payment completes instead. If the wallet cannot be reached, the payment becomes `unknown` until an
 * order query settles it; it is never marked canceled on a guess.
 */
export async function cancelQr(d: PipelineDeps, p: PaymentRecord, actor: string): Promise<PaymentRecord> {
  if (p.state === 'created') {
    // Nobody saw a code URL yet (the kiosk shows it only once `presented` is recorded); an order a crashed
    // `present` may have opened is closed as a courtesy, and its expiry closes it anyway.
    await d.wallet.closeOrder(p.id).catch(() => undefined);
    return d.transition(p, 'canceled', actor, { reason: 'canceled before the QR was shown' });
  }
  if (!AWAITING_PAYER.includes(p.state)) return p;
  let order: WalletOrder;
  try {
    order = await d.wallet.closeOrder(p.id);
  } catch (err) {
    d.log.warn({ paymentId: p.id, err: (err as Error).message }, 'wallet close failed; payment is unknown');
    return p.state === 'unknown'
      ? p
      : d.transition(
          p,
          'unknown',
          actor,
          { reason: 'wallet did not confirm the close' },
          { error: (err as Error).message },
        );
  }
  return applyOrder(d, p, order, true);
}
