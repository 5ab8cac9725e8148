import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { BillerId } from '../../../protocol/schemas/bill.js';
import type { I18nText } from '../../../protocol/schemas/common.js';
import type { BillerAdapter } from './billers/biller-adapter.js';
import type { PaymentGateway } from './gateway/payment-gateway.js';
import type { WalletProvider } from './wallet/wallet-provider.js';

const notConfigured = (what: string): LinliError =>
  new LinliError(
    ErrorCode.RAILS_NOT_CONFIGURED,
    `no ${what} is configured: this control plane runs with simulators off and has no real payment rails; set \`simulators: true\` (LINLI_SIMULATORS=true) for the simulated ones`,
    { rail: what },
  );

/**
 * For the routes that start a payment: refuse at once, before the body is read, when nothing could take the
 * money (a bill left from a run with simulators on must not start a payment that no rail can finish).
 */
export function assertRailsConfigured(rails: { billers: BillerAdapter; gateway: PaymentGateway }): void {
  if (rails.billers === UNCONFIGURED_BILLER) throw notConfigured('biller');
  if (rails.gateway === UNCONFIGURED_GATEWAY) throw notConfigured('payment gateway');
}

const refuse = (what: string) => async (): Promise<never> => {
  throw notConfigured(what);
};

/**
 * What the control plane pays through when nothing is configured: every call that would move money or look
 * up a bill answers LINLI_ERR_RAILS_NOT_CONFIGURED (503), so a kiosk gets no bill and no payment starts.
 */
export const UNCONFIGURED_BILLER: BillerAdapter = {
  billerIds: [],
  name: (billerId: BillerId): I18nText => ({ zh: billerId, en: billerId }),
  lookupAccount: refuse('biller'),
  lookupOpenBills: refuse('biller'),
  postPayment: refuse('biller'),
  queryPosting: refuse('biller'),
  listPostings: refuse('biller'),
};

export const UNCONFIGURED_GATEWAY: PaymentGateway = {
  lookupAuthorization: refuse('payment gateway'),
  capture: refuse('payment gateway'),
  void: refuse('payment gateway'),
  refund: refuse('payment gateway'),
  statement: refuse('payment gateway'),
};

export const UNCONFIGURED_WALLET: WalletProvider = {
  name: 'none',
  createOrder: refuse('wallet provider'),
  queryOrder: refuse('wallet provider'),
  closeOrder: refuse('wallet provider'),
  settle: refuse('wallet provider'),
  reverse: refuse('wallet provider'),
  refund: refuse('wallet provider'),
  verifyNotification: () => {
    throw notConfigured('wallet provider');
  },
  statement: refuse('wallet provider'),
};
