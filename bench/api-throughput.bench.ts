import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { API } from '../protocol/api.js';
import { AdminClient } from '../provisioning/src/admin-client.js';
import { freePort } from '../tests/helpers/processes.js';
import { machine } from './machine.js';
import type { Benchmark } from './run.js';
import { round } from './stats.js';

interface Seeded {
  url: string;
  password: string;
  community: string;
  deviceToken: string;
  nodes: number;
  devices: number;
}

/** Forks a child under tsx and waits for its `listening` line; rejects with its output if it exits first. */
async function start(
  file: string,
  args: string[],
  profileDir?: string,
): Promise<{ child: ChildProcess; out: string }> {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), args, {
    execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const out = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (b: Buffer) => {
      text += b.toString();
      if (text.includes('listening')) resolve(text);
    });
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) before listening:\n${text}`)));
    // Bounded: a child that never comes up (a wedged loader under heavy load) fails the run instead.
    setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not listen within 120 s:\n${text}`));
    }, 120_000).unref();
  });
  return { child, out };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.send('stop');
  const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function getJson(url: string, headers: Record<string, string>): Promise<unknown> {
  const res = await fetch(url, { headers });
  const body = await res.json();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

interface Target {
  name: string;
  summary: string;
  path: string;
  query: string;
  headers: Record<string, string>;
}

/**
 * `npm run bench -- api-throughput [--seconds S] [--rounds R] [--connections C]`: requests/s of an
 * authenticated admin GET (a city admin lists the devices of one community, in a 361-node, 3,000-device
 * city) and an authenticated device GET (a kiosk polls its pending reprints) against a bare Fastify route
 * answering the same JSON body, each server its own process, the same autocannon load (C connections,
 * loopback), rounds interleaved bare/Linli with the order alternating so a busy neighbour hits both alike.
 * `LINLI_BENCH_PROFILE=dir` writes a CPU profile of the control plane.
 */
export const benchmark: Benchmark = {
  name: 'api-throughput',
  summary: 'authenticated admin and device GETs vs a bare Fastify route (autocannon, interleaved); ratio',
  async run(args, emit) {
    const arg = (name: string, def: number) => {
      const i = args.indexOf(name);
      return i >= 0 ? Number(args[i + 1]) : def;
    };
    const seconds = arg('--seconds', 3);
    const rounds = arg('--rounds', 3);
    const connections = arg('--connections', 10);
    const loadBefore = machine();
    mkdirSync(join(process.cwd(), 'test-results'), { recursive: true });
    const dir = mkdtempSync(join(process.cwd(), 'test-results', 'bench-api-'));
    const children: ChildProcess[] = [];
    try {
      const linliPort = await freePort();
      const linli = await start(
        './api/linli-child.ts',
        [join(dir, 'cp'), String(linliPort)],
        process.env.LINLI_BENCH_PROFILE,
      );
      children.push(linli.child);
      const seeded = JSON.parse(linli.out.split('\n')[0]!) as Seeded;
      const admin = await AdminClient.login(seeded.url, 'admin', seeded.password);
      const adminAuth = { authorization: `Bearer ${admin.token}` };
      const targets: Target[] = [
        {
          name: 'api-throughput-admin',
          summary: 'city admin: GET devices of one community',
          path: API.devices,
          query: `?nodeId=${encodeURIComponent(seeded.community)}`,
          headers: adminAuth,
        },
        {
          name: 'api-throughput-device',
          summary: 'kiosk: GET pending reprints',
          path: API.deviceReprints,
          query: '',
          headers: { authorization: `Bearer ${seeded.deviceToken}` },
        },
      ];
      const bodies = [];
      for (const t of targets) {
        bodies.push({ path: t.path, body: await getJson(`${seeded.url}${t.path}${t.query}`, t.headers) });
      }
      const barePort = await freePort();
      const bodiesFile = join(dir, 'bodies.json');
      writeFileSync(bodiesFile, JSON.stringify(bodies));
      const bare = await start('./api/bare-child.ts', [String(barePort), bodiesFile]);
      children.push(bare.child);
      const bareUrl = `http://127.0.0.1:${barePort}`;

      const load = async (url: string, t: Target, duration: number) => {
        const r = await autocannon({
          url: `${url}${t.path}${t.query}`,
          connections,
          duration,
          headers: t.headers,
        });
        if (r.non2xx > 0 || r.errors > 0) {
          throw new Error(`${url}${t.path}: ${r.non2xx} non-2xx, ${r.errors} errors under load`);
        }
        return r;
      };
      // Warm-up: JIT, connections, statement caches, on both servers.
      for (const t of targets) {
        await load(bareUrl, t, 1);
        await load(seeded.url, t, 1);
      }
      for (const t of targets) {
        const linliRuns: { rps: number; p50: number; p99: number }[] = [];
        const bareRuns: { rps: number; p50: number; p99: number }[] = [];
        for (let i = 0; i < rounds; i++) {
          const order = i % 2 === 0 ? (['bare', 'linli'] as const) : (['linli', 'bare'] as const);
          for (const who of order) {
            const r = await load(who === 'bare' ? bareUrl : seeded.url, t, seconds);
            (who === 'bare' ? bareRuns : linliRuns).push({
              rps: r.requests.total / r.duration,
              p50: r.latency.p50,
              p99: r.latency.p99,
            });
          }
        }
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
        const linliRps = mean(linliRuns.map((r) => r.rps));
        const bareRps = mean(bareRuns.map((r) => r.rps));
        emit({
          name: t.name,
          value: round(linliRps, 0),
          unit: 'req/s',
          baseline: round(bareRps, 0),
          ratio: round(linliRps / bareRps, 3),
          goal: 0.8,
          p50: median(linliRuns.map((r) => r.p50)),
          p99: median(linliRuns.map((r) => r.p99)),
          baselineP50: median(bareRuns.map((r) => r.p50)),
          baselineP99: median(bareRuns.map((r) => r.p99)),
          roundRatios: linliRuns.map((r, j) => round(r.rps / bareRuns[j]!.rps, 3)),
          route: `GET ${t.path}${t.query ? '?…' : ''} (${t.summary})`,
          tree: { nodes: seeded.nodes, devices: seeded.devices },
          connections,
          seconds,
          rounds,
          latencyUnit: 'ms',
          machine: { ...machine(), loadavgBefore: loadBefore.loadavg },
        });
      }
    } finally {
      for (const c of children.reverse()) await stop(c);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
