import type { KeyObject } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { isValid } from '../../../../protocol/validate.js';
import type { WalletNotification } from '../../adapters/wallet/wallet-provider.js';
import {
  checkNotificationSignature,
  NOTIFY_MAX_SKEW_SEC,
  WALLET_HEADERS,
} from '../../adapters/wallet/wallet-signature.js';

/** The notification body, shaped like the native-QR APIs' (id, create_time, event_type, resource). */
export const NotificationBody = Type.Object({
  id: Type.String({ minLength: 8, maxLength: 64 }),
  create_time: Type.String({ maxLength: 40 }),
  event_type: Type.String({ maxLength: 64 }),
  resource: Type.Object({
    order_id: Type.String({ maxLength: 64 }),
    out_trade_no: Type.String({ maxLength: 64 }),
    transaction_id: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    trade_state: Type.String({ maxLength: 16 }),
    amount: Type.Object({ total: Type.Integer({ minimum: 0 }), currency: Type.Literal('CNY') }),
  }),
});
export type NotificationBody = Static<typeof NotificationBody>;

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies a notification: the provider's signature over timestamp, nonce and the exact body bytes first (a
 * forged or edited event stops here), then freshness (an old event replayed stops here), then the shape.
 */
export function parseNotification(
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  now: number,
  publicKey: KeyObject,
  serial: string,
): WalletNotification {
  const ts = header(headers, WALLET_HEADERS.timestamp);
  const nonce = header(headers, WALLET_HEADERS.nonce);
  const sig = header(headers, WALLET_HEADERS.signature);
  const keySerial = header(headers, WALLET_HEADERS.serial);
  if (!ts || !nonce || !sig || !keySerial) {
    throw new LinliError(
      ErrorCode.WEBHOOK_SIGNATURE,
      `a wallet notification must carry ${Object.values(WALLET_HEADERS).join(', ')}; refused`,
    );
  }
  if (keySerial !== serial) {
    throw new LinliError(
      ErrorCode.WEBHOOK_SIGNATURE,
      `notification signed with unknown key ${keySerial}; refused`,
    );
  }
  if (!/^\d{1,12}$/.test(ts) || !checkNotificationSignature(publicKey, ts, nonce, rawBody, sig)) {
    throw new LinliError(
      ErrorCode.WEBHOOK_SIGNATURE,
      'the wallet notification signature does not verify; refused',
    );
  }
  const skew = Math.abs(now / 1000 - Number(ts));
  if (skew > NOTIFY_MAX_SKEW_SEC) {
    throw new LinliError(
      ErrorCode.WEBHOOK_STALE,
      `the notification was signed ${Math.round(skew)} s away from now (limit ${NOTIFY_MAX_SKEW_SEC} s): a replay or a wrong clock; refused`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new LinliError(ErrorCode.BAD_REQUEST, 'the notification body is not JSON');
  }
  if (!isValid(NotificationBody, body)) {
    throw new LinliError(ErrorCode.BAD_REQUEST, 'the notification body does not have the expected fields');
  }
  const created = Date.parse(body.create_time);
  return {
    eventId: body.id,
    eventType: body.event_type,
    createdAt: Number.isNaN(created) ? now : created,
    outTradeNo: body.resource.out_trade_no,
    orderId: body.resource.order_id,
  };
}
