import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AcquirerAuthorization } from '../../adapters/gateway/payment-gateway.js';

/**
 * The simulated acquirer's authorization records. A real acquirer host keeps the authorizations its
 * terminals obtain and answers a look-up by reference; the simulated terminal runs inside the kiosk process,
 * far from this control plane, so the simulated host hands its record out sealed instead: the reference IS
 * the record, MACed with the acquirer's key. Opening it here is the look-up. The terminal side seals with the
 * same format (`device-drivers/payment-terminal/sim/sim-acquirer-host.ts`; the contract test checks both
 * agree). The default key is public, like every simulator: it stands for the secret a real acquirer shares
 * with its certified terminals, which a kiosk host never holds, and it moves no real money.
 */
export const SIMULATED_ACQUIRER_DEMO_KEY = 'linli-simulated-acquirer-demo-key/v1';

const PREFIX = 'sima1.';
const MAX_LENGTH = 512;

/** The fields the simulated host seals, in nexo names. */
export interface SimAuthorizationRecord {
  SaleTransactionID: string;
  AuthorizedAmount: number;
  Currency: string;
  SaleToAcquirerData?: string;
  ApprovalCode?: string;
  POITransactionID?: string;
  TimeStamp: string;
}

const mac = (key: string, body: string) => createHmac('sha256', key).update(body).digest();

/** What the simulated host (or a test playing the terminal) issues for an approval. */
export function sealSimAuthorization(
  record: SimAuthorizationRecord,
  key = SIMULATED_ACQUIRER_DEMO_KEY,
): string {
  const body = PREFIX + Buffer.from(JSON.stringify(record)).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

/** The record behind a reference, or undefined when the simulated acquirer never issued it. */
export function openSimAuthorization(
  reference: string,
  key = SIMULATED_ACQUIRER_DEMO_KEY,
): AcquirerAuthorization | undefined {
  if (typeof reference !== 'string' || reference.length > MAX_LENGTH || !reference.startsWith(PREFIX)) {
    return undefined;
  }
  const dot = reference.lastIndexOf('.');
  const body = reference.slice(0, dot);
  const given = Buffer.from(reference.slice(dot + 1), 'base64url');
  const expected = mac(key, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let r: Partial<Record<keyof SimAuthorizationRecord, unknown>>;
  try {
    r = JSON.parse(Buffer.from(body.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof r !== 'object' || r === null) return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  if (typeof r.SaleTransactionID !== 'string' || !Number.isSafeInteger(r.AuthorizedAmount)) return undefined;
  return {
    acquirerTransactionId: reference,
    saleTransactionId: r.SaleTransactionID,
    amountFen: r.AuthorizedAmount as number,
    currency: str(r.Currency) ?? '',
    saleToAcquirerData: str(r.SaleToAcquirerData),
    approvalCode: str(r.ApprovalCode),
    poiTransactionId: str(r.POITransactionID),
  };
}
