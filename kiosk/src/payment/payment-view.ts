import { formatFen } from '../../../protocol/money.js';
import type { I18nText } from '../../../protocol/schemas/common.js';
import { isOpen, type JournalEntry } from './payment-journal.js';

/**
 * What the kiosk page (and system tests) see of a payment:
 * - `paid`: the signed receipt is in hand (printed or not);
 * - `declined`: the terminal said no; nothing was charged;
 * - `canceled`: stopped before any charge;
 * - `failed`: the control plane refused to start it (e.g. the bill is already paid);
 * - `in_progress`: steps are running;
 * - `unresolved`: parked on an error; the kiosk resolves it automatically. Do not pay again.
 */
export type PaymentStatus = 'paid' | 'declined' | 'canceled' | 'failed' | 'in_progress' | 'unresolved';

export interface PaymentView {
  key: string;
  status: PaymentStatus;
  step: JournalEntry['step'];
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
  receipt?: {
    id: string;
    verifyUrl: string;
    paidAt: string;
    printed: boolean;
    /** Where the page can show the printed receipt (simulated printer), when there is one. */
    previewUrl?: string;
    printError?: { code: string; message: string };
  };
  error?: { code: string; message: string };
  history: JournalEntry['history'];
  updatedAt: string;
}

const RECEIPT_STEPS = new Set(['receipted', 'printing', 'printed', 'print_failed', 'closed']);

export function paymentView(
  e: JournalEntry,
  previewUrl?: (jobId: string) => string | undefined,
): PaymentView {
  const bill = e.bill.payload;
  const payment = e.payment?.payload;
  const receipt = e.receipt?.payload;
  let status: PaymentStatus;
  if (receipt && RECEIPT_STEPS.has(e.step)) status = 'paid';
  else if (e.step === 'declined') status = 'declined';
  else if (e.step === 'canceled') status = 'canceled';
  else if (e.step === 'rejected') status = 'failed';
  else status = isOpen(e) && e.error ? 'unresolved' : 'in_progress';

  const printed = e.print?.outcome !== undefined;
  const preview = e.print?.outcome ? previewUrl?.(e.print.jobId) : undefined;
  return {
    key: e.key,
    status,
    step: e.step,
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
    ...(receipt
      ? {
          receipt: {
            id: receipt.id,
            verifyUrl: receipt.verifyUrl,
            paidAt: receipt.paidAt,
            printed,
            ...(preview ? { previewUrl: preview } : {}),
            ...(e.print?.error ? { printError: e.print.error } : {}),
          },
        }
      : {}),
    ...(e.error && status !== 'paid' ? { error: e.error } : {}),
    history: e.history,
    updatedAt: e.updatedAt,
  };
}
