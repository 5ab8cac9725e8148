import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type {
  AcquirerAuthorization,
  Capture,
  PaymentGateway,
  StatementEntry,
} from '../../adapters/gateway/payment-gateway.js';
import { FaultDice, NO_FAULTS, type SimFaults } from '../sim-faults.js';
import type { SimGatewayEntry } from '../sim-records.js';
import type { SimStore } from '../sim-store.js';
import { openSimAuthorization, SIMULATED_ACQUIRER_DEMO_KEY } from './sim-acquirer-seal.js';

export interface SimulatedGatewayOptions {
  ledger: SimStore;
  /** The key the simulated acquirer seals its authorization records with (see sim-acquirer-seal.ts). */
  acquirerKey?: string;
  now?: () => number;
  faults?: SimFaults['gateway'];
  dice?: FaultDice;
}

/** Wallet settlements share the money ledger; their token says so. Everything else is the card acquirer's. */
export const WALLET_TOKEN_PREFIX = 'wallet:';
export const isWalletEntry = (e: SimGatewayEntry): boolean =>
  e.cardToken?.startsWith(WALLET_TOKEN_PREFIX) ?? false;

/**
 * An in-process acquirer. Its ledger is a table with one row per money movement, deliberately without a
 * uniqueness constraint: idempotency is enforced here, and a test counting rows would see a double capture.
 * Authorizations are the ones its simulated host issued to terminals (sealed references, see
 * sim-acquirer-seal.ts); it captures only one of those, for the payment and amount it was issued for.
 */
export class SimulatedGateway implements PaymentGateway {
  readonly #ledger: SimStore;
  readonly #now: () => number;
  readonly #dice: FaultDice;
  readonly #key: string;
  faults: SimFaults['gateway'];
  #failCaptures = 0;

  constructor(opts: SimulatedGatewayOptions) {
    this.#ledger = opts.ledger;
    this.#now = opts.now ?? Date.now;
    this.#key = opts.acquirerKey ?? SIMULATED_ACQUIRER_DEMO_KEY;
    this.faults = { ...NO_FAULTS.gateway, ...opts.faults };
    this.#dice = opts.dice ?? new FaultDice();
  }

  /** The next `count` captures fail as if the acquirer were unreachable. */
  failNextCaptures(count: number): void {
    this.#failCaptures = count;
  }

  async lookupAuthorization(acquirerTransactionId: string): Promise<AcquirerAuthorization | undefined> {
    return openSimAuthorization(acquirerTransactionId, this.#key);
  }

  async capture(paymentId: string, acquirerTransactionId: string, amountFen: number): Promise<Capture> {
    const auth = openSimAuthorization(acquirerTransactionId, this.#key);
    if (!auth || auth.saleTransactionId !== paymentId || auth.amountFen !== amountFen) {
      // A real acquirer refuses to capture a reference it never issued, or more than it authorized.
      throw new LinliError(
        ErrorCode.GATEWAY_ERROR,
        `the acquirer has no authorization of ${amountFen} fen for payment ${paymentId} under this reference; nothing captured`,
        { paymentId, refused: true },
      );
    }
    const voided = await this.#ledger.gatewayEntries(paymentId, 'void');
    if (voided.length > 0) {
      throw new LinliError(
        ErrorCode.GATEWAY_ERROR,
        `payment ${paymentId} was voided and cannot be captured`,
        {
          paymentId,
        },
      );
    }
    const [done] = await this.#ledger.gatewayEntries(paymentId, 'capture');
    if (!done && (this.#failCaptures > 0 || this.#dice.roll(this.faults.downRate))) {
      if (this.#failCaptures > 0) this.#failCaptures--;
      throw this.#down(paymentId);
    }
    const entry =
      done ??
      (await this.#ledger.insertGatewayEntry({
        paymentId,
        op: 'capture',
        reference: newId('cap', this.#now()),
        cardToken: acquirerTransactionId,
        amountFen,
        at: this.#now(),
      }));
    if (entry.amountFen !== amountFen) {
      throw new LinliError(
        ErrorCode.GATEWAY_ERROR,
        `payment ${paymentId} was captured for ${entry.amountFen} fen, not ${amountFen}`,
        { paymentId },
      );
    }
    if (!done && this.#dice.roll(this.faults.lostResponseRate)) throw this.#down(paymentId);
    return { paymentId, captureId: entry.reference, amountFen: entry.amountFen, capturedAt: entry.at };
  }

  async void(paymentId: string): Promise<void> {
    const captured = await this.#ledger.gatewayEntries(paymentId, 'capture');
    if (captured.length > 0) {
      throw new LinliError(
        ErrorCode.GATEWAY_ERROR,
        `payment ${paymentId} is captured; it needs a refund, not a void`,
        {
          paymentId,
        },
      );
    }
    await this.#ledger.insertGatewayEntry({
      paymentId,
      op: 'void',
      reference: newId('void', this.#now()),
      cardToken: null,
      amountFen: 0,
      at: this.#now(),
    });
  }

  async refund(paymentId: string, refundId: string, amountFen: number): Promise<{ reference: string }> {
    const [capture] = await this.#ledger.gatewayEntries(paymentId, 'capture');
    if (!capture) {
      throw new LinliError(
        ErrorCode.GATEWAY_ERROR,
        `payment ${paymentId} was never captured; nothing to refund`,
        {
          paymentId,
        },
      );
    }
    const earlier = await this.#ledger.refundsFor(paymentId);
    const other = earlier.filter((r) => r.refundId !== refundId).reduce((s, r) => s + r.amountFen, 0);
    if (other + amountFen > capture.amountFen) {
      throw new LinliError(ErrorCode.REFUND_TOO_LARGE, `refunds of ${paymentId} would exceed its capture`, {
        paymentId,
      });
    }
    if (!earlier.some((r) => r.refundId === refundId) && this.#dice.roll(this.faults.downRate)) {
      throw this.#down(paymentId);
    }
    const r = await this.#ledger.insertRefund({
      refundId,
      paymentId,
      rail: 'card',
      amountFen,
      at: this.#now(),
    });
    return { reference: r.refundId };
  }

  async statement(from: number, to: number): Promise<StatementEntry[]> {
    const entries = (await this.#ledger.listGatewayEntries(from, to)).filter((e) => !isWalletEntry(e));
    return entries.map((e) => ({
      paymentId: e.paymentId,
      op: e.op,
      reference: e.reference,
      amountFen: e.amountFen,
      at: e.at,
    }));
  }

  #down(paymentId: string): LinliError {
    return new LinliError(
      ErrorCode.GATEWAY_ERROR,
      'the acquirer did not answer; the payment stays posted and is captured when retried',
      { paymentId },
    );
  }
}
