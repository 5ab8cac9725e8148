import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { SimLedgers } from '../../storage/repository.js';
import type { Capture, PaymentGateway } from './payment-gateway.js';

export interface SimulatedGatewayOptions {
  ledger: SimLedgers;
  now?: () => number;
}

/**
 * An in-process acquirer. Its ledger is a table with one row per money movement, deliberately without a
 * uniqueness constraint: idempotency is enforced here, and a test counting rows would see a double capture.
 */
export class SimulatedGateway implements PaymentGateway {
  readonly #ledger: SimLedgers;
  readonly #now: () => number;
  #failCaptures = 0;

  constructor(opts: SimulatedGatewayOptions) {
    this.#ledger = opts.ledger;
    this.#now = opts.now ?? Date.now;
  }

  /** The next `count` captures fail as if the acquirer were unreachable. */
  failNextCaptures(count: number): void {
    this.#failCaptures = count;
  }

  async capture(paymentId: string, cardToken: string, amountFen: number): Promise<Capture> {
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
    if (!done && this.#failCaptures > 0) {
      this.#failCaptures--;
      throw new LinliError(
        ErrorCode.GATEWAY_ERROR,
        'the acquirer did not answer; the payment stays posted and is captured when retried',
        { paymentId },
      );
    }
    const entry =
      done ??
      (await this.#ledger.insertGatewayEntry({
        paymentId,
        op: 'capture',
        reference: newId('cap', this.#now()),
        cardToken,
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
}
