import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signEnvelope } from '../../../protocol/envelope.js';
import { newId } from '../../../protocol/ids.js';
import { generateSigningKey } from '../../../protocol/keys.js';
import type { Bill } from '../../../protocol/schemas/bill.js';
import type { Receipt } from '../../../protocol/schemas/receipt.js';
import { KEEP_FINAL, PaymentJournal } from './payment-journal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linli-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const key = generateSigningKey('transaction');
const now = new Date().toISOString();
const bill = (): Bill => ({
  type: 'linli.bill/v1',
  id: newId('bill'),
  billerId: 'water',
  billerName: { zh: '自来水费' },
  accountMasked: '******0001',
  holderMasked: '王*明',
  period: '2026-10',
  amountFen: 3850,
  dueDate: '2026-11-25',
  communityId: newId('node'),
  deviceId: newId('dev'),
  issuedAt: now,
  expiresAt: now,
});
const receipt = (paymentId: string): Receipt => ({
  type: 'linli.receipt/v1',
  id: newId('rcpt'),
  paymentId,
  deviceId: newId('dev'),
  communityName: '阳光社区',
  billerId: 'water',
  billerName: { zh: '自来水费' },
  accountMasked: '******0001',
  period: '2026-10',
  amountFen: 3850,
  method: 'terminal',
  paidAt: now,
  verifyUrl: 'https://linli.example.org/r/x?s=y',
});

describe('payment journal', () => {
  it('stays small: keeps open entries and the newest final ones, and the last receipt for reprints', async () => {
    const file = join(dir, 'payments.json');
    const j = await PaymentJournal.open(file);
    const open = `idk_${'o'.repeat(20)}`;
    const b0 = signEnvelope(bill(), key);
    await j.begin({ key: open, bill: b0, request: { billId: b0.payload.id, amountFen: 3850, method: 'qr' } });
    let last: ReturnType<typeof signEnvelope<Receipt>> | undefined;
    for (let i = 0; i < 60; i++) {
      const b = signEnvelope(bill(), key);
      const k = `idk_${String(i).padStart(20, '0')}`;
      await j.begin({
        key: k,
        bill: b,
        request: { billId: b.payload.id, amountFen: 3850, method: 'terminal' },
      });
      last = signEnvelope(receipt(newId('pay')), key);
      await j.record(k, 'receipted', { receipt: last });
      await j.record(k, 'closed');
    }
    const again = await PaymentJournal.open(file);
    expect(again.open().map((e) => e.key)).toEqual([open]);
    expect(again.list().length).toBeLessThanOrEqual(KEEP_FINAL + 2);
    expect(again.lastReceipt).toEqual(last);
    expect((await stat(file)).size).toBeLessThan(80_000);
  });
});
