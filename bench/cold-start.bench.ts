import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleStaleness } from '../bin/device-bundle.js';
import { buildDeviceBundle } from '../cli/build/device-bundle.js';
import type { DeviceRole } from '../protocol/schemas/common.js';
import {
  cpuMs,
  type DeviceMode,
  type DeviceProcess,
  firstNotice,
  machine,
  prepareFleet,
  spawnDevice,
} from './device-fixture.js';
import type { Benchmark } from './run.js';
import { spawnBareNode } from './runtime-rss.bench.js';
import { percentile, round } from './stats.js';

interface Subject {
  key: string;
  role?: DeviceRole;
  mode?: DeviceMode;
  bin?: string;
}

/**
 * Milliseconds from spawn until the role's notice endpoint serves a verified notice (bare node: any reply),
 * and the CPU time the process had used by then: on a shared machine the wall time mostly measures the queue
 * for a core, the CPU time what the start itself costs.
 */
async function timeToNotice(
  s: Subject,
  stateDirs: Record<DeviceRole, string>,
): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const p: DeviceProcess = s.role ? spawnDevice(stateDirs[s.role], s.mode!, s.bin) : spawnBareNode();
  try {
    const url = await p.url;
    if (s.role) await firstNotice(url, s.role);
    else await (await fetch(url)).text();
    return { wall: performance.now() - t0, cpu: cpuMs(p.pid) };
  } finally {
    await p.stop();
  }
}

/**
 * Cold start with the control plane down and content verified on disk: from spawning `linli device` until
 * its local screen endpoint serves the first verified notice (kiosk: /kiosk/api/notices). Bare `node`
 * answering its first HTTP request is the floor, measured in the same rounds; the kiosk from the TypeScript
 * sources (tsx) and the lobby screen are printed beside it. `--before DIR` adds another checkout's kiosk.
 */
export const benchmark: Benchmark = {
  name: 'cold-start',
  summary: 'device start (control plane down, cached content) to first verified notice served, ms',
  async run(args, emit) {
    const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
    const rounds = Number(opt('--rounds')) || 7;
    const before = opt('--before');
    if (bundleStaleness() !== undefined) await buildDeviceBundle();
    const root = mkdtempSync(join(tmpdir(), 'linli-cold-'));
    const fleet = await prepareFleet(root, ['kiosk', 'lobby'], 'bundle');
    await fleet.stopControlPlane();
    const subjects: Subject[] = [
      { key: 'bare' },
      { key: 'kiosk', role: 'kiosk', mode: 'bundle' },
      ...(args.includes('--no-tsx') ? [] : [{ key: 'kiosk.tsx', role: 'kiosk', mode: 'tsx' } as Subject]),
      { key: 'lobby', role: 'lobby', mode: 'bundle' },
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
    const samples = new Map(subjects.map((s) => [s.key, [] as { wall: number; cpu: number }[]]));
    const loadBefore = machine();
    try {
      // One unmeasured start of each warms the page cache, as on a device that booted before.
      for (const s of subjects) await timeToNotice(s, fleet.stateDirs);
      for (let r = 0; r < rounds; r++) {
        for (const s of subjects) samples.get(s.key)!.push(await timeToNotice(s, fleet.stateDirs));
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const p = (key: string, q: number, part: 'wall' | 'cpu' = 'wall') =>
      round(
        percentile(
          samples.get(key)!.map((x) => x[part]),
          q,
        ),
        0,
      );
    emit({
      name: 'cold-start',
      value: p('kiosk', 50),
      unit: 'ms',
      p50: p('kiosk', 50),
      p99: p('kiosk', 99),
      max: p('kiosk', 100),
      baseline: p('bare', 50),
      ratio: round(p('kiosk', 50) / p('bare', 50), 2),
      goal: 1000,
      cpu_ms: p('kiosk', 50, 'cpu'),
      baseline_cpu_ms: p('bare', 50, 'cpu'),
      runtime: 'bundle',
      role: 'kiosk',
      rounds,
      machine: { ...loadBefore, loadavgAfter: machine().loadavg },
    });
    for (const s of subjects.slice(2)) {
      emit({
        name: `cold-start.${s.key}`,
        value: p(s.key, 50),
        unit: 'ms',
        p50: p(s.key, 50),
        p99: p(s.key, 99),
        baseline: p('bare', 50),
        ratio: round(p(s.key, 50) / p('bare', 50), 2),
        cpu_ms: p(s.key, 50, 'cpu'),
        runtime: s.bin ? `tsx (${before})` : s.mode,
        role: s.role,
      });
    }
  },
};
