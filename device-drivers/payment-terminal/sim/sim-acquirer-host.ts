import { createHmac } from 'node:crypto';

/**
 * The simulated terminal's acquirer host. A real terminal goes online to its acquirer, which authorizes and
 * keeps the authorization under its own reference (AcquirerTransactionID); the control plane later looks it
 * up there. The simulated acquirer lives in the control plane (its SimulatedGateway), in another process, so
 * this host hands its record out sealed: the reference carries the record, MACed with the acquirer's key.
 * The format is the control plane's `sim/gateway/sim-acquirer-seal.ts` (the contract test checks they
 * agree). The default key is public, like every simulator: it stands for the secret a real acquirer shares
 * with its certified terminals, which the kiosk host never holds.
 */
export const SIMULATED_ACQUIRER_DEMO_KEY = 'linli-simulated-acquirer-demo-key/v1';

const PREFIX = 'sima1.';

/** What the host records for an approval, in nexo names. */
export interface SimAuthorizationRecord {
  readonly SaleTransactionID: string;
  readonly AuthorizedAmount: number;
  readonly Currency: string;
  readonly SaleToAcquirerData?: string;
  readonly ApprovalCode?: string;
  readonly POITransactionID?: string;
  readonly TimeStamp: string;
}

export function issueAuthorization(
  record: SimAuthorizationRecord,
  key: string = SIMULATED_ACQUIRER_DEMO_KEY,
): string {
  const body = PREFIX + Buffer.from(JSON.stringify(record)).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}
