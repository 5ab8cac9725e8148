import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { PaymentRecord } from '../../storage/records.js';
import { type PipelineDeps, SYSTEM_ACTOR } from './payment-deps.js';
import { railOf } from './payment-rails.js';
import { signReceipt } from './payment-signing.js';
import { IN_FLIGHT } from './payment-state-machine.js';

/**
 * From authorized to receipted: post to the biller (idempotent by payment id) → posted, capture (idempotent)
 * → captured, sign the receipt → receipted. Each state is persisted before the next external call. A
 * transient failure throws and leaves the payment where it stands; whoever asks next (the kiosk re-sending,
 * the recovery sweep) resumes from there. A definitive refusal by the biller voids the authorization: the
 * decision is persisted first, then the money released, and the release is retried by recovery.
 */
export async function runPipeline(d: PipelineDeps, start: PaymentRecord): Promise<PaymentRecord> {
  let p = start;
  if (!IN_FLIGHT.includes(p.state)) return p;
  const bill = await d.repo.bills.get(p.billId);
  if (!bill) throw new Error(`internal: payment ${p.id} points at missing bill ${p.billId}`);
  const rail = railOf(d, p);

  if (p.state === 'authorized') {
    const posting = await d.billers.postPayment(
      p.id,
      { billerId: bill.billerId, account: bill.account, billRef: bill.billerBillRef },
      p.amountFen,
    );
    if (posting.status === 'rejected') {
      const voided = await d.transition(
        p,
        'voided',
        SYSTEM_ACTOR,
        { reason: `biller refused: ${posting.message}`.slice(0, 200) },
        { reason: posting.reason, message: posting.message },
      );
      d.log.warn(
        { paymentId: p.id, reason: posting.reason },
        'biller refused the payment; authorization voided',
      );
      await releaseAuthorization(d, voided);
      return voided;
    }
    p = await d.transition(p, 'posted', SYSTEM_ACTOR, { postingId: posting.postingId });
  }
  if (p.state === 'posted') {
    const capture = await rail.capture(p);
    p = await d.transition(p, 'captured', SYSTEM_ACTOR, { captureId: capture.captureId });
  }
  if (p.state === 'captured') {
    const community = await d.repo.nodes.get(bill.communityId);
    const receiptId = newId('rcpt', d.now());
    const envelope = signReceipt(
      {
        receiptId,
        payment: p,
        bill: bill.envelope.payload,
        communityName: community?.name ?? '邻里',
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
      actor: SYSTEM_ACTOR,
      receipt: { id: receiptId, paymentId: p.id, envelope, createdAt: d.now() },
    });
    if (!next)
      throw new LinliError(ErrorCode.PAYMENT_STATE, `payment ${p.id} changed meanwhile; fetch it and retry`);
    p = next;
  }
  return p;
}

/** Best effort now; the recovery sweep repeats it (void is idempotent) until the rail confirms. */
export async function releaseAuthorization(d: PipelineDeps, p: PaymentRecord): Promise<boolean> {
  try {
    await railOf(d, p).void(p);
    return true;
  } catch (err) {
    d.log.warn(
      { paymentId: p.id, err: (err as Error).message },
      'void not confirmed yet; recovery retries it',
    );
    return false;
  }
}
