import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { API } from '../../../protocol/api.js';
import type { CreateNodeRequest, NodeView, TokenView } from '../../../protocol/schemas/admin.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import type { AppOptions } from '../app.js';
import { type ControlPlaneConfig, loadConfig } from '../config.js';
import { createApp } from '../server.js';
import type { SqliteSimStore } from '../sim/storage/sqlite-sim-store.js';
import type { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';

/** A clock tests move by hand; starts at the real time so ids still sort by creation. */
export class TestClock {
  current = Date.now();
  readonly now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

export interface Harness {
  app: FastifyInstance;
  dataDir: string;
  config: ControlPlaneConfig;
  clock: TestClock;
  /** Lines the app announced (the first-start password line). */
  announced: string[];
  password: string;
  repo: SqliteRepository;
  /** The simulators' own store (config `simulators`, on by default); undefined when they are off. */
  sims: SqliteSimStore;
  adminToken(): Promise<string>;
  /** inject() with the admin's bearer token. */
  admin(opts: InjectOptions): Promise<LightMyRequestResponse>;
  /** Creates district → street → community under the city; returns the nodes. */
  community(name?: string): Promise<{ district: NodeView; street: NodeView; community: NodeView }>;
  /**
   * 和平区 › 幸福街道 › 阳光社区 and its neighbour 明月社区: the service areas of the simulated billers' seeded
   * accounts (a kiosk is served only its own community's accounts). Created once per harness.
   */
  sunshine(): Promise<{ community: NodeView; neighbour: NodeView; street: NodeView; district: NodeView }>;
  token(nodeId: string, role: DeviceRole, extra?: Record<string, unknown>): Promise<TokenView>;
  /** Closes the app; removes the data dir unless keepData. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export interface HarnessOptions extends Partial<Omit<AppOptions, 'config' | 'now' | 'announce'>> {
  dataDir?: string;
  config?: Record<string, unknown>;
  clock?: TestClock;
}

const PASSWORD_LINE =
  /^First start: created admin "admin" with password: (\S+) \(shown once; only its hash is stored\)$/;

/** A control plane on a temp data dir, driven with inject(); logs off. */
export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'linli-cp-'));
  const clock = opts.clock ?? new TestClock();
  const announced: string[] = [];
  const config = loadConfig({ dataDir, logLevel: 'silent', port: 0, ...opts.config }, {});
  const { dataDir: _d, config: _c, clock: _k, ...rest } = opts;
  const app = await createApp({ ...rest, config, now: clock.now, announce: (l) => announced.push(l) });
  const password = announced.map((l) => PASSWORD_LINE.exec(l)?.[1]).find((p) => p !== undefined) ?? '';
  let token: string | undefined;
  let sunshine: ReturnType<Harness['sunshine']> | undefined;

  const h: Harness = {
    app,
    dataDir,
    config,
    clock,
    announced,
    password,
    repo: app.repo as SqliteRepository,
    sims: app.simulators?.store as SqliteSimStore,
    async adminToken() {
      if (token) return token;
      if (!password) throw new Error('harness: no first-start password (reused data dir?); log in yourself');
      const res = await app.inject({
        method: 'POST',
        url: API.login,
        payload: { username: 'admin', password },
      });
      if (res.statusCode !== 200) throw new Error(`harness login failed: ${res.body}`);
      token = (res.json() as { token: string }).token;
      return token;
    },
    async admin(o) {
      const t = await h.adminToken();
      return app.inject({ ...o, headers: { ...(o.headers ?? {}), authorization: `Bearer ${t}` } });
    },
    async community(name = '幸福里') {
      const root = (await app.repo.nodes.listRoots())[0]!;
      const mk = async (req: CreateNodeRequest): Promise<NodeView> => {
        const res = await h.admin({ method: 'POST', url: API.nodes, payload: req });
        if (res.statusCode !== 201) throw new Error(`harness createNode failed: ${res.body}`);
        return res.json() as NodeView;
      };
      const district = await mk({ parentId: root.id, name: `${name}区` });
      const street = await mk({ parentId: district.id, name: `${name}街道` });
      const community = await mk({ parentId: street.id, name: `${name}社区` });
      return { district, street, community };
    },
    sunshine() {
      sunshine ??= (async () => {
        const root = (await app.repo.nodes.listRoots())[0]!;
        const mk = async (req: CreateNodeRequest): Promise<NodeView> => {
          const res = await h.admin({ method: 'POST', url: API.nodes, payload: req });
          if (res.statusCode !== 201) throw new Error(`harness createNode failed: ${res.body}`);
          return res.json() as NodeView;
        };
        const district = await mk({ parentId: root.id, name: '和平区' });
        const street = await mk({ parentId: district.id, name: '幸福街道' });
        const community = await mk({ parentId: street.id, name: '阳光社区' });
        const neighbour = await mk({ parentId: street.id, name: '明月社区' });
        return { district, street, community, neighbour };
      })();
      return sunshine;
    },
    async token(nodeId, role, extra = {}) {
      const res = await h.admin({
        method: 'POST',
        url: API.enrollmentTokens,
        payload: { nodeId, role, ...extra },
      });
      if (res.statusCode !== 201) throw new Error(`harness createToken failed: ${res.body}`);
      return res.json() as TokenView;
    },
    async close(o = {}) {
      await app.close();
      if (!o.keepData && !opts.dataDir) {
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(config.offlineKeysDir, { recursive: true, force: true });
      }
    },
  };
  return h;
}

/** Row counts of every table, to assert that a rejected request changed nothing. */
export function tableCounts(repo: SqliteRepository): Record<string, number> {
  const tables = repo.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  const out: Record<string, number> = {};
  for (const { name } of tables) {
    out[name] = (repo.db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n;
  }
  return out;
}

/** Everything stored about tokens and devices, for "no state change" assertions beyond row counts. */
export function snapshot(repo: SqliteRepository): unknown {
  return {
    counts: tableCounts(repo),
    tokens: repo.db.prepare('SELECT id, uses, revoked_at FROM enrollment_tokens ORDER BY id').all(),
    devices: repo.db.prepare('SELECT id, status, last_seen_at, last_status FROM devices ORDER BY id').all(),
    payments: repo.db.prepare('SELECT id, state, updated_at FROM payments ORDER BY id').all(),
  };
}
