import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import { BILLER_IDS, type BillerId } from '../../../../protocol/schemas/bill.js';
import type { I18nText } from '../../../../protocol/schemas/common.js';
import type { SimLedgers } from '../../storage/repository.js';
import type { BillerAdapter, OpenBill, Posting, PostingResult } from './biller-adapter.js';
import { BILLER_NAMES, billRefOf, SEED_ACCOUNTS, type SeedAccount } from './seed-accounts.js';

export interface SimulatedBillerOptions {
  ledger: SimLedgers;
  now?: () => number;
  accounts?: readonly SeedAccount[];
}

/**
 * An in-process stand-in for the water, electricity, gas and property-fee billers. It keeps its postings in
 * its own ledger table, so a paid bill stays paid across restarts and tests can count postings. Faults can
 * be queued to exercise the control plane's recovery (a biller that is briefly down).
 */
export class SimulatedBiller implements BillerAdapter {
  readonly billerIds: readonly BillerId[] = BILLER_IDS;
  readonly #ledger: SimLedgers;
  readonly #now: () => number;
  readonly #accounts = new Map<string, SeedAccount>();
  #unavailableFor = 0;

  constructor(opts: SimulatedBillerOptions) {
    this.#ledger = opts.ledger;
    this.#now = opts.now ?? Date.now;
    for (const a of opts.accounts ?? SEED_ACCOUNTS) this.#accounts.set(`${a.billerId}:${a.account}`, a);
  }

  /** The next `count` postings fail as if the biller were down (LINLI_ERR_BILLER_UNAVAILABLE). */
  failNextPostings(count: number): void {
    this.#unavailableFor = count;
  }

  name(billerId: BillerId): I18nText {
    return BILLER_NAMES[billerId];
  }

  async lookupOpenBills(billerId: BillerId, account: string): Promise<OpenBill[]> {
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
    const previous = await this.#ledger.findPosting(paymentId);
    if (previous) return { status: 'posted', postingId: previous.postingId, postedAt: previous.postedAt };
    if (this.#unavailableFor > 0) {
      this.#unavailableFor--;
      throw new LinliError(
        ErrorCode.BILLER_UNAVAILABLE,
        `the ${bill.billerId} biller did not answer; the payment stays authorized and is posted when retried`,
        { billerId: bill.billerId },
      );
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

  #account(billerId: BillerId, account: string): SeedAccount {
    if (!this.billerIds.includes(billerId)) {
      throw new LinliError(
        ErrorCode.BILLER_UNKNOWN,
        `no biller "${billerId}"; use one of ${this.billerIds.join(', ')}`,
        {
          billerId,
        },
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
