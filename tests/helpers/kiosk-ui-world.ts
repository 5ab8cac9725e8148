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
import { API } from '../../protocol/api.js';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { eventually, freePort, LinliProcess, REPO_ROOT } from './processes.js';
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
  await seedCatalogue(cpUrl, admin.token!, community.id);
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
      content: { pollIntervalMs: 1_000, pollIntervalOnlineMs: 1_000 },
      payment: { terminalTimeoutMs: 3_000, resumeIntervalMs: 300, statusPollMs: 200, reprintPollMs: 1_000 },
      ...deviceConfig,
    }),
  );
  const dev = new LinliProcess('kiosk', ['device', '--state', state, '--port', '0']);
  procs.push(dev);
  const kiosk = (await dev.waitFor(/serving on (http:\/\/\S+)/))[1]!;
  // The catalogue reaches the kiosk signed, with its content: wait until the kiosk has verified it.
  await eventually(
    async () => (await fetch(`${kiosk}/kiosk/api/services`)).ok,
    30_000,
    'the kiosk to verify the service catalogue',
  );
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
    // Playwright waits until the target is visible, stable, enabled and receives the touch.
    await this.page.locator(selector).first().tap();
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

export const OFFICE_PHONE = '0571-8888 6666';

async function adminCall<T>(
  cpUrl: string,
  token: string,
  method: string,
  path: string,
  body: unknown,
): Promise<T> {
  const res = await fetch(`${cpUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * The community office where appointments are booked, open every day so a test finds free slots at any
 * hour. The catalogue itself is the control plane's seeded one (老年人优待证办理 and a dozen more city-wide
 * matters, handled at the community office).
 */
async function seedCatalogue(cpUrl: string, token: string, nodeId: string): Promise<void> {
  await adminCall(cpUrl, token, 'POST', API.adminOffices, {
    nodeId,
    name: { zh: '阳光社区党群服务中心', en: 'Sunshine Community Service Centre' },
    address: { zh: '阳光路 88 号一楼', en: '1F, 88 Yangguang Road' },
    hours: { zh: '每天 8:00–20:00', en: 'Daily 8:00–20:00' },
    phone: OFFICE_PHONE,
    timezone: 'Asia/Shanghai',
    slots: {
      weekdays: [1, 2, 3, 4, 5, 6, 7],
      windows: [{ start: '08:00', end: '20:00' }],
      slotMinutes: 30,
      capacityPerSlot: 3,
      daysAhead: 7,
      closedDates: [],
    },
  });
}
