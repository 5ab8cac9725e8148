import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AdminClient } from '../../../provisioning/src/admin-client.js';
import { FaultProxy } from '../fault-proxy.js';
import { freePort } from '../processes.js';
import { buildChaosBin } from './chaos-bin.js';
import { ChaosProc } from './chaos-proc.js';

export interface ChaosWorldOptions {
  kiosks: number;
  /** Random faults in the simulated biller, acquirer and wallet, and on the kiosk ↔ control plane path. */
  faults: boolean;
  seed: number;
  log?: (line: string) => void;
}

export interface KioskHandle {
  index: number;
  stateDir: string;
  port: number;
  url: string;
  proxy: FaultProxy;
  proc: ChaosProc | undefined;
}

const SIM_FAULTS = {
  // A little latency at the biller widens the window between `authorized` and `posted` for the kills.
  biller: { slowMs: 20, downRate: 0.04, lostResponseRate: 0.04, rejectRate: 0.03 },
  gateway: { downRate: 0.04, lostResponseRate: 0.04 },
  wallet: { downRate: 0.03, duplicateRate: 0.3, dropRate: 0.1, maxDelayMs: 150 },
};

/** Settings that make a kiosk recover in a chaos run's time scale (the defaults are minutes, for a city). */
const KIOSK_CONFIG = {
  logLevel: 'warn',
  http: { timeoutMs: 2_000, retries: 2, retryBaseMs: 50 },
  channel: { backoffBaseMs: 200, backoffCapMs: 1_000, handshakeTimeoutMs: 2_000 },
  payment: {
    terminalTimeoutMs: 1_500,
    resumeIntervalMs: 150,
    qrTimeoutMs: 2_000,
    statusPollMs: 100,
    reprintPollMs: 600_000,
  },
  peripherals: {
    terminal: { transport: { kind: 'sim' }, sim: { processingMs: 30, faults: [] } },
    printer: { transport: { kind: 'sim' } },
    cardReader: { transport: { kind: 'none' } },
  },
};

/**
 * The chaos harness's world: a control plane and N kiosks as real `linli` processes on loopback, each kiosk
 * reaching the control plane through its own TCP fault proxy. Processes are killed with SIGKILL and
 * restarted on the same data, ports and proxies.
 */
export class ChaosWorld {
  readonly o: ChaosWorldOptions;
  readonly root = mkdtempSync(join(tmpdir(), 'linli-chaos-'));
  readonly cpData = join(this.root, 'cp');
  cpPort = 0;
  cpUrl = '';
  cp: ChaosProc | undefined;
  admin!: AdminClient;
  communityId = '';
  readonly kiosks: KioskHandle[] = [];
  readonly startupMs = { cp: [] as number[], kiosk: [] as number[] };

  constructor(opts: ChaosWorldOptions) {
    this.o = opts;
  }

  get dbFile(): string {
    return join(this.cpData, 'linli.sqlite');
  }

  /** The simulated biller's, acquirer's and wallet's own ledgers (not the control plane's store). */
  get simDbFile(): string {
    return join(this.cpData, 'simulators.sqlite');
  }

  /** The bundled CLI (faster restarts); bin/linli.js if bundling is switched off. */
  bin: string | undefined;

  async setUp(accountsPerBiller: number): Promise<void> {
    const t = performance.now();
    this.bin = process.env.LINLI_CHAOS_NO_BUNDLE ? undefined : await buildChaosBin();
    this.o.log?.(`chaos: bundled the CLI in ${Math.round(performance.now() - t)} ms`);
    this.cpPort = await freePort();
    this.cpUrl = `http://127.0.0.1:${this.cpPort}`;
    this.#cpEnv = {
      LINLI_SIM_ACCOUNTS: String(accountsPerBiller),
      LINLI_RECOVERY_INTERVAL_MS: '300',
      LINLI_QR_TTL_SEC: '30',
      LINLI_LOG_LEVEL: 'warn',
      ...(this.o.faults ? { LINLI_SIM_FAULTS: JSON.stringify({ seed: this.o.seed, ...SIM_FAULTS }) } : {}),
    };
    const first = await this.startCp();
    const password = first.output.match(/created admin "admin" with password: (\S+)/)?.[1];
    if (!password) throw new Error(`no first-start password:\n${first.output}`);
    this.admin = await AdminClient.login(this.cpUrl, 'admin', password);
    const [city] = await this.admin.listNodes();
    const district = await this.admin.createNode({ parentId: city!.id, name: '和平区' });
    const street = await this.admin.createNode({ parentId: district.id, name: '幸福街道' });
    this.communityId = (await this.admin.createNode({ parentId: street.id, name: '阳光社区' })).id;

    await Promise.all(
      Array.from({ length: this.o.kiosks }, async (_, index) => {
        const proxy = new FaultProxy('127.0.0.1', this.cpPort);
        const proxyPort = await proxy.listen();
        const stateDir = join(this.root, `kiosk-${index}`);
        const token = await this.admin.createToken({ nodeId: this.communityId, role: 'kiosk', maxUses: 1 });
        const enroll = this.#proc(
          `enroll-${index}`,
          [
            'enroll',
            '--server',
            `http://127.0.0.1:${proxyPort}`,
            '--token',
            token.token,
            '--state',
            stateDir,
            '--role',
            'kiosk',
            '--name',
            `chaos kiosk ${index}`,
          ],
          {},
        );
        if ((await enroll.exited) !== 0) throw new Error(`enroll failed:\n${enroll.output}`);
        mkdirSync(stateDir, { recursive: true });
        writeFileSync(join(stateDir, 'device.json'), JSON.stringify(KIOSK_CONFIG, null, 2));
        const port = await freePort();
        this.kiosks[index] = {
          index,
          stateDir,
          port,
          url: `http://127.0.0.1:${port}`,
          proxy,
          proc: undefined,
        };
      }),
    );
    await Promise.all(this.kiosks.map((k) => this.startKiosk(k)));
  }

  #cpEnv: NodeJS.ProcessEnv = {};

  async startCp(): Promise<ChaosProc> {
    const cp = this.#proc(
      'control-plane',
      ['control-plane', '--data', this.cpData, '--port', String(this.cpPort)],
      this.#cpEnv,
    );
    this.cp = cp;
    const { ms } = await cp.ready(/Control plane listening on/);
    this.startupMs.cp.push(ms);
    return cp;
  }

  async startKiosk(k: KioskHandle): Promise<void> {
    const proc = this.#proc(
      `kiosk-${k.index}`,
      ['device', '--state', k.stateDir, '--port', String(k.port)],
      {},
    );
    k.proc = proc;
    const { ms } = await proc.ready(/serving on http/);
    this.startupMs.kiosk.push(ms);
  }

  #proc(name: string, args: string[], env: NodeJS.ProcessEnv): ChaosProc {
    return this.bin ? new ChaosProc(name, args, env, this.bin) : new ChaosProc(name, args, env);
  }

  journal(k: KioskHandle): {
    entries: { key: string; step: string; paymentId?: string; request: { method: string } }[];
  } {
    try {
      return JSON.parse(readFileSync(join(k.stateDir, 'payments.json'), 'utf8'));
    } catch {
      return { entries: [] };
    }
  }

  terminalLog(k: KioskHandle): Record<string, { Result: string; SaleTransactionID: string }> {
    try {
      return JSON.parse(readFileSync(join(k.stateDir, 'terminal', 'terminal-transactions.json'), 'utf8'));
    } catch {
      return {};
    }
  }

  /** Random drops, stalls and cuts on the payment calls, from now on. */
  enableProxyFaults(random: () => number): void {
    if (!this.o.faults) return;
    const pay = /^(POST|GET) \/api\/v1\/device\/(payments|bills)/;
    for (const k of this.kiosks) {
      k.proxy.random = random;
      k.proxy.addRule({
        match: pay,
        kind: 'drop-response',
        times: Number.POSITIVE_INFINITY,
        probability: 0.04,
      });
      k.proxy.addRule({
        match: pay,
        kind: 'cut-mid-response',
        times: Number.POSITIVE_INFINITY,
        probability: 0.03,
      });
      k.proxy.addRule({
        match: pay,
        kind: 'stall',
        stallMs: 2_500,
        times: Number.POSITIVE_INFINITY,
        probability: 0.005,
      });
    }
  }

  disableProxyFaults(): void {
    for (const k of this.kiosks) k.proxy.clearRules();
  }

  async tearDown(keep = false): Promise<void> {
    await Promise.all([...this.kiosks.map((k) => k.proc?.stop()), this.cp?.stop()]);
    await Promise.all(this.kiosks.map((k) => k.proxy.close()));
    if (!keep) rmSync(this.root, { recursive: true, force: true });
    if (this.bin) rmSync(dirname(this.bin), { recursive: true, force: true });
  }
}
