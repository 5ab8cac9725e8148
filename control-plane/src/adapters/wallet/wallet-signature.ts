import { type KeyObject, sign, verify } from 'node:crypto';

/**
 * How notifications are signed, after the public native-QR APIs: headers carry a timestamp (seconds), a
 * nonce, the key serial and a signature over "timestamp\nnonce\nbody\n" (Ed25519 here, RSA-SHA256 there).
 */
export const WALLET_HEADERS = {
  timestamp: 'x-wallet-timestamp',
  nonce: 'x-wallet-nonce',
  serial: 'x-wallet-serial',
  signature: 'x-wallet-signature',
} as const;

/** Notifications older (or newer) than this are refused as replays, whatever their signature. */
export const NOTIFY_MAX_SKEW_SEC = 300;

export function signingString(timestamp: string, nonce: string, body: string): Buffer {
  return Buffer.from(`${timestamp}\n${nonce}\n${body}\n`, 'utf8');
}

export function signNotification(key: KeyObject, timestamp: string, nonce: string, body: string): string {
  return sign(null, signingString(timestamp, nonce, body), key).toString('base64');
}

export function checkNotificationSignature(
  key: KeyObject,
  timestamp: string,
  nonce: string,
  body: string,
  signature: string,
): boolean {
  try {
    return verify(null, signingString(timestamp, nonce, body), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
