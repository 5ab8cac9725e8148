import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleStaleness } from '../bin/device-bundle.js';
import { buildDeviceBundle } from '../cli/build/device-bundle.js';
import type { DeviceRole } from '../protocol/schemas/common.js';
import {
  type DeviceMode,
  type DeviceProcess,
  firstNotice,
  machine,
  prepareFleet,
  REPO,
  sleep,
  spawnDevice,
  treeRss,
} from './device-fixture.js';
import type { Benchmark } from './run.js';
import { percentile, round } from './stats.js';

const MB = 1e6;

const BARE_NODE = [
  '-e',
  "require('node:http').createServer((q,s)=>s.end('{}')).listen(0,'127.0.0.1',function(){console.log('serving on http://127.0.0.1:'+this.address().port)})",
];
/** Fastify with one route, after one fetch (Node's undici, which the device's API client also loads). */
const BARE_FASTIFY = [
  '--input-type=module',
  '-e',
  "import Fastify from 'fastify'; const app = Fastify(); app.get('/', async () => ({})); const url = await app.listen({ host: '127.0.0.1', port: 0 }); await fetch(url); console.log('serving on ' + url);",
];

/**
 * Bare `node` with an idle HTTP server on loopback: the floor a device process is compared with; with
 * `fastify`, the same with Fastify instead of node:http (the device's local server is Fastify).
 */
export function spawnBareNode(fastify = false): DeviceProcess {
  const child = spawn(process.execPath, fastify ? BARE_FASTIFY : BARE_NODE, {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (c) => reject(new Error(`bare node exited (${c})`)));
  });
  url.catch(() => undefined);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    pid: child.pid!,
    url,
    async stop() {
      if (child.exitCode === null) process.kill(child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

/** Median of a few RSS samples once the process has settled (channel open, content in step). */
async function steadyRss(p: DeviceProcess, settleMs: number): Promise<{ self: number; children: number }> {
  await sleep(settleMs);
  const self: number[] = [];
  const children: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = treeRss(p.pid);
    self.push(r.self);
    children.push(r.children);
    await sleep(200);
  }
  return { self: percentile(self, 50), children: percentile(children, 50) };
}

interface Subject {
  key: string;
  role?: DeviceRole;
  mode?: DeviceMode;
  bin?: string;
}

/**
 * Resident memory of a device process in steady state (online, content verified and shown) against bare
 * `node` with an idle HTTP server, in the same run, interleaved round by round. The kiosk from the bundle is
 * the figure (`ratio`); the kiosk from the TypeScript sources (tsx, with its esbuild child), the lobby screen
 * and the LED sign are printed beside it, and bare Fastify (one route) as a second floor. `--before DIR` adds
 * another checkout's kiosk (e.g. main, from tsx).
 */
export const benchmark: Benchmark = {
  name: 'runtime-rss',
  summary: 'kiosk role steady RSS (bundle) vs bare node, interleaved; tsx, lobby and LED beside it',
  async run(args, emit) {
    const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
    const settleMs = Number(args[args.indexOf('--settle-ms') + 1]) || 3000;
    const withTsx = !args.includes('--no-tsx');
    const before = args.includes('--before') ? args[args.indexOf('--before') + 1] : undefined;
    if (bundleStaleness() !== undefined) await buildDeviceBundle();
    const root = mkdtempSync(join(tmpdir(), 'linli-rss-'));
    const fleet = await prepareFleet(root, ['kiosk', 'lobby', 'led'], 'bundle');
    const subjects: Subject[] = [
      { key: 'bare' },
      { key: 'kiosk', role: 'kiosk', mode: 'bundle' },
      { key: 'fastify' },
      ...(withTsx ? [{ key: 'kiosk.tsx', role: 'kiosk', mode: 'tsx' } as Subject] : []),
      { key: 'lobby', role: 'lobby', mode: 'bundle' },
      { key: 'led', role: 'led', mode: 'bundle' },
      ...(before
        ? [
            {
              key: 'kiosk.before',
              role: 'kiosk',
              mode: 'tsx',
              bin: resolve(before, 'bin/linli.js'),
            } as Subject,
          ]
        : []),
    ];
    const samples = new Map(subjects.map((s) => [s.key, [] as { self: number; children: number }[]]));
    const loadBefore = machine();
    try {
      for (let r = 0; r < rounds; r++) {
        for (const s of subjects) {
          const p = s.role
            ? spawnDevice(fleet.stateDirs[s.role], s.mode!, s.bin)
            : spawnBareNode(s.key === 'fastify');
          try {
            const url = await p.url;
            if (s.role) await firstNotice(url, s.role);
            samples.get(s.key)!.push(await steadyRss(p, settleMs));
          } finally {
            await p.stop();
          }
        }
      }
    } finally {
      await fleet.stopControlPlane();
      rmSync(root, { recursive: true, force: true });
    }
    const med = (key: string, part: 'self' | 'children' = 'self') =>
      percentile(
        samples.get(key)!.map((x) => x[part]),
        50,
      );
    const bare = med('bare');
    const common = { rounds, settleMs, machine: { ...loadBefore, loadavgAfter: machine().loadavg } };
    emit({
      name: 'runtime-rss',
      value: round(med('kiosk') / MB, 1),
      unit: 'MB',
      baseline: round(bare / MB, 1),
      ratio: round(med('kiosk') / bare, 2),
      goal: 1.6,
      runtime: 'bundle',
      role: 'kiosk',
      ...common,
    });
    emit({
      name: 'runtime-rss.bare_fastify',
      value: round(med('fastify') / MB, 1),
      unit: 'MB',
      baseline: round(bare / MB, 1),
      ratio: round(med('fastify') / bare, 2),
    });
    for (const s of subjects.slice(3)) {
      const total = med(s.key) + med(s.key, 'children');
      emit({
        name: `runtime-rss.${s.key}`,
        value: round(total / MB, 1),
        unit: 'MB',
        self: round(med(s.key) / MB, 1),
        children: round(med(s.key, 'children') / MB, 1),
        baseline: round(bare / MB, 1),
        ratio: round(total / bare, 2),
        runtime: s.bin ? `tsx (${before})` : s.mode,
        role: s.role,
      });
    }
  },
};
