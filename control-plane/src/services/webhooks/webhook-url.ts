import { isIP } from 'node:net';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { WEBHOOK_URL_MAX } from '../../../../protocol/schemas/webhooks.js';

/** Loopback only: 127.0.0.0/8, ::1 and the name localhost (what `allowHttpLoopback` lets through on http). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/**
 * A receiver URL as it will be used: https (a webhook carries alert details and its signature would be
 * worthless to a passive listener's replay protection otherwise), or http to this machine's loopback when
 * the config allows it. No credentials in the URL (they would be in every log line that names it), no
 * fragment. Returns the normalised URL.
 */
export function validateWebhookUrl(raw: string, allowHttpLoopback: boolean): string {
  const bad = (why: string): never => {
    throw new LinliError(ErrorCode.WEBHOOK_URL_INVALID, `the webhook URL ${why}`, { field: 'url' });
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return bad('is not an absolute URL; give one like https://pager.example.org/linli');
  }
  if (url.username || url.password) {
    bad('must not carry a user name or password; the receiver authenticates Linli by its signature');
  }
  if (url.hash) bad('must not have a #fragment');
  if (url.protocol === 'http:') {
    if (!allowHttpLoopback || !isLoopbackHost(url.hostname)) {
      bad(
        allowHttpLoopback
          ? 'must use https:// (http:// is accepted only for 127.0.0.1, ::1 or localhost)'
          : 'must use https://',
      );
    }
  } else if (url.protocol !== 'https:') {
    bad('must use https://');
  }
  const out = url.toString();
  if (out.length > WEBHOOK_URL_MAX) bad(`must be at most ${WEBHOOK_URL_MAX} characters`);
  return out;
}
