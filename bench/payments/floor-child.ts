/**
 * The payments benchmark's floor, as its own process: what any server doing a payment's work must spend at
 * least. A payment is the kiosk's five requests (bill, create, present, authorization, close), so this serves
 * five bare Fastify routes; four of them sign once and the authorization twice (payment and receipt): five
 * Ed25519 signatures, as Linli makes. Every request appends its step to a file and answers only after an
 * fsync, with the appends of one event-loop turn sharing one fsync (the group-commit floor). Prints
 * `listening`; its CPU is read from /proc by the benchmark.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { closeSync, fsync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';

const [dir, port] = process.argv.slice(2);
const { privateKey } = generateKeyPairSync('ed25519');
const fd = openSync(join(dir!, 'floor.log'), 'a');
let batch: (() => void)[] = [];
/** Resolves once the step is on disk; steps queued in the same turn share the fsync. */
function persist(step: object): Promise<void> {
  writeSync(fd, `${JSON.stringify(step)}\n`);
  return new Promise((resolve) => {
    batch.push(resolve);
    if (batch.length === 1) {
      setImmediate(() => {
        const waiting = batch;
        batch = [];
        fsync(fd, () => {
          for (const r of waiting) r();
        });
      });
    }
  });
}
/** A signed answer about the size of Linli's payment envelope. */
function signed(type: string, body: Record<string, unknown>): object {
  const payload = { type, id: randomBytes(13).toString('base64url'), at: new Date().toISOString(), ...body };
  const sig = sign(null, Buffer.from(JSON.stringify(payload)), privateKey).toString('base64url');
  return { payload, sig, kid: 'floor' };
}

const app = Fastify({ logger: false });
const step = (name: string) => ({ step: name, at: Date.now(), amountFen: 12345, state: name });
app.get('/bill', async () => {
  await persist(step('bill'));
  return { bills: [signed('bill', { amountFen: 12345, account: '5000000001', billerId: 'water' })] };
});
app.post('/create', async (req) => {
  await persist({ ...step('created'), body: req.body });
  return { payment: signed('payment', { state: 'created', amountFen: 12345 }) };
});
app.post('/present', async () => {
  await persist(step('presented'));
  return { payment: signed('payment', { state: 'presented', amountFen: 12345 }) };
});
app.post('/authorization', async (req) => {
  await persist({ ...step('receipted'), body: req.body });
  return {
    payment: signed('payment', { state: 'receipted', amountFen: 12345 }),
    receipt: signed('receipt', { amountFen: 12345, lines: ['water', '5000000001', '123.45'] }),
  };
});
app.post('/close', async () => {
  await persist(step('closed'));
  return { ok: true };
});
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.stdout.write(`listening http://127.0.0.1:${port}\n`);
process.on('message', (msg) => {
  if (msg === 'stop')
    void app.close().then(() => {
      closeSync(fd);
      process.exit(0);
    });
});
