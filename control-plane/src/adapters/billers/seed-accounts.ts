import type { BillerId } from '../../../../protocol/schemas/bill.js';
import type { I18nText } from '../../../../protocol/schemas/common.js';

export interface SeedBill {
  period: string;
  amountFen: number;
  dueDate: string;
}

export interface SeedAccount {
  billerId: BillerId;
  account: string;
  holderName: string;
  bills: readonly SeedBill[];
  /** The biller refuses postings to this account (closed at the biller): exercises the void path. */
  closed?: boolean;
}

export const BILLER_NAMES: Readonly<Record<BillerId, I18nText>> = {
  water: { zh: '自来水费', en: 'Water' },
  electricity: { zh: '电费', en: 'Electricity' },
  gas: { zh: '燃气费', en: 'Gas' },
  property: { zh: '物业费', en: 'Property fee' },
};

const HOLDERS = ['王小明', '李华', '张伟国', '刘芳', '陈静怡'];

/** Fixed amounts in fen per biller, one per seeded account, so a demo and its tests always see the same bills. */
const AMOUNTS: Readonly<Record<BillerId, readonly number[]>> = {
  water: [3850, 5620, 12800, 2470, 9135],
  electricity: [15630, 8840, 23410, 6120, 30075],
  gas: [4560, 7210, 3390, 11800, 5050],
  property: [36000, 42000, 28800, 51600, 33000],
};

const PREFIX: Readonly<Record<BillerId, string>> = {
  water: '100100000',
  electricity: '200200000',
  gas: '300300000',
  property: '400400000',
};

function seed(billerId: BillerId): SeedAccount[] {
  const amounts = AMOUNTS[billerId];
  const accounts: SeedAccount[] = amounts.map((amountFen, i) => ({
    billerId,
    account: `${PREFIX[billerId]}${i + 1}`,
    holderName: HOLDERS[i % HOLDERS.length]!,
    // The fifth account of each biller owes two months, so a kiosk shows more than one bill.
    bills:
      i === 4
        ? [
            { period: '2026-09', amountFen: amountFen - 500, dueDate: '2026-10-25' },
            { period: '2026-10', amountFen, dueDate: '2026-11-25' },
          ]
        : [{ period: '2026-10', amountFen, dueDate: '2026-11-25' }],
  }));
  accounts.push({
    billerId,
    account: `${PREFIX[billerId]}9`,
    holderName: '赵强',
    bills: [{ period: '2026-10', amountFen: 1000, dueDate: '2026-11-25' }],
    closed: true,
  });
  return accounts;
}

/**
 * The simulated billers' accounts: water 1001000001–1001000005, electricity 2002000001–…, gas 3003000001–…,
 * property 4004000001–…; each biller's …9 account is closed at the biller (postings are refused).
 */
export const SEED_ACCOUNTS: readonly SeedAccount[] = (
  ['water', 'electricity', 'gas', 'property'] as const
).flatMap(seed);

export function billRefOf(billerId: BillerId, account: string, period: string): string {
  return `${billerId}:${account}:${period}`;
}
