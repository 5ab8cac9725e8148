/**
 * Shared by the device benchmarks (runtime-rss, cold-start): enrolled devices of each role with verified
 * content on disk, and device processes started the way `linli device` starts them (bundle, tsx sources, or
 * the bundle file directly), each stopped by its pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadConfig } from '../control-plane/src/config.js';
import { ControlPlane } from '../control-plane/src/server.js';
import { enrollDevice } from '../kiosk/src/enrollment/enroll-device.js';
import type { DeviceRole } from '../protocol/schemas/common.js';
import { AdminClient } from '../provisioning/src/admin-client.js';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const LINLI_BIN = join(REPO, 'bin', 'linli.js');

/** Where each role serves the notices it shows (the "screen" a resident sees, as JSON). */
export const NOTICE_PATH: Record<DeviceRole, string> = {
  kiosk: '/kiosk/api/notices',
  lobby: '/screen/state.json',
  led: '/led/state.json',
};

export function machine(): Record<string, unknown> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How a device process is started: through bin/linli.js from sources (tsx), or from the bundle. */
export type DeviceMode = 'tsx' | 'bundle';

export interface DeviceProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the local URL once stdout says "serving on". */
  url: Promise<string>;
  stop(): Promise<void>;
}

/**
 * `linli device` on a free port. `bin` may name another checkout's bin/linli.js (`--before DIR` in the
 * benches), to measure it in the same run, interleaved.
 */
export function spawnDevice(
  stateDir: string,
  mode: DeviceMode,
  bin = LINLI_BIN,
  nodeArgs: string[] = [],
): DeviceProcess {
  const child = spawn(
    process.execPath,
    [...nodeArgs, bin, 'device', '--state', stateDir, '--port', '0', '--log-level', 'error'],
    {
      cwd: REPO,
      env: { ...process.env, LINLI_DEVICE_FROM: mode === 'tsx' ? 'sources' : 'bundle' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`device exited (${code}) before serving: ${err}`)));
  });
  url.catch(() => undefined);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    pid: child.pid!,
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
      const t = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Polls the role's notice endpoint until it lists a notice (verified content only ever reaches it). */
export async function firstNotice(url: string, role: DeviceRole, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url + NOTICE_PATH[role]);
      const body = (await r.json()) as { notices?: unknown[]; playing?: unknown; text?: string };
      if (r.ok && servesNotice(role, body)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`no notice on ${url}${NOTICE_PATH[role]} within ${timeoutMs} ms`);
    await sleep(2);
  }
}

function servesNotice(role: DeviceRole, body: Record<string, unknown>): boolean {
  if (role === 'led') return JSON.stringify(body).includes('志愿者');
  return Array.isArray(body.notices) && body.notices.length > 0;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (10 ms ticks). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** RSS of a process and its descendants (tsx's esbuild service is a child), in bytes, from /proc. */
export function treeRss(pid: number): { self: number; children: number } {
  const rss = (p: number) => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  };
  const kids = (p: number): number[] => {
    const out: number[] = [];
    for (const t of safeList(`/proc/${p}/task`)) {
      const text = safeRead(`/proc/${p}/task/${t}/children`).trim();
      for (const c of text ? text.split(/\s+/).map(Number) : []) out.push(c, ...kids(c));
    }
    return out;
  };
  return { self: rss(pid), children: kids(pid).reduce((s, c) => s + safeRss(c, rss), 0) };
}

function safeRss(p: number, rss: (p: number) => number): number {
  try {
    return rss(p);
  } catch {
    return 0; // it exited meanwhile
  }
}

function safeRead(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

function safeList(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

export interface Fleet {
  /** The enrolled state dir of each role, with verified content on disk after warm(). */
  stateDirs: Record<DeviceRole, string>;
  controlPlaneUrl: string;
  /** Stops the control plane: devices then start with it down (connection refused on its port). */
  stopControlPlane(): Promise<void>;
}

/**
 * A real control plane in this process, one community with a text notice and an image notice, and one
 * enrolled device of each role asked for. Each device is run once (from `mode`) until it serves the notice,
 * so its verified TUF metadata, manifest and image are on disk, as on a device that has been online before.
 */
export async function prepareFleet(root: string, roles: DeviceRole[], mode: DeviceMode): Promise<Fleet> {
  const announced: string[] = [];
  const cp = new ControlPlane({
    config: loadConfig({ dataDir: join(root, 'cp'), port: 0, logLevel: 'silent' }, {}),
    announce: (l) => announced.push(l),
  });
  const url = await cp.start();
  let stopped = false;
  const stopControlPlane = async () => {
    if (stopped) return;
    stopped = true;
    await cp.stop();
  };
  try {
    const password = /password: (\S+)/.exec(announced.join('\n'))![1]!;
    const admin = await AdminClient.login(url, 'admin', password);
    const [city] = await admin.listNodes();
    const d = await admin.createNode({ parentId: city!.id, name: '基准区' });
    const s = await admin.createNode({ parentId: d.id, name: '基准街道' });
    const c = await admin.createNode({ parentId: s.id, name: '基准社区' });
    await admin.publishNotice({
      targets: { nodeIds: [c.id] },
      title: { zh: '社区志愿者服务日' },
      body: { zh: '本周六上午九点，阳光社区邀请居民到中心广场参加志愿者服务。' },
    });
    const png = await sharp({
      create: { width: 800, height: 450, channels: 3, background: '#3f8f4f' },
    })
      .png()
      .toBuffer();
    const media = await admin.uploadMedia(png, 'image/png');
    await admin.publishNotice({
      targets: { nodeIds: [c.id] },
      title: { zh: '垃圾分类宣传周' },
      body: { zh: '每天早上七点到九点，志愿者在各小区投放点指导分类。' },
      images: [{ mediaId: media.mediaId, alt: { zh: '四色垃圾桶' } }],
    });
    const stateDirs = {} as Record<DeviceRole, string>;
    for (const role of roles) {
      const stateDir = join(root, role);
      mkdirSync(root, { recursive: true });
      await enrollDevice({
        serverUrl: url,
        token: (await admin.createToken({ nodeId: c.id, role })).token,
        stateDir,
        role,
      });
      const dev = spawnDevice(stateDir, mode);
      try {
        await waitForContent(await dev.url, role);
      } finally {
        await dev.stop();
      }
      stateDirs[role] = stateDir;
    }
    return { stateDirs, controlPlaneUrl: url, stopControlPlane };
  } catch (err) {
    await stopControlPlane();
    throw err;
  }
}

/** Online warm-up: both notices verified and on disk, the image too where the role shows images. */
async function waitForContent(url: string, role: DeviceRole): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    const h = (await (await fetch(`${url}/healthz`)).json()) as { notices?: number };
    const shown =
      role === 'led'
        ? 2
        : ((await (await fetch(url + NOTICE_PATH[role])).json()) as { notices: unknown[] }).notices.length;
    if (h.notices === 2 && shown === 2) return;
    if (Date.now() > until) throw new Error(`device ${role} did not sync its content: ${JSON.stringify(h)}`);
    await sleep(50);
  }
}
