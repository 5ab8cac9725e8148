import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { AdminClient } from '../provisioning/src/admin-client.js';
import { freePort } from '../tests/helpers/processes.js';
import { machine, processCpuMs } from './machine.js';
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

async function postJson(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** One payment's worth of requests against the floor server, shaped like the virtual kiosk's. */
async function floorPayment(base: string): Promise<void> {
  const res = await fetch(`${base}/bill?billerId=water&account=5000000001`);
  if (!res.ok) throw new Error(`floor bill: ${res.status}`);
  await res.json();
  await postJson(`${base}/create`, {
    billId: 'bill_01JDQ0000000000000000000AB',
    amountFen: 12345,
    method: 'terminal',
  });
  await postJson(`${base}/present`, {});
  await postJson(`${base}/authorization`, {
    terminal: { outcome: 'approved', amountFen: 12345, reference: 'pay_x', authCode: '123456' },
  });
  await postJson(`${base}/close`, {});
}

/** The floor server's CPU per payment over `ms` of the same concurrency as the Linli run. */
async function floorRun(child: ChildProcess, base: string, kiosks: number, ms: number): Promise<number> {
  const cpu0 = processCpuMs(child.pid!);
  let payments = 0;
  const stopAt = performance.now() + ms;
  await Promise.all(
    Array.from({ length: kiosks }, async () => {
      while (performance.now() < stopAt) {
        await floorPayment(base);
        payments++;
      }
    }),
  );
  return (processCpuMs(child.pid!) - cpu0) / payments;
}

async function startChild(
  file: string,
  args: string[],
  profile: boolean,
): Promise<{ child: ChildProcess; out: string }> {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), args, {
    execArgv: [
      '--import',
      'tsx',
      ...(profile && process.env.LINLI_BENCH_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LINLI_BENCH_PROFILE}`]
        : []),
    ],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const out = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (b: Buffer) => {
      text += b.toString();
      if (text.includes('listening')) resolve(text);
    });
    child.once('exit', () => reject(new Error(`${file} exited:\n${text}`)));
    // Bounded: a child that never comes up (a wedged loader under heavy load) fails the run instead.
    setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not listen within 120 s:\n${text}`));
    }, 120_000).unref();
  });
  return { child, out };
}

function stopChild(child: ChildProcess): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((r) => child.once('exit', r));
  child.send('stop');
  return exited;
}

function ask(child: ChildProcess): Promise<{ batches: number; writes: number }> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve((m as { stats: { batches: number; writes: number } }).stats));
    child.send('stats');
  });
}

/**
 * `npm run bench -- payments [--seconds S] [--kiosks K] [--pg URL]`: payments per second end to end. The control plane
 * runs as its own process on the benchmark's data dir (SQLite with synchronous=FULL, group commit); K virtual
 * kiosks pay over HTTP, each payment five requests (bill, create, present, authorization with biller posting,
 * capture and signed receipt, close), with every signed answer verified. Baseline: a single-thread
 * append+fsync loop on the same disk, measured before and after in the same run.
 * Second line, `payments-cpu`: the control plane's CPU (utime+stime from /proc) over the run ÷ payments, and
 * its floor: the same kiosk concurrency against bare Fastify doing a payment's irreducible work
 * (payments/floor-child.ts: five requests, five Ed25519 signatures, every step fsynced with group commit),
 * measured before and after the Linli run. The control plane's figure includes the in-process simulated
 * biller, gateway and wallet (their SQL and outbox), which a production control plane does not run.
 * With `--pg URL` the control plane stores in PostgreSQL (its own `--pg`), in a fresh schema dropped after.
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
    const pgAt = args.indexOf('--pg');
    const pgUrl = pgAt >= 0 ? args[pgAt + 1] : undefined;
    const pgSchema = `linli_bench_${Date.now().toString(36)}`;
    const store = pgUrl ? 'postgresql' : 'sqlite';
    const kiosks = arg('--kiosks', 32);
    // test-results/ is git-ignored, so a fresh clone does not have it.
    mkdirSync(join(process.cwd(), 'test-results'), { recursive: true });
    const dir = mkdtempSync(join(process.cwd(), 'test-results', 'bench-payments-'));
    const port = await freePort();
    const loadBefore = machine();
    const started = await startChild(
      './payments/cp-child.ts',
      [join(dir, 'cp'), String(port), '20000', ...(pgUrl ? [pgUrl, pgSchema] : [])],
      true,
    );
    const child = started.child;
    let floor: ChildProcess | undefined;
    try {
      const out = started.out;
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

      const floorPort = await freePort();
      floor = (await startChild('./payments/floor-child.ts', [dir, String(floorPort)], false)).child;
      const floorBase = `http://127.0.0.1:${floorPort}`;
      await floorRun(floor, floorBase, kiosks, 1_000); // warm-up
      const floor1 = await floorRun(floor, floorBase, kiosks, (seconds * 1000) / 2);
      const base1 = appendFsyncRate(dir, 2_000);
      const before = await ask(child);
      const cpu0 = processCpuMs(child.pid!);
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
      const cpuMs = processCpuMs(child.pid!) - cpu0;
      const after = await ask(child);
      const base2 = appendFsyncRate(dir, 2_000);
      const floor2 = await floorRun(floor, floorBase, kiosks, (seconds * 1000) / 2);
      const floorMs = (floor1 + floor2) / 2;
      const cpuPerPayment = cpuMs / latencies.length;
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
        // Group commit is SQLite's: on PostgreSQL there are no batch counters to report.
        ...(store === 'sqlite'
          ? {
              /** Commits (fsyncs) the control plane made per payment: ~9 without group commit. */
              commitsPerPayment: round(batches / latencies.length, 2),
              writesPerCommit: round((after.writes - before.writes) / Math.max(1, batches), 1),
            }
          : {}),
        store,
        machine: { ...machine(), loadavgBefore: loadBefore.loadavg },
      });
      emit({
        name: 'payments-cpu',
        value: round(cpuPerPayment, 3),
        unit: 'ms',
        cpu_ms_per_payment: round(cpuPerPayment, 3),
        floor_ms: round(floorMs, 3),
        baseline: round(floorMs, 3),
        cpu_ratio_to_floor: round(cpuPerPayment / floorMs, 2),
        ratio: round(cpuPerPayment / floorMs, 2),
        goal: 2,
        floorRuns: [round(floor1, 3), round(floor2, 3)],
        payments: latencies.length,
        store,
        machine: { ...machine(), loadavgBefore: loadBefore.loadavg },
      });
    } finally {
      await stopChild(child);
      if (floor) await stopChild(floor);
      rmSync(dir, { recursive: true, force: true });
      if (pgUrl) {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`).finally(() => client.end());
      }
    }
  },
};
