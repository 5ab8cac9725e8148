import { signCanonical } from '../../../../protocol/envelope.js';
import type { SigningKey } from '../../../../protocol/keys.js';
import type { PaymentRecord } from '../../storage/records.js';

/** 22 base64url characters = 132 bits, like the receipt tag. */
const TAG_LENGTH = 22;

/**
 * The terminal request the control plane issues for a card payment (nexo `SaleToAcquirerData`): a tag over
 * payment id, amount and currency that only the transaction key can make. The kiosk learns it from the
 * signed `presented` payment and hands it to the terminal, which sends it to the acquirer with the
 * authorization; an approval the acquirer confirms with this tag was asked for by this control plane, for
 * this payment, after `presented` was stored. Derived rather than stored: the same input gives the same tag
 * (Ed25519 is deterministic), so a restart or a retry issues the same request.
 */
export function saleToAcquirerData(p: Pick<PaymentRecord, 'id' | 'amountFen'>, key: SigningKey): string {
  const input = {
    type: 'linli.terminal-request/v1',
    saleTransactionId: p.id,
    requestedAmountFen: p.amountFen,
    currency: 'CNY',
  };
  return signCanonical(input, key.privateKey).slice(0, TAG_LENGTH);
}

/** Whether the kiosk may already hand the request to a terminal: card payments from `presented` on. */
export function issuesTerminalRequest(p: Pick<PaymentRecord, 'method' | 'state'>): boolean {
  return p.method === 'terminal' && p.state !== 'created';
}
