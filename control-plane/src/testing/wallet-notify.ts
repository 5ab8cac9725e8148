import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { API } from '../../../protocol/api.js';
import { newId } from '../../../protocol/ids.js';
import { signNotification, WALLET_HEADERS } from '../adapters/wallet/wallet-signature.js';
import type { NotificationBody } from '../sim/wallet/notification-body.js';
import type { SimulatedWallet } from '../sim/wallet/simulated-wallet.js';
import type { Harness } from './harness.js';

/** The simulated provider's signing key, as it keeps it in the simulators' store. */
export function walletKey(h: Harness): KeyObject {
  const row = h.sims.db.prepare('SELECT pem FROM sim_wallet_key WHERE id = 1').get() as { pem: string };
  return createPrivateKey(row.pem);
}

export const strangerKey = (): KeyObject => generateKeyPairSync('ed25519').privateKey;

export interface NotifyOptions {
  key?: KeyObject;
  /** Seconds since the epoch the notification claims to be signed at (default now). */
  timestamp?: number;
  eventId?: string;
  tradeState?: string;
  eventType?: string;
  /** Change the body after signing (a man in the middle). */
  tamper?: (body: string) => string;
  serial?: string;
}

/** Builds and injects a wallet notification for an order, signed as the provider (or not). */
export async function notify(
  h: Harness,
  orderId: string,
  outTradeNo: string,
  amountFen: number,
  o: NotifyOptions = {},
) {
  const wallet = h.app.wallet as SimulatedWallet;
  const ts = String(o.timestamp ?? Math.floor(h.clock.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
  const body: NotificationBody = {
    id: o.eventId ?? newId('evt', h.clock.now()),
    create_time: new Date(h.clock.now()).toISOString(),
    event_type: o.eventType ?? 'TRANSACTION.SUCCESS',
    resource: {
      order_id: orderId,
      out_trade_no: outTradeNo,
      transaction_id: '4200000000000000000001',
      trade_state: o.tradeState ?? 'SUCCESS',
      amount: { total: amountFen, currency: 'CNY' },
    },
  };
  const raw = JSON.stringify(body);
  const sig = signNotification(o.key ?? walletKey(h), ts, nonce, raw);
  const res = await h.app.inject({
    method: 'POST',
    url: API.walletNotify,
    headers: {
      'content-type': 'application/json',
      [WALLET_HEADERS.timestamp]: ts,
      [WALLET_HEADERS.nonce]: nonce,
      [WALLET_HEADERS.serial]: o.serial ?? wallet.serial,
      [WALLET_HEADERS.signature]: sig,
    },
    payload: o.tamper ? o.tamper(raw) : raw,
  });
  return { res, eventId: body.id };
}
