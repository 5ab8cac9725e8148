import type { BillerAdapter } from '../../adapters/billers/biller-adapter.js';
import type { PaymentGateway } from '../../adapters/gateway/payment-gateway.js';
import type { KeyStore } from '../../keys/key-store.js';
import type { Repository } from '../../storage/repository.js';
import type { Logger } from '../context.js';

export interface PaymentDeps {
  repo: Repository;
  keys: KeyStore;
  billers: BillerAdapter;
  gateway: PaymentGateway;
  now: () => number;
  /** Read at receipt time: a server on port 0 learns its URL only after listening. */
  publicUrl: () => string;
  log: Logger;
}
