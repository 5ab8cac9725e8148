import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from '../provisioning/src/admin-client.js';
import { freePort, LinliProcess } from '../tests/helpers/processes.js';
import { Child, cpuMicros, machineFigure } from './fanout/processes.js';
import type { StormCounts, StormSetup } from './fanout/storm-devices.js';
import type { Benchmark } from './run.js';
import { round } from './stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SAMPLE_MS = 250;

/**
 * Restart with a connected fleet: N devices (the device runtime's own channel and backoff, production
 * defaults unless --base-ms/--cap-ms) hold channels to a control plane; it is stopped (every channel closed
 * with 1012 "server restart") and started again on the same data and port. `value` is seconds from the stop
 * until every device has its welcome again; `failed` counts handshakes begun after the server was back that
 * did not end in a welcome; peak CPU is the control plane's busiest 250 ms, in % of one core.
 */
export const benchmark: Benchmark = {
  name: 'reconnect-storm',
  summary:
    'restart the control plane with N connected devices: seconds until all are back, failed handshakes',
  async run(args, emit) {
    const flag = (name: string, dflt: number) => {
      const at = args.indexOf(name);
      return at >= 0 ? Number(args[at + 1]) : dflt;
    };
    const n = flag('--devices', 10_000);
    const limitSec = flag('--limit-sec', 120);
    if (!Number.isInteger(n) || n < 1 || n > 18_000) throw new Error('--devices must be 1–18000 (fd limit)');
    const setupBase = { backoffBaseMs: flag('--base-ms', 1_000), backoffCapMs: flag('--cap-ms', 300_000) };
    // --cpu-prof DIR: the restarted control plane writes a V8 CPU profile there when it stops.
    const profAt = args.indexOf('--cpu-prof');
    const profArgv = profAt >= 0 ? ['--cpu-prof', `--cpu-prof-dir=${args[profAt + 1]}`] : [];
    emit(machineFigure());
    const root = mkdtempSync(join(tmpdir(), 'linli-storm-'));
    const port = await freePort();
    const cpArgs = [
      'control-plane',
      '--data',
      join(root, 'cp'),
      '--port',
      String(port),
      '--log-level',
      'warn',
    ];
    let cp = new LinliProcess('control-plane', cpArgs);
    const devices = new Child('storm-devices.ts');
    try {
      const [, password] = await cp.waitFor(/created admin "admin" with password: (\S+)/);
      await cp.waitFor(/Control plane listening on/);
      const admin = await AdminClient.login(`http://127.0.0.1:${port}`, 'admin', password!);
      const [city] = await admin.listNodes();
      const district = await admin.createNode({ parentId: city!.id, name: '重连区' });
      const community = await admin.createNode({ parentId: district.id, name: '重连社区' });
      const token = await admin.createToken({ nodeId: community.id, role: 'lobby', maxUses: 1 });
      const connectMs = await devices.call<number>(
        {
          cmd: 'setup',
          setup: {
            n,
            port,
            dbPath: join(root, 'cp', 'linli.sqlite'),
            nodeId: community.id,
            tokenId: token.id,
            ...setupBase,
          } satisfies StormSetup,
        },
        300_000,
      );

      const t0 = performance.now();
      await cp.stop();
      const downMs = performance.now() - t0;
      cp = new LinliProcess('control-plane', cpArgs, {}, profArgv);
      await cp.waitFor(/Control plane listening on/);
      const readyMs = performance.now() - t0;
      await devices.call({ cmd: 'mark' });
      const pid = cp.child.pid!;
      let lastCpu = cpuMicros(pid);
      let lastDevCpu = cpuMicros(devices.pid);
      let lastAt = performance.now();
      let peak = 0;
      // The devices' process too: 10k device channels in one process can be the bottleneck themselves
      // (a real fleet has a CPU per device), and a starved event loop fires handshake timeouts late-but-first.
      let peakDevices = 0;
      let counts = await devices.call<StormCounts>({ cmd: 'counts' });
      while (counts.open < n && performance.now() - t0 < limitSec * 1000) {
        await sleep(SAMPLE_MS);
        const cpu = cpuMicros(pid);
        const at = performance.now();
        peak = Math.max(peak, (cpu - lastCpu) / 10 / (at - lastAt));
        const devCpu = cpuMicros(devices.pid);
        peakDevices = Math.max(peakDevices, (devCpu - lastDevCpu) / 10 / (at - lastAt));
        lastCpu = cpu;
        lastDevCpu = devCpu;
        lastAt = at;
        counts = await devices.call<StormCounts>({ cmd: 'counts' });
      }
      const backSec = (performance.now() - t0) / 1000;
      emit({
        name: 'reconnect-storm',
        value: round(backSec, 1),
        unit: 's',
        devices: n,
        back: counts.open,
        failed: counts.handshakeFailures + counts.refusedByPolicy,
        refused_by_policy: counts.refusedByPolicy,
        failed_by_close: counts.failuresByClose,
        retries_after_ready: counts.retries,
        stop_ms: round(downMs, 0),
        ready_after_s: round(readyMs / 1000, 1),
        peak_cpu_pct: round(peak, 0),
        peak_devices_cpu_pct: round(peakDevices, 0),
        initial_connect_ms: connectMs,
        backoff_base_ms: setupBase.backoffBaseMs,
        backoff_cap_ms: setupBase.backoffCapMs,
        goal: `${n} back ≤ 60 s, 0 failed`,
      });
      if (counts.open < n) throw new Error(`only ${counts.open}/${n} back within ${limitSec} s`);
    } finally {
      await devices.stop();
      await cp.stop();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
