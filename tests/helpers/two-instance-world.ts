import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { buildChaosBin } from './chaos/chaos-bin.js';
import { ChaosProc } from './chaos/chaos-proc.js';
import { KIOSK_CONFIG } from './chaos/chaos-world.js';
import { freePort } from './processes.js';
import { TcpRoundRobin } from './tcp-round-robin.js';

export interface Instance {
  name: 'A' | 'B';
  port: number;
  url: string;
  proc: ChaosProc | undefined;
}

export interface Kiosk {
  index: number;
  stateDir: string;
  port: number;
  url: string;
  proc: ChaosProc | undefined;
}

/**
 * Two `linli control-plane` processes on one PostgreSQL schema (and one data dir: the signing keys and the
 * simulators' shared ledger file), a TCP round-robin proxy in front of both, and kiosks that only know the
 * proxy. Processes are killed with SIGKILL and started again on the same ports.
 */
export class TwoInstanceWorld {
  readonly root = mkdtempSync(join(tmpdir(), 'linli-two-'));
  readonly data = join(this.root, 'cp');
  readonly instances: Instance[] = [];
  readonly kiosks: Kiosk[] = [];
  proxy!: TcpRoundRobin;
  proxyUrl = '';
  admin!: AdminClient;
  communityId = '';
  bin: string | undefined;
  #env: NodeJS.ProcessEnv = {};

  constructor(
    readonly pgUrl: string,
    readonly schema: string,
    readonly log: (line: string) => void = () => {},
  ) {}

  get simDbFile(): string {
    return join(this.data, 'simulators.sqlite');
  }

  async setUp(accountsPerBiller: number): Promise<void> {
    this.bin = process.env.LINLI_CHAOS_NO_BUNDLE ? undefined : await buildChaosBin();
    for (const name of ['A', 'B'] as const) {
      const port = await freePort();
      this.instances.push({ name, port, url: `http://127.0.0.1:${port}`, proc: undefined });
    }
    this.proxy = new TcpRoundRobin(this.instances.map((i) => i.port));
    this.proxyUrl = `http://127.0.0.1:${await this.proxy.listen()}`;
    this.#env = {
      LINLI_PG_URL: this.pgUrl,
      LINLI_PG_SCHEMA: this.schema,
      // Lease every 2.5 s, an instance dead after 6.25 s.
      LINLI_HEARTBEAT_SEC: '5',
      LINLI_PUBLIC_URL: this.proxyUrl,
      LINLI_SIM_ACCOUNTS: String(accountsPerBiller),
      LINLI_RECOVERY_INTERVAL_MS: '300',
      LINLI_QR_TTL_SEC: '30',
      LINLI_LOG_LEVEL: 'warn',
    };
    // A first, alone: it creates the keys, the schema and the admin; B then starts on what A made.
    const [a, b] = this.instances as [Instance, Instance];
    const first = await this.start(a);
    const password = first.output.match(/created admin "admin" with password: (\S+)/)?.[1];
    if (!password) throw new Error(`no first-start password:\n${first.output}`);
    await this.start(b);
    this.admin = await AdminClient.login(a.url, 'admin', password);
    const [city] = await this.admin.listNodes();
    const district = await this.admin.createNode({ parentId: city!.id, name: '和平区' });
    const street = await this.admin.createNode({ parentId: district.id, name: '幸福街道' });
    this.communityId = (await this.admin.createNode({ parentId: street.id, name: '阳光社区' })).id;
  }

  async start(i: Instance): Promise<ChaosProc> {
    const args = ['control-plane', '--data', this.data, '--port', String(i.port)];
    const proc = this.bin
      ? new ChaosProc(`cp-${i.name}`, args, this.#env, this.bin)
      : new ChaosProc(`cp-${i.name}`, args, this.#env);
    i.proc = proc;
    await proc.ready(/Control plane listening on/);
    return proc;
  }

  /** Kiosks as real `linli device` processes that reach the control planes only through the proxy. */
  async addKiosks(n: number): Promise<void> {
    await Promise.all(
      Array.from({ length: n }, async (_, index) => {
        const stateDir = join(this.root, `kiosk-${index}`);
        const token = await this.admin.createToken({ nodeId: this.communityId, role: 'kiosk', maxUses: 1 });
        const enroll = this.#proc(`enroll-${index}`, [
          'enroll',
          '--server',
          this.proxyUrl,
          '--token',
          token.token,
          '--state',
          stateDir,
          '--role',
          'kiosk',
          '--name',
          `kiosk ${index}`,
        ]);
        if ((await enroll.exited) !== 0) throw new Error(`enroll failed:\n${enroll.output}`);
        mkdirSync(stateDir, { recursive: true });
        writeFileSync(join(stateDir, 'device.json'), JSON.stringify(KIOSK_CONFIG, null, 2));
        const port = await freePort();
        this.kiosks[index] = { index, stateDir, port, url: `http://127.0.0.1:${port}`, proc: undefined };
      }),
    );
    await Promise.all(this.kiosks.map((k) => this.startKiosk(k)));
  }

  async startKiosk(k: Kiosk): Promise<void> {
    k.proc = this.#proc(`kiosk-${k.index}`, ['device', '--state', k.stateDir, '--port', String(k.port)]);
    await k.proc.ready(/serving on http/);
  }

  #proc(name: string, args: string[]): ChaosProc {
    return this.bin ? new ChaosProc(name, args, {}, this.bin) : new ChaosProc(name, args, {});
  }

  journal(k: Kiosk): {
    entries: { key: string; step: string; paymentId?: string; request: { method: string } }[];
  } {
    try {
      return JSON.parse(readFileSync(join(k.stateDir, 'payments.json'), 'utf8'));
    } catch {
      return { entries: [] };
    }
  }

  terminalLog(k: Kiosk): Record<string, { Result: string; SaleTransactionID: string }> {
    try {
      return JSON.parse(readFileSync(join(k.stateDir, 'terminal', 'terminal-transactions.json'), 'utf8'));
    } catch {
      return {};
    }
  }

  /** One query against the shared schema. */
  async sql<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.pgUrl, options: `-c search_path=${this.schema}` });
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  }

  async tearDown(): Promise<void> {
    await Promise.all([
      ...this.kiosks.map((k) => k.proc?.stop()),
      ...this.instances.map((i) => i.proc?.stop()),
    ]);
    await this.proxy?.close();
    rmSync(this.root, { recursive: true, force: true });
    rmSync(`${this.data}-offline-keys`, { recursive: true, force: true });
    if (this.bin) rmSync(dirname(this.bin), { recursive: true, force: true });
  }
}
