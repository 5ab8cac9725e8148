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
  /** Administrative names below the city: district, street, community. */
  serviceArea: readonly string[];
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

/** The demo's community and its neighbour (both under 和平区 › 幸福街道): accounts are served in one of them. */
export const SUNSHINE: readonly string[] = ['和平区', '幸福街道', '阳光社区'];
export const BRIGHT_MOON: readonly string[] = ['和平区', '幸福街道', '明月社区'];

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
    serviceArea: SUNSHINE,
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
    serviceArea: SUNSHINE,
    bills: [{ period: '2026-10', amountFen: 1000, dueDate: '2026-11-25' }],
    closed: true,
  });
  // Two accounts of the neighbouring community: a 阳光社区 kiosk must refuse them (LINLI_ERR_ACCOUNT_SCOPE).
  for (const n of [6, 7]) {
    accounts.push({
      billerId,
      account: `${PREFIX[billerId]}${n}`,
      holderName: n === 6 ? '孙丽' : '周建华',
      serviceArea: BRIGHT_MOON,
      bills: [{ period: '2026-10', amountFen: amounts[n - 6]! + 100, dueDate: '2026-11-25' }],
    });
  }
  return accounts;
}

/**
 * The simulated billers' accounts: water 1001000001–1001000005, electricity 2002000001–…, gas 3003000001–…,
 * property 4004000001–…, all in 阳光社区; each biller's …9 account is closed at the biller (postings are
 * refused); …6 and …7 are in 明月社区.
 */
export const SEED_ACCOUNTS: readonly SeedAccount[] = (
  ['water', 'electricity', 'gas', 'property'] as const
).flatMap(seed);

export function billRefOf(billerId: BillerId, account: string, period: string): string {
  return `${billerId}:${account}:${period}`;
}

/**
 * Many accounts for load and chaos runs: `count` accounts per biller in `area`, numbered from 5000000000 up
 * (water 5…, electricity 6…, gas 7…, property 8…), each owing one bill of a few yuan.
 */
export function bulkAccounts(count: number, area: readonly string[] = SUNSHINE): SeedAccount[] {
  const base: Record<BillerId, number> = { water: 5, electricity: 6, gas: 7, property: 8 };
  return (['water', 'electricity', 'gas', 'property'] as const).flatMap((billerId) =>
    Array.from({ length: count }, (_, i) => ({
      billerId,
      account: `${base[billerId]}${String(i).padStart(9, '0')}`,
      holderName: HOLDERS[i % HOLDERS.length]!,
      serviceArea: area,
      bills: [{ period: '2026-10', amountFen: 100 + ((i * 37) % 9900), dueDate: '2026-11-25' }],
    })),
  );
}
