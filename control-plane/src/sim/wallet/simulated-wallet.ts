import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { Capture, StatementEntry } from '../../adapters/gateway/payment-gateway.js';
import type {
  CreateWalletOrder,
  WalletNotification,
  WalletOrder,
  WalletProvider,
} from '../../adapters/wallet/wallet-provider.js';
import { isWalletEntry, WALLET_TOKEN_PREFIX } from '../gateway/simulated-gateway.js';
import { FaultDice, NO_FAULTS, type SimFaults } from '../sim-faults.js';
import type { SimWalletOrder } from '../sim-records.js';
import type { SimStore } from '../sim-store.js';
import { parseNotification } from './notification-body.js';
import { NotificationOutbox } from './notification-outbox.js';

export interface SimulatedWalletOptions {
  ledger: SimStore;
  now?: () => number;
  /** Base URL of the "provider's website" (our control plane serves it under /sim/wallet). */
  publicUrl: () => string;
  /** The provider's signing key; generated when absent (tests). */
  key?: KeyObject;
  faults?: SimFaults['wallet'];
  dice?: FaultDice;
  log?: { warn(obj: object, msg?: string): void };
  deliveryIntervalMs?: number;
}

export const SIM_WALLET_PATH = '/sim/wallet';

/**
 * An in-process stand-in for a QR wallet provider (the company, not our adapter to it): its own order book,
 * a payer page behind each code URL, and a notification outbox that delivers signed events over HTTP at
 * least once, with duplicates, losses and delays when faults say so. Money movements go to the shared
 * simulated money ledger tagged `wallet:`, so double settlements would show as two rows.
 */
export class SimulatedWallet implements WalletProvider {
  readonly name = 'simulated wallet';
  readonly serial: string;
  readonly publicKey: KeyObject;
  readonly #privateKey: KeyObject;
  readonly #ledger: SimStore;
  readonly #now: () => number;
  readonly #dice: FaultDice;
  readonly #opts: SimulatedWalletOptions;
  readonly outbox: NotificationOutbox;
  faults: SimFaults['wallet'];

  constructor(opts: SimulatedWalletOptions) {
    this.#opts = opts;
    this.#ledger = opts.ledger;
    this.#now = opts.now ?? Date.now;
    this.#dice = opts.dice ?? new FaultDice();
    this.faults = { ...NO_FAULTS.wallet, ...opts.faults };
    const key = opts.key ?? generateKeyPairSync('ed25519').privateKey;
    this.#privateKey = key;
    this.publicKey = createPublicKey(key);
    this.serial = `sim-${this.publicKey.export({ format: 'der', type: 'spki' }).subarray(-6).toString('hex')}`;
    this.outbox = new NotificationOutbox({
      ledger: opts.ledger,
      now: this.#now,
      key: this.#privateKey,
      serial: this.serial,
      faults: () => this.faults,
      dice: this.#dice,
      ...(opts.log ? { log: opts.log } : {}),
      intervalMs: opts.deliveryIntervalMs ?? 200,
    });
  }

  start(): void {
    this.outbox.start();
  }

  stop(): Promise<void> {
    return this.outbox.stop();
  }

  async createOrder(req: CreateWalletOrder): Promise<WalletOrder> {
    this.#weather();
    const at = this.#now();
    const order = await this.#ledger.wallet.createOrder({
      orderId: newId('wxo', at),
      outTradeNo: req.outTradeNo,
      amountFen: req.amountFen,
      description: req.description.slice(0, 120),
      notifyUrl: req.notifyUrl,
      status: 'NOTPAY',
      transactionId: null,
      settled: false,
      refundedFen: 0,
      createdAt: at,
      expiresAt: req.expiresAt,
      paidAt: null,
    });
    if (order.amountFen !== req.amountFen) {
      throw new LinliError(ErrorCode.WALLET_ERROR, `order ${req.outTradeNo} exists with another amount`, {
        outTradeNo: req.outTradeNo,
      });
    }
    return this.#view(order);
  }

  async queryOrder(outTradeNo: string): Promise<WalletOrder | null> {
    this.#weather();
    const o = await this.#ledger.wallet.findByOutTradeNo(outTradeNo);
    return o ? this.#view(await this.#expire(o)) : null;
  }

  async closeOrder(outTradeNo: string): Promise<WalletOrder> {
    this.#weather();
    const o = await this.#order(outTradeNo);
    const { order } = await this.#ledger.wallet.updateOrder(o.orderId, ['NOTPAY'], { status: 'CLOSED' });
    return this.#view(order!);
  }

  /** The payer confirms in the wallet (the page behind the code URL). */
  async pay(orderId: string): Promise<SimWalletOrder> {
    const o = await this.#ledger.wallet.getOrder(orderId);
    if (!o) throw new LinliError(ErrorCode.NOT_FOUND, 'no such wallet order');
    const current = await this.#expire(o);
    if (current.status !== 'NOTPAY') return current;
    const at = this.#now();
    const { changed, order } = await this.#ledger.wallet.updateOrder(orderId, ['NOTPAY'], {
      status: 'SUCCESS',
      transactionId: `42${randomBytes(12).toString('hex')}`,
      paidAt: at,
    });
    if (changed) await this.outbox.enqueue(order!, 'TRANSACTION.SUCCESS');
    return order!;
  }

  async settle(outTradeNo: string, amountFen: number): Promise<Capture> {
    this.#weather();
    const o = await this.#order(outTradeNo);
    if (o.status !== 'SUCCESS' && o.status !== 'REFUND') {
      throw new LinliError(
        ErrorCode.WALLET_ERROR,
        `order ${outTradeNo} is ${o.status}; it cannot be settled`,
      );
    }
    const entry = await this.#ledger.insertGatewayEntry({
      paymentId: outTradeNo,
      op: 'capture',
      reference: newId('stl', this.#now()),
      cardToken: `${WALLET_TOKEN_PREFIX}${o.transactionId}`,
      amountFen,
      at: this.#now(),
    });
    if (entry.amountFen !== amountFen) {
      throw new LinliError(
        ErrorCode.WALLET_ERROR,
        `order ${outTradeNo} was settled for ${entry.amountFen} fen`,
      );
    }
    await this.#ledger.wallet.updateOrder(o.orderId, ['SUCCESS'], { settled: true });
    return { paymentId: outTradeNo, captureId: entry.reference, amountFen, capturedAt: entry.at };
  }

  async reverse(outTradeNo: string): Promise<void> {
    this.#weather();
    const o = await this.#order(outTradeNo);
    if (o.settled) throw new LinliError(ErrorCode.WALLET_ERROR, `order ${outTradeNo} is settled; refund it`);
    await this.#ledger.wallet.updateOrder(o.orderId, ['SUCCESS', 'NOTPAY'], { status: 'REVOKED' });
    await this.#ledger.insertGatewayEntry({
      paymentId: outTradeNo,
      op: 'void',
      reference: newId('rev', this.#now()),
      cardToken: `${WALLET_TOKEN_PREFIX}${o.transactionId ?? ''}`,
      amountFen: 0,
      at: this.#now(),
    });
  }

  async refund(outTradeNo: string, refundId: string, amountFen: number): Promise<{ reference: string }> {
    this.#weather();
    const o = await this.#order(outTradeNo);
    const earlier = await this.#ledger.refundsFor(outTradeNo);
    if (!earlier.some((r) => r.refundId === refundId)) {
      const total = earlier.reduce((s, r) => s + r.amountFen, 0);
      if (!o.settled || total + amountFen > o.amountFen) {
        throw new LinliError(
          ErrorCode.REFUND_TOO_LARGE,
          `order ${outTradeNo} cannot refund ${amountFen} fen`,
        );
      }
    }
    const r = await this.#ledger.insertRefund({
      refundId,
      paymentId: outTradeNo,
      rail: 'wallet',
      amountFen,
      at: this.#now(),
    });
    const refunded = (await this.#ledger.refundsFor(outTradeNo)).reduce((s, x) => s + x.amountFen, 0);
    const { changed, order } = await this.#ledger.wallet.updateOrder(o.orderId, ['SUCCESS', 'REFUND'], {
      status: 'REFUND',
      refundedFen: refunded,
    });
    if (changed && refunded !== o.refundedFen) await this.outbox.enqueue(order!, 'REFUND.SUCCESS');
    return { reference: r.refundId };
  }

  verifyNotification(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
    now: number,
  ): WalletNotification {
    return parseNotification(headers, rawBody, now, this.publicKey, this.serial);
  }

  async statement(from: number, to: number): Promise<StatementEntry[]> {
    return (await this.#ledger.listGatewayEntries(from, to)).filter(isWalletEntry).map((e) => ({
      paymentId: e.paymentId,
      op: e.op,
      reference: e.reference,
      amountFen: e.amountFen,
      at: e.at,
    }));
  }

  /** The payer page needs the order as the provider sees it. */
  async orderForPage(orderId: string): Promise<SimWalletOrder | undefined> {
    const o = await this.#ledger.wallet.getOrder(orderId);
    return o ? this.#expire(o) : undefined;
  }

  async #order(outTradeNo: string): Promise<SimWalletOrder> {
    const o = await this.#ledger.wallet.findByOutTradeNo(outTradeNo);
    if (!o) throw new LinliError(ErrorCode.WALLET_ERROR, `the wallet has no order ${outTradeNo}`);
    return this.#expire(o);
  }

  /** An unpaid order past its expiry can no longer be paid: the provider closes it. */
  async #expire(o: SimWalletOrder): Promise<SimWalletOrder> {
    if (o.status !== 'NOTPAY' || o.expiresAt > this.#now()) return o;
    return (await this.#ledger.wallet.updateOrder(o.orderId, ['NOTPAY'], { status: 'CLOSED' })).order ?? o;
  }

  #view(o: SimWalletOrder): WalletOrder {
    return {
      orderId: o.orderId,
      outTradeNo: o.outTradeNo,
      amountFen: o.amountFen,
      state: o.status,
      transactionId: o.transactionId,
      codeUrl: `${this.#opts.publicUrl()}${SIM_WALLET_PATH}/pay/${o.orderId}`,
      expiresAt: o.expiresAt,
      paidAt: o.paidAt,
    };
  }

  #weather(): void {
    if (this.#dice.roll(this.faults.downRate)) {
      throw new LinliError(ErrorCode.WALLET_ERROR, 'the wallet provider did not answer; try again');
    }
  }
}
