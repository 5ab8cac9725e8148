import { formatFen } from '../../../protocol/money.js';
import type { I18nText } from '../../../protocol/schemas/common.js';
import type { PaymentMethod } from '../../../protocol/schemas/payment.js';
import { isOpen, type JournalEntry } from './payment-journal.js';

/**
 * What the kiosk page sees of a payment (the states the UI must show; docs/kiosk-local-api.md):
 * - `in_progress`: steps are running (creating, authorizing, printing);
 * - `awaiting_card`: the terminal waits for the resident (see `prompt`); `cancelable`;
 * - `awaiting_scan`: a QR code is shown (see `qr`); `cancelable`;
 * - `checking`: nobody knows yet whether money moved (the terminal's or the wallet's answer was lost); the
 *   kiosk keeps asking and takes no new payment. Tell the resident not to pay again;
 * - `paid`: the signed receipt is in hand; `receipt.print` says whether the paper is still `printing`, was
 *   `printed`, or `failed` (then `receipt.printError` says why: show its QR). Until the printer has answered
 *   the page must claim neither outcome;
 * - `declined`: the terminal said no; nothing was charged;
 * - `canceled`: stopped before any charge;
 * - `voided`: the biller refused the payment after the card was authorized; the hold was released;
 * - `failed`: the control plane refused to start it (e.g. the bill is already paid or expired);
 * - `unresolved`: parked on an error (network, control plane down); retried automatically. Do not pay again.
 */
export type PaymentStatus =
  | 'in_progress'
  | 'awaiting_card'
  | 'awaiting_scan'
  | 'checking'
  | 'paid'
  | 'declined'
  | 'canceled'
  | 'voided'
  | 'failed'
  | 'unresolved';

export interface PaymentView {
  key: string;
  status: PaymentStatus;
  /** True once nothing more will happen to this payment on the kiosk. */
  final: boolean;
  /** The resident may press "cancel" now (POST /kiosk/api/payments/:key/cancel). */
  cancelable: boolean;
  step: JournalEntry['step'];
  method: PaymentMethod;
  paymentId?: string;
  /** The control plane's signed state of the payment, when known. */
  state?: string;
  billId: string;
  billerName: I18nText;
  accountMasked: string;
  period: string;
  amountFen: number;
  amountText: string;
  authCode?: string;
  maskedCard?: string;
  /** The terminal's latest prompt while it waits ("请插卡或挥卡 Insert or tap card"). */
  prompt?: string;
  /** QR payments while the code is shown: the code URL (signed by the control plane) and an SVG of it. */
  qr?: { codeUrl: string; expiresAt: string; imageUrl: string };
  receipt?: {
    id: string;
    verifyUrl: string;
    paidAt: string;
    /** True once the printer printed it (false while printing, and when it failed). */
    printed: boolean;
    /** Where the paper is: `printing` until the printer answers, then `printed` or `failed`. */
    print: ReceiptPrintState;
    /** The receipt's verification QR as SVG: show it when the printer could not print. */
    qrImageUrl: string;
    /** Where the page can show the printed receipt (simulated printer), when there is one. */
    previewUrl?: string;
    printError?: { code: string; message: string };
  };
  /** Why it was canceled or voided, from the control plane (e.g. the biller's refusal). */
  reason?: string;
  error?: { code: string; message: string };
  history: JournalEntry['history'];
  updatedAt: string;
}

const RECEIPT_STEPS = new Set(['receipted', 'printing', 'printed', 'print_failed', 'closed']);

export type ReceiptPrintState = 'printing' | 'printed' | 'failed';

/** The receipt is `paid` from `receipted` on, before the printer answers: that gap is `printing`, not "failed". */
function printState(e: JournalEntry): ReceiptPrintState {
  if (e.print?.outcome !== undefined) return 'printed';
  if (e.step === 'receipted' || e.step === 'printing') return 'printing';
  return 'failed';
}

export function paymentView(
  e: JournalEntry,
  opts: { previewUrl?: (jobId: string) => string | undefined; active?: boolean; prompt?: string } = {},
): PaymentView {
  const bill = e.bill.payload;
  const payment = e.payment?.payload;
  const receipt = e.receipt?.payload;
  const method = e.request.method;
  const base = `/kiosk/api/payments/${encodeURIComponent(e.key)}`;
  let status: PaymentStatus;
  if (receipt && RECEIPT_STEPS.has(e.step)) status = 'paid';
  else if (e.step === 'declined') status = 'declined';
  else if (e.step === 'canceled') status = 'canceled';
  else if (e.step === 'voided') status = 'voided';
  else if (e.step === 'rejected') status = 'failed';
  else if (e.step === 'unknown') status = 'checking';
  else if (isOpen(e) && e.error) status = 'unresolved';
  else if (e.step === 'presented') status = method === 'qr' ? 'awaiting_scan' : 'awaiting_card';
  else status = 'in_progress';

  const print = printState(e);
  const preview = e.print?.outcome ? opts.previewUrl?.(e.print.jobId) : undefined;
  const showQr = status === 'awaiting_scan' && payment?.qr;
  return {
    key: e.key,
    status,
    final: !isOpen(e),
    cancelable: opts.active === true && (status === 'awaiting_card' || status === 'awaiting_scan'),
    step: e.step,
    method,
    ...(e.paymentId ? { paymentId: e.paymentId } : {}),
    ...(payment ? { state: payment.state } : {}),
    billId: bill.id,
    billerName: bill.billerName,
    accountMasked: bill.accountMasked,
    period: bill.period,
    amountFen: e.request.amountFen,
    amountText: `￥${formatFen(e.request.amountFen)}`,
    ...(payment?.authCode ? { authCode: payment.authCode } : {}),
    ...(payment?.maskedCard ? { maskedCard: payment.maskedCard } : {}),
    ...(status === 'awaiting_card' && opts.prompt ? { prompt: opts.prompt } : {}),
    ...(showQr && payment?.qr
      ? {
          qr: {
            codeUrl: payment.qr.codeUrl,
            expiresAt: payment.qr.expiresAt,
            imageUrl: `${base}/wallet-qr.svg`,
          },
        }
      : {}),
    ...(receipt
      ? {
          receipt: {
            id: receipt.id,
            verifyUrl: receipt.verifyUrl,
            paidAt: receipt.paidAt,
            printed: print === 'printed',
            print,
            qrImageUrl: `${base}/receipt-qr.svg`,
            ...(preview ? { previewUrl: preview } : {}),
            ...(e.print?.error ? { printError: e.print.error } : {}),
          },
        }
      : {}),
    ...(payment?.reason && (status === 'canceled' || status === 'voided' || status === 'declined')
      ? { reason: payment.reason }
      : {}),
    ...(e.error && status !== 'paid' ? { error: e.error } : {}),
    history: e.history,
    updatedAt: e.updatedAt,
  };
}
