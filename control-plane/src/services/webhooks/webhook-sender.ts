import { VERSION } from '../../version.js';
import { signatureHeader, WEBHOOK_HEADERS } from './signature.js';

export type AttemptResult =
  | { kind: 'delivered'; status: number }
  /** The receiver said the endpoint is gone for good (410): switch it off. */
  | { kind: 'gone'; status: number }
  | { kind: 'retry'; status: number | null; error: string };

export interface SendInput {
  url: string;
  deliveryId: string;
  secret: string;
  body: string;
  unixSeconds: number;
  timeoutMs: number;
}

/**
 * One POST of one delivery. Redirects are not followed (`redirect: 'manual'`): a receiver that moved must
 * be edited by an admin, and following would let a compromised receiver point Linli's signed requests
 * anywhere. The answer's body is not read beyond its status.
 */
export async function sendWebhook(i: SendInput): Promise<AttemptResult> {
  let res: Response;
  try {
    res = await fetch(i.url, {
      method: 'POST',
      body: i.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(i.timeoutMs),
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': `Linli-Webhooks/${VERSION}`,
        [WEBHOOK_HEADERS.id]: i.deliveryId,
        [WEBHOOK_HEADERS.timestamp]: String(i.unixSeconds),
        [WEBHOOK_HEADERS.signature]: signatureHeader(i.secret, i.unixSeconds, i.body),
      },
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError')
      return { kind: 'retry', status: null, error: `no answer within ${i.timeoutMs} ms` };
    const detail = e.cause?.code ?? e.cause?.message ?? e.message;
    return { kind: 'retry', status: null, error: `could not reach the receiver: ${detail}`.slice(0, 300) };
  }
  await res.body?.cancel().catch(() => {});
  if (res.status >= 200 && res.status < 300) return { kind: 'delivered', status: res.status };
  if (res.status === 410) return { kind: 'gone', status: res.status };
  if (res.status >= 300 && res.status < 400) {
    return {
      kind: 'retry',
      status: res.status,
      error: `HTTP ${res.status}: redirects are not followed; set the endpoint's URL to where it points`,
    };
  }
  return { kind: 'retry', status: res.status, error: `HTTP ${res.status}` };
}
