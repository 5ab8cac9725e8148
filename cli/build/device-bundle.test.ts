import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleStaleness, deviceBundle } from '../../bin/device-bundle.js';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { type RealControlPlane, startRealControlPlane } from '../../tests/helpers/real-control-plane.js';
import { buildDeviceBundle, DEVICE_BUILD_INFO } from './device-bundle.js';

const REPO = join(import.meta.dirname, '..', '..');

/** `node <bundle> ...args`, as the systemd unit runs it through bin/linli.js, with its output kept. */
function runBundle(
  entry: string,
  args: string[],
): { child: ChildProcess; out: () => string; exit: Promise<number> } {
  const child = spawn(process.execPath, [entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
  return { child, out: () => out, exit };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Notices = { notices: { title: { zh: string } }[] };

describe('device bundle (npm run build:device)', () => {
  // Inside the checkout, so the bundle finds node_modules (sharp, serialport) and the UI files as in dist/.
  mkdirSync(join(REPO, '.tmp'), { recursive: true });
  const root = mkdtempSync(join(REPO, '.tmp', 'bundle-test-'));
  const outDir = join(root, 'device');
  let entry: string;
  let cp: RealControlPlane;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    entry = (await buildDeviceBundle(outDir)).entry;
    cp = await startRealControlPlane();
  }, 120_000);

  afterAll(async () => {
    for (const c of running) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
    await cp?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function startDevice(stateDir: string): Promise<{ url: string; stop: () => Promise<number> }> {
    const d = runBundle(entry, ['device', '--state', stateDir, '--port', '0', '--log-level', 'warn']);
    running.push(d.child);
    const url = await until('the device to listen', async () => /serving on (\S+)/.exec(d.out())?.[1]);
    return {
      url,
      stop: async () => {
        process.kill(d.child.pid!, 'SIGTERM');
        return d.exit;
      },
    };
  }

  it('enrolls a kiosk, serves the verified notice, and serves it again from disk with the control plane down', async () => {
    const admin = await AdminClient.login(cp.url, 'admin', cp.h.password);
    await admin.publishNotice({
      targets: { nodeIds: [cp.community.id] },
      title: { zh: '打包版本通知' },
      body: { zh: '这条通知由打包后的设备运行时显示。' },
    });
    const stateDir = join(root, 'kiosk');
    const enroll = runBundle(entry, [
      'enroll',
      '--server',
      cp.url,
      '--token',
      await cp.mintToken('kiosk'),
      '--state',
      stateDir,
      '--role',
      'kiosk',
    ]);
    expect(await enroll.exit, enroll.out()).toBe(0);

    const online = await startDevice(stateDir);
    const titles = async (url: string) => {
      const body = (await (await fetch(`${url}/kiosk/api/notices`)).json()) as Notices;
      return body.notices.length > 0 ? body.notices.map((n) => n.title.zh) : undefined;
    };
    expect(await until('the notice online', () => titles(online.url))).toEqual(['打包版本通知']);
    // Files found next to the sources (the touch UI) resolve from the bundle too.
    const page = await fetch(`${online.url}/kiosk/app.js`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('import');
    expect(await online.stop()).toBe(0);

    await cp.stop();
    const offline = await startDevice(stateDir);
    expect(await until('the notice offline', () => titles(offline.url))).toEqual(['打包版本通知']);
    const health = (await (await fetch(`${offline.url}/healthz`)).json()) as {
      channel: string;
      notices: number;
    };
    expect(health.notices).toBe(1);
    expect(health.channel).not.toBe('open');
    expect(await offline.stop()).toBe(0);
  }, 90_000);

  it('is used only while no source it was built from changed', () => {
    expect(bundleStaleness(outDir)).toBeUndefined();
    expect(deviceBundle('device', {}, outDir)).toBe(new URL(`file://${entry}`).href);
    expect(deviceBundle('control-plane', {}, outDir)).toBeUndefined();
    expect(deviceBundle('device', { LINLI_DEVICE_FROM: 'sources' }, outDir)).toBeUndefined();

    // A tree of its own (cli/device-main.ts marks a source tree), so no real source is touched.
    const tree = join(root, 'tree');
    mkdirSync(join(tree, 'cli'), { recursive: true });
    mkdirSync(join(tree, 'dist'), { recursive: true });
    writeFileSync(join(tree, 'cli', 'device-main.ts'), '');
    writeFileSync(join(tree, 'dist', 'linli-device.mjs'), '');
    const builtAt = Date.now() - 60_000;
    writeFileSync(
      join(tree, 'dist', DEVICE_BUILD_INFO),
      JSON.stringify({ builtAt, entry: 'linli-device.mjs', inputs: ['cli/device-main.ts'], root: '..' }),
    );
    const past = new Date(builtAt - 60_000);
    utimesSync(join(tree, 'cli', 'device-main.ts'), past, past);
    expect(bundleStaleness(join(tree, 'dist'))).toBeUndefined();
    utimesSync(join(tree, 'cli', 'device-main.ts'), new Date(), new Date());
    expect(bundleStaleness(join(tree, 'dist'))).toMatch(/cli\/device-main\.ts changed/);
    // A release tree has no sources next to the bundle: the bundle is all there is.
    rmSync(join(tree, 'cli'), { recursive: true });
    expect(bundleStaleness(join(tree, 'dist'))).toBeUndefined();
    rmSync(join(tree, 'dist', DEVICE_BUILD_INFO));
    expect(bundleStaleness(join(tree, 'dist'))).toBe('missing');
  });
});
