import type { PaymentState } from '../../../../protocol/schemas/payment.js';
import type { BillerAdapter } from '../../adapters/billers/biller-adapter.js';
import type { PaymentGateway } from '../../adapters/gateway/payment-gateway.js';
import type { WalletProvider } from '../../adapters/wallet/wallet-provider.js';
import type { KeyStore } from '../../keys/key-store.js';
import type { PaymentPatch, PaymentRecord } from '../../storage/records.js';
import type { Repository } from '../../storage/repository.js';
import type { Logger } from '../context.js';

export interface PaymentDeps {
  repo: Repository;
  keys: KeyStore;
  billers: BillerAdapter;
  gateway: PaymentGateway;
  wallet: WalletProvider;
  now: () => number;
  /** Read at receipt time: a server on port 0 learns its URL only after listening. */
  publicUrl: () => string;
  /** How long a QR code may be paid after it is shown (the wallet order's expiry). */
  qrTtlMs: number;
  log: Logger;
}

/** The deps plus the audited compare-and-set every step goes through. */
export interface PipelineDeps extends PaymentDeps {
  transition(
    p: PaymentRecord,
    to: PaymentState,
    actor: string,
    patch?: PaymentPatch,
    detail?: Record<string, unknown>,
  ): Promise<PaymentRecord>;
}

export const SYSTEM_ACTOR = 'system';
