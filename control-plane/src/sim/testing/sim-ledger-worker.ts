// One process writing the simulators' shared ledger: sim-store-processes.test.ts runs two at once.
// argv: file, count. Prints "ready", waits for "go", then one JSON line of what it saw.
import { createInterface } from 'node:readline';
import { SqliteSimStore } from '../storage/sqlite-sim-store.js';

const [file, count] = process.argv.slice(2) as [string, string];
const store = SqliteSimStore.open(file);
process.stdout.write('ready\n');
await new Promise<void>((r) => createInterface({ input: process.stdin }).once('line', () => r()));

const errors: string[] = [];
const stands: Record<string, string> = {};
const tag = String(process.pid);
await Promise.all(
  Array.from({ length: Number(count) }, async (_, i) => {
    const paymentId = `pay_${i}`;
    try {
      const p = await store.insertPosting({
        paymentId,
        postingId: `pst_${tag}_${i}`,
        billerId: 'water',
        account: '1001000001',
        billRef: `ref_${i}`,
        amountFen: 100,
        postedAt: Date.now(),
      });
      stands[paymentId] = p.postingId;
      await store.insertGatewayEntry({
        paymentId,
        op: 'capture',
        reference: `cap_${tag}_${i}`,
        cardToken: 'tok',
        amountFen: 100,
        at: Date.now(),
      });
    } catch (err) {
      errors.push((err as Error).message);
    }
  }),
);
process.stdout.write(
  `${JSON.stringify({ errors: errors.slice(0, 3), errorCount: errors.length, stands })}\n`,
);
await store.close();
