import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminClient } from '../provisioning/src/admin-client.js';
import { freePort } from '../tests/helpers/processes.js';
import { VirtualKiosk } from './payments/virtual-kiosk.js';
import type { Benchmark } from './run.js';
import { percentile, round } from './stats.js';

const BILLERS = [
  ['water', '5'],
  ['electricity', '6'],
  ['gas', '7'],
  ['property', '8'],
] as const;

/** The baseline: one payment-sized record appended and fsynced at a time, single thread, on the same disk. */
function appendFsyncRate(dir: string, ms: number): number {
  const file = join(dir, 'baseline.log');
  const fd = openSync(file, 'a');
  const rec = Buffer.from(
    `${JSON.stringify({ id: 'pay_01JDQ0000000000000000000AB', state: 'closed', amountFen: 12345, at: Date.now() })}\n`,
  );
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    writeSync(fd, rec);
    fsyncSync(fd);
    n++;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  closeSync(fd);
  rmSync(file);
  return rate;
}

function ask(child: ChildProcess): Promise<{ batches: number; writes: number }> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve((m as { stats: { batches: number; writes: number } }).stats));
    child.send('stats');
  });
}

/**
 * `npm run bench -- payments [--seconds S] [--kiosks K]`: payments per second end to end. The control plane
 * runs as its own process on the benchmark's data dir (SQLite with synchronous=FULL, group commit); K virtual
 * kiosks pay over HTTP, each payment six requests (bill, create, present, authorization with biller posting,
 * capture and signed receipt, close), with every signed answer verified. Baseline: a single-thread
 * append+fsync loop on the same disk, measured before and after in the same run.
 */
export const benchmark: Benchmark = {
  name: 'payments',
  summary: 'payments/s end to end over HTTP vs a raw append+fsync loop on the same disk; p50/p99 per payment',
  async run(args, emit) {
    const arg = (name: string, def: number) => {
      const i = args.indexOf(name);
      return i >= 0 ? Number(args[i + 1]) : def;
    };
    const seconds = arg('--seconds', 10);
    const kiosks = arg('--kiosks', 32);
    // test-results/ is git-ignored, so a fresh clone does not have it.
    mkdirSync(join(process.cwd(), 'test-results'), { recursive: true });
    const dir = mkdtempSync(join(process.cwd(), 'test-results', 'bench-payments-'));
    const port = await freePort();
    const child = fork(
      fileURLToPath(new URL('./payments/cp-child.ts', import.meta.url)),
      [join(dir, 'cp'), String(port), '20000'],
      {
        execArgv: [
          '--import',
          'tsx',
          ...(process.env.LINLI_BENCH_PROFILE
            ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LINLI_BENCH_PROFILE}`]
            : []),
        ],
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      },
    );
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout!.on('data', (b: Buffer) => {
          text += b.toString();
          if (text.includes('listening')) resolve(text);
        });
        child.once('exit', () => reject(new Error(`control plane exited:\n${text}`)));
      });
      const password = out.match(/password: (\S+)/)![1]!;
      const base = `http://127.0.0.1:${port}`;
      const admin = await AdminClient.login(base, 'admin', password);
      const [city] = await admin.listNodes();
      const d = await admin.createNode({ parentId: city!.id, name: '和平区' });
      const s = await admin.createNode({ parentId: d.id, name: '幸福街道' });
      const c = await admin.createNode({ parentId: s.id, name: '阳光社区' });
      const token = await admin.createToken({ nodeId: c.id, role: 'kiosk', maxUses: kiosks });
      const fleet = Array.from({ length: kiosks }, () => new VirtualKiosk(base));
      for (const k of fleet) await k.enroll(token.token);
      let next = 0;
      const account = () => {
        const [billerId, prefix] = BILLERS[next % 4]!;
        const n = Math.floor(next / 4);
        next++;
        return { billerId, account: `${prefix}${String(n).padStart(9, '0')}` };
      };
      // Warm-up: JIT, connections, prepared statements.
      await Promise.all(
        fleet.map((k) => {
          const a = account();
          return k.pay(a.billerId, a.account);
        }),
      );

      const base1 = appendFsyncRate(dir, 2_000);
      const before = await ask(child);
      const latencies: number[] = [];
      const stopAt = performance.now() + seconds * 1000;
      const t0 = performance.now();
      await Promise.all(
        fleet.map(async (k) => {
          while (performance.now() < stopAt) {
            const a = account();
            const t = performance.now();
            await k.pay(a.billerId, a.account);
            latencies.push(performance.now() - t);
          }
        }),
      );
      const elapsed = (performance.now() - t0) / 1000;
      const after = await ask(child);
      const base2 = appendFsyncRate(dir, 2_000);
      const baseline = (base1 + base2) / 2;
      const rate = latencies.length / elapsed;
      const batches = after.batches - before.batches;
      emit({
        name: 'payments',
        value: round(rate, 1),
        unit: 'payments/s',
        baseline: round(baseline, 0),
        ratio: round(rate / baseline, 3),
        goal: 1,
        p50: round(percentile(latencies, 50), 1),
        p99: round(percentile(latencies, 99), 1),
        kiosks,
        payments: latencies.length,
        seconds: round(elapsed, 1),
        baselineRuns: [round(base1, 0), round(base2, 0)],
        /** Commits (fsyncs) the control plane made per payment: ~9 without group commit. */
        commitsPerPayment: round(batches / latencies.length, 2),
        writesPerCommit: round((after.writes - before.writes) / Math.max(1, batches), 1),
      });
    } finally {
      child.send('stop');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
