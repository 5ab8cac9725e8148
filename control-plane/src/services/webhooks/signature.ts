import { createHmac } from 'node:crypto';

/** Header names of a delivery (see docs/running-a-city.md "Webhooks" for how a receiver checks them). */
export const WEBHOOK_HEADERS = {
  id: 'Linli-Webhook-Id',
  timestamp: 'Linli-Webhook-Timestamp',
  signature: 'Linli-Signature',
} as const;

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the scheme Stripe made familiar: the time
 * is inside the MAC, so a receiver that refuses old timestamps also refuses replays of a captured request.
 * Each attempt is signed afresh with its own time.
 */
export function signatureHeader(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}
