import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import { formatFen } from '../../../protocol/money.js';
import type { Bill, BillQuery } from '../../../protocol/schemas/bill.js';
import type { I18nText, Signed } from '../../../protocol/schemas/common.js';
import type { DeviceApiClient } from '../api-client.js';
import type { Trust } from '../identity/trust.js';
import type { Logger } from '../logger.js';
import { verifyBill } from './payment-verify.js';

/** A verified bill as the kiosk page shows it. */
export interface BillView {
  id: string;
  billerId: Bill['billerId'];
  billerName: I18nText;
  accountMasked: string;
  holderMasked: string;
  period: string;
  amountFen: number;
  amountText: string;
  dueDate: string;
  expiresAt: string;
}

/** The accounts linked to a resident card, each with its verified bills. */
export interface CardAccountView {
  billerId: Bill['billerId'];
  billerName: I18nText;
  accountMasked: string;
  holderMasked: string;
  bills: BillView[];
  /** This account could not be looked up now (e.g. its biller is down); the others still can be paid. */
  error?: { code: string; message: string };
}

export interface CardLookupView {
  cardId: string;
  label?: string;
  accounts: CardAccountView[];
  rejected: number;
}

export interface BillDeskOptions {
  api: Pick<DeviceApiClient, 'getBills' | 'cardBills'>;
  trust: Pick<Trust, 'keyring'>;
  deviceId: string;
  log: Logger;
  now?: () => Date;
}

const MAX_CACHED = 100;

/**
 * Looks bills up and remembers only the ones whose signature verified, so a payment can start only from a
 * bill the resident saw and the kiosk verified (never from a bill id typed into the API).
 */
export class BillDesk {
  readonly #o: BillDeskOptions;
  readonly #verified = new Map<string, { envelope: Signed<Bill>; bill: Bill }>();

  constructor(opts: BillDeskOptions) {
    this.#o = opts;
  }

  async lookup(query: BillQuery): Promise<{ bills: BillView[]; rejected: number }> {
    this.#prune();
    const res = await this.#o.api.getBills(query);
    const envelopes: unknown[] = Array.isArray(res?.bills) ? res.bills : [];
    const bills: BillView[] = [];
    let rejected = 0;
    let lastError: LinliError | undefined;
    for (const envelope of envelopes) {
      try {
        const bill = verifyBill(envelope, this.#o.trust.keyring, this.#o.deviceId, this.#now());
        this.#verified.set(bill.id, { envelope: envelope as Signed<Bill>, bill });
        bills.push(view(bill));
      } catch (err) {
        rejected++;
        lastError = isLinliError(err) ? err : new LinliError(ErrorCode.INTERNAL, (err as Error).message);
        this.#o.log.error(
          { code: lastError.code, billerId: query.billerId },
          `bills: rejected a bill that failed verification (${lastError.message}); not shown`,
        );
      }
    }
    if (bills.length === 0 && lastError) {
      throw new LinliError(
        lastError.code,
        '账单未能通过验证，请联系工作人员。The bill could not be verified and is not shown; please ask staff.',
        { rejected },
      );
    }
    return { bills, rejected };
  }

  /** The accounts linked to a resident card (this community only), each with its verified bills. */
  async lookupCard(cardUid: string): Promise<CardLookupView> {
    this.#prune();
    const res = await this.#o.api.cardBills(cardUid);
    let rejected = 0;
    const accounts: CardAccountView[] = res.accounts.map((a) => {
      const bills: BillView[] = [];
      for (const envelope of a.bills) {
        try {
          const bill = verifyBill(envelope, this.#o.trust.keyring, this.#o.deviceId, this.#now());
          this.#verified.set(bill.id, { envelope: envelope as Signed<Bill>, bill });
          bills.push(view(bill));
        } catch (err) {
          rejected++;
          this.#o.log.error(
            { code: (err as LinliError).code, billerId: a.billerId },
            `bills: rejected a card bill that failed verification (${(err as Error).message}); not shown`,
          );
        }
      }
      return {
        billerId: a.billerId,
        billerName: a.billerName,
        accountMasked: a.accountMasked,
        holderMasked: a.holderMasked,
        bills,
        ...(a.error ? { error: a.error } : {}),
      };
    });
    return { cardId: res.cardId, ...(res.label ? { label: res.label } : {}), accounts, rejected };
  }

  /** The verified envelope of a bill shown earlier; refused if unknown or expired. */
  take(billId: string): Signed<Bill> {
    const hit = this.#verified.get(billId);
    if (!hit || Date.parse(hit.bill.expiresAt) <= this.#now().getTime()) {
      throw new LinliError(
        ErrorCode.BILL_NOT_FOUND,
        '请重新查询账单。Look the bill up again: the kiosk pays only a bill it has just verified.',
        { billId },
      );
    }
    return hit.envelope;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  #prune(): void {
    const t = this.#now().getTime();
    for (const [id, v] of this.#verified) if (Date.parse(v.bill.expiresAt) <= t) this.#verified.delete(id);
    while (this.#verified.size > MAX_CACHED) {
      const oldest = this.#verified.keys().next().value;
      if (oldest === undefined) break;
      this.#verified.delete(oldest);
    }
  }
}

function view(b: Bill): BillView {
  return {
    id: b.id,
    billerId: b.billerId,
    billerName: b.billerName,
    accountMasked: b.accountMasked,
    holderMasked: b.holderMasked,
    period: b.period,
    amountFen: b.amountFen,
    amountText: `￥${formatFen(b.amountFen)}`,
    dueDate: b.dueDate,
    expiresAt: b.expiresAt,
  };
}
