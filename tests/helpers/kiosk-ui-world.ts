/**
 * One control plane and one kiosk as real processes, and one Chromium, shared by a kiosk touch UI test file
 * (issue #6): the community 阳光社区 with the demo resident card linked to two accounts, a published notice,
 * and the device config a file asks for (small idle times). Pages are touch pages: tests tap, never type.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { freePort, LinliProcess, REPO_ROOT } from './processes.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './requirements.js';

export const DEMO_CARD = '04A1B2C3D4E5F6';
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'kiosk-ui');
export const PORTRAIT = { width: 1080, height: 1920 };
export const LANDSCAPE = { width: 1920, height: 1080 };

export interface KioskUiWorld {
  kiosk: string;
  cpUrl: string;
  admin: AdminClient;
  communityId: string;
  browser: Browser;
  procs: LinliProcess[];
  stop(): Promise<void>;
}

export async function startKioskUiWorld(deviceConfig: Record<string, unknown> = {}): Promise<KioskUiWorld> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const root = mkdtempSync(join(tmpdir(), 'linli-kiosk-ui-'));
  const procs: LinliProcess[] = [];
  const port = await freePort();
  const cpUrl = `http://127.0.0.1:${port}`;
  const cp = new LinliProcess('control-plane', [
    'control-plane',
    '--data',
    join(root, 'cp'),
    '--port',
    String(port),
  ]);
  procs.push(cp);
  const [, password] = await cp.waitFor(/created admin "admin" with password: (\S+)/);
  await cp.waitFor(/Control plane listening on/);
  const admin = await AdminClient.login(cpUrl, 'admin', password!);
  const [city] = await admin.listNodes();
  const district = await admin.createNode({ parentId: city!.id, name: '和平区' });
  const street = await admin.createNode({ parentId: district.id, name: '幸福街道' });
  const community = await admin.createNode({ parentId: street.id, name: '阳光社区' });
  await admin.linkCard({
    nodeId: community.id,
    cardUid: DEMO_CARD,
    label: '3号楼2单元501',
    accounts: [
      { billerId: 'water', account: '1001000002' },
      { billerId: 'gas', account: '3003000002' },
    ],
  });
  await admin.publishNotice({
    targets: { nodeIds: [community.id] },
    title: { zh: '周三上午停水通知', en: 'No water on Wednesday morning' },
    body: {
      zh: '因主管道检修，周三上午九点至十二点停水，请提前储水。',
      en: 'Mains repair: no water on Wednesday 9:00–12:00. Please store water in advance.',
    },
    category: 'utility',
    priority: 'important',
    displaySec: 8,
  });
  const state = join(root, 'kiosk');
  const token = await admin.createToken({ nodeId: community.id, role: 'kiosk', maxUses: 1 });
  const enroll = new LinliProcess('enroll', [
    'enroll',
    '--server',
    cpUrl,
    '--token',
    token.token,
    '--state',
    state,
    '--role',
    'kiosk',
  ]);
  expect(await enroll.exited).toBe(0);
  writeFileSync(
    join(state, 'device.json'),
    JSON.stringify({
      http: { retryBaseMs: 50 },
      payment: { terminalTimeoutMs: 3_000, resumeIntervalMs: 300, statusPollMs: 200, reprintPollMs: 1_000 },
      ...deviceConfig,
    }),
  );
  const dev = new LinliProcess('kiosk', ['device', '--state', state, '--port', '0']);
  procs.push(dev);
  const kiosk = (await dev.waitFor(/serving on (http:\/\/\S+)/))[1]!;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return {
    kiosk,
    cpUrl,
    admin,
    communityId: community.id,
    browser,
    procs,
    async stop() {
      await browser.close().catch(() => {});
      await Promise.all(procs.map((p) => p.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** POST/GET the kiosk's local API from the test (simulator controls, checks). */
export async function kioskCall<T>(kiosk: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${kiosk}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}

/** A touch page on the kiosk, with a tap counter: every interaction in these tests is one tap. */
export class TouchPage {
  taps = 0;
  constructor(readonly page: Page) {}

  static async open(world: KioskUiWorld, viewport = PORTRAIT): Promise<TouchPage> {
    const ctx = await world.browser.newContext({ viewport, hasTouch: true, isMobile: false });
    const page = await ctx.newPage();
    await page.goto(`${world.kiosk}/kiosk`);
    await page.waitForSelector('body[data-screen="home"] .home-card');
    return new TouchPage(page);
  }

  async tap(selector: string): Promise<void> {
    const el = this.page.locator(selector).first();
    await el.waitFor({ state: 'visible' });
    await expect.poll(() => el.isEnabled()).toBe(true);
    await el.tap();
    this.taps++;
  }

  /** Tap digits on an on-screen number pad, one tap each. */
  async digits(text: string): Promise<void> {
    for (const d of text) await this.tap(`.numpad .key[data-key="${d}"]`);
  }

  screen(name: string) {
    return this.page.waitForSelector(`body[data-screen="${name}"]`);
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}
