import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from '../provisioning/src/admin-client.js';
import { freePort, LinliProcess } from '../tests/helpers/processes.js';
import { Child, cpuMicros, Mosquitto, machineFigure, rssBytes } from './fanout/processes.js';
import type { RoundResult, Setup } from './fanout/receivers.js';
import type { Benchmark } from './run.js';
import { round } from './stats.js';

/** Connecting 10,000 receivers on a loaded 2-core VM can take minutes; every step is still bounded. */
const SETUP_MS = 600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function waitPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await sleep(100);
  }
}

/** Memory the server process gained per held connection (RSS after − before, settled). */
async function perConnection(pid: number, n: number, connect: () => Promise<unknown>): Promise<number> {
  await sleep(500);
  const before = rssBytes(pid);
  await connect();
  await sleep(1_000);
  return (rssBytes(pid) - before) / n / 1024;
}

interface Side {
  name: 'linli' | 'mosquitto';
  pid: number;
  receivers: Child;
  rounds: RoundResult[];
  cpuUs: number[];
}

/**
 * Linli's emergency fan-out against Mosquitto 2.0 (QoS 0, `allow_duplicate_messages true`): N authenticated
 * device channels on one side, N MQTT subscribers on the other, raw-socket receivers on both (same code
 * path cost), the same payload size, rounds interleaved so the shared VM's noise hits both alike. Round 1 of
 * each is the first publish after connecting; the summary ratio is Linli p99 / Mosquitto p99 (median over
 * rounds), cpu_ratio the server CPU per device, Linli ÷ Mosquitto. Memory per connection is measured for
 * Linli, a bare `ws` server and Mosquitto, with the same receivers.
 */
export const benchmark: Benchmark = {
  name: 'fanout-vs-mosquitto',
  summary:
    'emergency push to N device channels vs Mosquitto QoS 0 fan-out: p99 ratio, CPU ratio, memory/conn',
  async run(args, emit) {
    const flag = (name: string, dflt: number) => {
      const at = args.indexOf(name);
      return at >= 0 ? Number(args[at + 1]) : dflt;
    };
    const n = flag('--devices', 10_000);
    const rounds = flag('--rounds', 5);
    // --cpu-prof DIR: the control plane writes a V8 CPU profile there when it stops.
    const profAt = args.indexOf('--cpu-prof');
    const profArgv = profAt >= 0 ? ['--cpu-prof', `--cpu-prof-dir=${args[profAt + 1]}`] : [];
    if (!Number.isInteger(n) || n < 1 || n > 18_000) throw new Error('--devices must be 1–18000 (fd limit)');
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error('--rounds must be 1–20');
    emit(machineFigure());
    const root = mkdtempSync(join(tmpdir(), 'linli-fanout-'));
    const stops: Array<() => Promise<unknown>> = [];
    try {
      // 1. Bare ws: what a WebSocket connection costs with nothing on top.
      const wsPort = await freePort();
      const bare = new Child('bare-ws-server.ts', [String(wsPort)]);
      stops.push(() => bare.stop());
      await bare.waitLine(/listening/);
      const wsReceivers = new Child('receivers.ts');
      stops.push(() => wsReceivers.stop());
      const wsKiB = await perConnection(bare.pid, n, () =>
        wsReceivers.call({ cmd: 'setup', setup: { kind: 'ws', n, port: wsPort } satisfies Setup }, SETUP_MS),
      );
      await wsReceivers.stop();
      await bare.stop();

      // 2. Mosquitto, our own process on a free port.
      const mqttPort = await freePort();
      const mosq = new Mosquitto(mqttPort);
      stops.push(() => mosq.stop());
      await waitPort(mqttPort).catch((err: Error) => {
        throw new Error(`${err.message}; mosquitto said: ${mosq.output}`);
      });
      const mqtt: Side = {
        name: 'mosquitto',
        pid: mosq.child.pid!,
        receivers: new Child('receivers.ts'),
        rounds: [],
        cpuUs: [],
      };
      stops.push(() => mqtt.receivers.stop());
      const mqttKiB = await perConnection(mqtt.pid, n, () =>
        mqtt.receivers.call(
          {
            cmd: 'setup',
            setup: { kind: 'mqtt', n, port: mqttPort, topic: 'linli/city/district/street' } satisfies Setup,
          },
          SETUP_MS,
        ),
      );

      // 3. Linli: a control plane in its own process, N enrolled devices with real signed-nonce channels.
      const port = await freePort();
      const cp = new LinliProcess(
        'control-plane',
        ['control-plane', '--data', join(root, 'cp'), '--port', String(port), '--log-level', 'warn'],
        {},
        profArgv,
      );
      stops.push(() => cp.stop());
      const [, password] = await cp.waitFor(/created admin "admin" with password: (\S+)/);
      await cp.waitFor(/Control plane listening on/);
      const admin = await AdminClient.login(`http://127.0.0.1:${port}`, 'admin', password!);
      const [city] = await admin.listNodes();
      const district = await admin.createNode({ parentId: city!.id, name: '压测区' });
      const street = await admin.createNode({ parentId: district.id, name: '压测街道' });
      const community = await admin.createNode({ parentId: street.id, name: '压测社区' });
      const token = await admin.createToken({ nodeId: community.id, role: 'lobby', maxUses: 1 });
      const linli: Side = {
        name: 'linli',
        pid: cp.child.pid!,
        receivers: new Child('receivers.ts'),
        rounds: [],
        cpuUs: [],
      };
      stops.push(() => linli.receivers.stop());
      const linliKiB = await perConnection(linli.pid, n, () =>
        linli.receivers.call(
          {
            cmd: 'setup',
            setup: {
              kind: 'linli',
              n,
              port,
              dbPath: join(root, 'cp', 'linli.sqlite'),
              nodeId: community.id,
              streetId: street.id,
              tokenId: token.id,
              password: password!,
            } satisfies Setup,
          },
          SETUP_MS,
        ),
      );

      // 4. Interleaved rounds: Linli publishes, then Mosquitto with the same payload size.
      let payloadBytes = 0;
      for (let r = 0; r < rounds; r++) {
        for (const side of [linli, mqtt]) {
          await sleep(300);
          const cpu0 = cpuMicros(side.pid);
          const res = await side.receivers.call<RoundResult>({ cmd: 'round', payloadBytes }, 60_000);
          side.cpuUs.push(cpuMicros(side.pid) - cpu0);
          if (res.received !== n)
            throw new Error(`${side.name} round ${r + 1}: only ${res.received}/${n} arrived`);
          if (side === linli) payloadBytes = res.payloadBytes;
          side.rounds.push(res);
        }
      }

      const summary = (s: Side) => ({
        p50: median(s.rounds.map((x) => x.p50)),
        p99: median(s.rounds.map((x) => x.p99)),
        max: Math.max(...s.rounds.map((x) => x.max)),
        first_p99: s.rounds[0]!.p99,
        cpu_us_per_device: round(median(s.cpuUs) / n, 1),
        rounds_p99: s.rounds.map((x) => x.p99),
      });
      const L = summary(linli);
      const M = summary(mqtt);
      for (const [name, s] of [
        ['linli', L],
        ['mosquitto', M],
      ] as const) {
        emit({
          name: `fanout-vs-mosquitto.${name}`,
          value: s.p99,
          unit: 'ms',
          devices: n,
          payloadBytes,
          ...s,
        });
      }
      emit({
        name: 'fanout-vs-mosquitto.memory',
        value: round(linliKiB, 2),
        unit: 'KiB/connection',
        baseline: round(wsKiB, 2),
        ratio: round(linliKiB / wsKiB, 2),
        ws_kib: round(wsKiB, 2),
        mosquitto_kib: round(mqttKiB, 2),
        goal: '≤ bare ws',
      });
      emit({
        name: 'fanout-vs-mosquitto',
        value: round(L.p99 / M.p99, 2),
        unit: 'ratio',
        p99: L.p99,
        baseline: M.p99,
        ratio: round(L.p99 / M.p99, 2),
        first_ratio: round(L.first_p99 / M.first_p99, 2),
        cpu_ratio: round(L.cpu_us_per_device / M.cpu_us_per_device, 2),
        cpu_us_per_device: L.cpu_us_per_device,
        cpu_baseline_us: M.cpu_us_per_device,
        devices: n,
        rounds,
        payloadBytes,
        goal: 'ratio ≤ 1.0, cpu_ratio ≤ 1.0',
      });
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    }
  },
};
