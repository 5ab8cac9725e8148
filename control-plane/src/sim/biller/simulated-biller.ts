import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import { BILLER_IDS, type BillerId } from '../../../../protocol/schemas/bill.js';
import type { I18nText } from '../../../../protocol/schemas/common.js';
import type {
  AccountInfo,
  BillerAdapter,
  OpenBill,
  Posting,
  PostingResult,
} from '../../adapters/billers/biller-adapter.js';
import { FaultDice, NO_FAULTS, type SimFaults, sleep } from '../sim-faults.js';
import type { SimStore } from '../sim-store.js';
import { BILLER_NAMES, billRefOf, SEED_ACCOUNTS, type SeedAccount } from './seed-accounts.js';

export interface SimulatedBillerOptions {
  ledger: SimStore;
  now?: () => number;
  accounts?: readonly SeedAccount[];
  faults?: SimFaults['biller'];
  dice?: FaultDice;
}

/**
 * An in-process stand-in for the water, electricity, gas and property-fee billers. It keeps its postings in
 * its own ledger table, so a paid bill stays paid across restarts and tests can count postings. Faults (slow,
 * down, refusing, answering into the void) exercise the control plane's recovery.
 */
export class SimulatedBiller implements BillerAdapter {
  readonly billerIds: readonly BillerId[] = BILLER_IDS;
  readonly #ledger: SimStore;
  readonly #now: () => number;
  readonly #accounts = new Map<string, SeedAccount>();
  readonly #dice: FaultDice;
  faults: SimFaults['biller'];
  #unavailableFor = 0;

  constructor(opts: SimulatedBillerOptions) {
    this.#ledger = opts.ledger;
    this.#now = opts.now ?? Date.now;
    this.faults = { ...NO_FAULTS.biller, ...opts.faults };
    this.#dice = opts.dice ?? new FaultDice();
    for (const a of opts.accounts ?? SEED_ACCOUNTS) this.#accounts.set(`${a.billerId}:${a.account}`, a);
  }

  /** The next `count` postings fail as if the biller were down (LINLI_ERR_BILLER_UNAVAILABLE). */
  failNextPostings(count: number): void {
    this.#unavailableFor = count;
  }

  name(billerId: BillerId): I18nText {
    return BILLER_NAMES[billerId];
  }

  async lookupAccount(billerId: BillerId, account: string): Promise<AccountInfo> {
    await this.#weather(billerId);
    const acc = this.#account(billerId, account);
    return { billerId, account, holderName: acc.holderName, serviceArea: acc.serviceArea };
  }

  async lookupOpenBills(billerId: BillerId, account: string): Promise<OpenBill[]> {
    await this.#weather(billerId);
    const acc = this.#account(billerId, account);
    const bills = acc.bills.map((b) => ({
      billRef: billRefOf(billerId, account, b.period),
      billerId,
      account,
      holderName: acc.holderName,
      period: b.period,
      amountFen: b.amountFen,
      dueDate: b.dueDate,
    }));
    const paid = new Set(await this.#ledger.listPostedBillRefs(bills.map((b) => b.billRef)));
    return bills.filter((b) => !paid.has(b.billRef));
  }

  async postPayment(
    paymentId: string,
    bill: Pick<OpenBill, 'billerId' | 'account' | 'billRef'>,
    amountFen: number,
  ): Promise<PostingResult> {
    await sleep(this.faults.slowMs);
    const previous = await this.#ledger.findPosting(paymentId);
    if (previous) return { status: 'posted', postingId: previous.postingId, postedAt: previous.postedAt };
    if (this.#unavailableFor > 0 || this.#dice.roll(this.faults.downRate)) {
      if (this.#unavailableFor > 0) this.#unavailableFor--;
      throw this.#down(bill.billerId);
    }
    const acc = this.#account(bill.billerId, bill.account);
    if (acc.closed) {
      return {
        status: 'rejected',
        reason: 'account_closed',
        message: `account ${bill.account} is closed at the biller`,
      };
    }
    const open = acc.bills.find((b) => billRefOf(bill.billerId, bill.account, b.period) === bill.billRef);
    if (!open)
      return {
        status: 'rejected',
        reason: 'unknown_bill',
        message: `the biller has no bill ${bill.billRef}`,
      };
    if (open.amountFen !== amountFen) {
      return {
        status: 'rejected',
        reason: 'amount_mismatch',
        message: `bill ${bill.billRef} is ${open.amountFen} fen, not ${amountFen}`,
      };
    }
    if (this.#dice.roll(this.faults.rejectRate)) {
      return { status: 'rejected', reason: 'refused', message: 'the biller refused the posting (simulated)' };
    }
    const stands = await this.#ledger.insertPosting({
      paymentId,
      postingId: newId('pst', this.#now()),
      billerId: bill.billerId,
      account: bill.account,
      billRef: bill.billRef,
      amountFen,
      postedAt: this.#now(),
    });
    if (stands.paymentId !== paymentId) {
      return { status: 'rejected', reason: 'already_paid', message: `bill ${bill.billRef} was already paid` };
    }
    // The biller booked it; the answer may still never arrive. A retry is answered from the ledger above.
    if (this.#dice.roll(this.faults.lostResponseRate)) throw this.#down(bill.billerId);
    return { status: 'posted', postingId: stands.postingId, postedAt: stands.postedAt };
  }

  async queryPosting(paymentId: string): Promise<Posting | null> {
    const p = await this.#ledger.findPosting(paymentId);
    return p
      ? {
          paymentId,
          postingId: p.postingId,
          billRef: p.billRef,
          amountFen: p.amountFen,
          postedAt: p.postedAt,
        }
      : null;
  }

  async listPostings(from: number, to: number): Promise<Posting[]> {
    return (await this.#ledger.listPostings(from, to)).map((p) => ({
      paymentId: p.paymentId,
      postingId: p.postingId,
      billRef: p.billRef,
      amountFen: p.amountFen,
      postedAt: p.postedAt,
    }));
  }

  async #weather(billerId: BillerId): Promise<void> {
    await sleep(this.faults.slowMs);
    if (this.#dice.roll(this.faults.downRate)) throw this.#down(billerId);
  }

  #down(billerId: BillerId): LinliError {
    return new LinliError(
      ErrorCode.BILLER_UNAVAILABLE,
      `the ${billerId} biller did not answer; try again in a moment (an authorized payment stays authorized and is posted when retried)`,
      { billerId },
    );
  }

  #account(billerId: BillerId, account: string): SeedAccount {
    if (!this.billerIds.includes(billerId)) {
      throw new LinliError(
        ErrorCode.BILLER_UNKNOWN,
        `no biller "${billerId}"; use one of ${this.billerIds.join(', ')}`,
        { billerId },
      );
    }
    const acc = this.#accounts.get(`${billerId}:${account}`);
    if (!acc) {
      throw new LinliError(
        ErrorCode.ACCOUNT_NOT_FOUND,
        `the ${billerId} biller has no account ${account}; check the number on a previous bill`,
        { billerId },
      );
    }
    return acc;
  }
}
