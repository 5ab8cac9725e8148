import { type Browser, chromium, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPlayState,
  type PlayEmergency,
  type PlayNotice,
  type PlayState,
} from '../../signage/src/play-state.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../tests/helpers/requirements.js';
import { PLAYER_ASSETS, type PlayerAsset, readPlayerAsset } from './player-assets.js';
import { renderScreenPage } from './screen-page.js';
import { screenState } from './screen-state.js';

/**
 * The lobby page's own script (player.js) in Chromium, with the device's side played by the test: the page
 * and its assets are routed, and /screen/ws is a routed WebSocket that sends states and records what the page
 * reports.
 */
const ctx = {
  deviceId: 'dev_01JDQ0000000000000000000AB',
  community: { name: '幸福里社区', path: ['邻里市', '幸福里社区'], timezone: 'Asia/Shanghai' },
};
const live = (id: string, seq: number, title: string): PlayEmergency => ({
  noticeId: `ntc_01JDQ0000000000000000000${id}`,
  version: 1,
  seq,
  title: { zh: title },
  body: { zh: '请按工作人员指引行动。' },
  category: 'safety',
  remainingMs: 600_000,
  expiresAt: '2026-12-31T00:00:00Z',
});
const stateWith = (emergencies: PlayEmergency[]): PlayState =>
  buildPlayState({
    notices: [],
    isComplete: () => true,
    quarantined: () => false,
    emergencies,
    timeZone: 'Asia/Shanghai',
    now: Date.now(),
    mediaUrl: (sha) => `/screen/media/${sha}`,
  });

const slide = (id: string, title: string): PlayNotice => ({
  id: `ntc_01JDQ0000000000000000000${id}`,
  version: 1,
  title: { zh: title },
  body: { zh: '详情请见社区公告栏，或咨询社区服务中心工作人员。' },
  category: 'general',
  priority: 'important',
  images: [],
  displaySec: 60,
  expiresAt: '2026-12-31T00:00:00Z',
});

type Played = { type: 'played'; playId?: string; noticeId: string; durationMs: number; emergency?: boolean };

let browser: Browser;

async function open(state: PlayState): Promise<{ page: Page; ws: () => WebSocketRoute; said: Played[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const said: Played[] = [];
  let socket: WebSocketRoute | undefined;
  await page.routeWebSocket(/\/screen\/ws$/, (ws) => {
    socket = ws;
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as Played;
      if (msg.type === 'played') said.push(msg);
    });
  });
  await page.route(/\/screen(\/[a-z.]+)?$/, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/screen') {
      await route.fulfill({ contentType: 'text/html', body: renderScreenPage(screenState(ctx, state)) });
    } else {
      const name = path.slice('/screen/'.length) as PlayerAsset;
      await route.fulfill({ contentType: PLAYER_ASSETS[name], body: await readPlayerAsset(name) });
    }
  });
  await page.goto('http://lobby.test/screen');
  await expect.poll(() => socket !== undefined).toBe(true);
  return { page, ws: () => socket!, said };
}

describe.skipIf(missing('chromium', hasChromium()))('lobby player in Chromium', () => {
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('with two live emergencies the newest takes over, and a newer one replaces it at once', async () => {
    // The device's source lists the older one first; the state the page gets is in precedence order.
    const { page, ws } = await open(stateWith([live('E1', 3, '燃气泄漏'), live('E2', 8, '暴雨红色预警')]));
    try {
      await page.locator('#takeover:not([hidden])').waitFor();
      expect(await page.textContent('#takeover .takeover-title')).toBe('暴雨红色预警');
      const next = stateWith([
        live('E1', 3, '燃气泄漏'),
        live('E3', 11, '地震预警'),
        live('E2', 8, '暴雨红色预警'),
      ]);
      ws().send(JSON.stringify({ type: 'state', state: { ...screenState(ctx, next) } }));
      await expect.poll(() => page.textContent('#takeover .takeover-title')).toBe('地震预警');
    } finally {
      await page.close();
    }
  });

  it('reports a takeover as it starts, and the same showing again with its length when it ends', async () => {
    const { page, ws, said } = await open(stateWith([live('E1', 3, '燃气泄漏')]));
    try {
      await page.locator('#takeover:not([hidden])').waitFor();
      // On record while still on screen: the first report comes at once, not when the takeover ends.
      await expect.poll(() => said.length).toBeGreaterThan(0);
      const first = said[0]!;
      expect(first).toMatchObject({ noticeId: live('E1', 3, '').noticeId, emergency: true });
      expect(first.playId).toMatch(/^[A-Za-z0-9_-]{16,40}$/);
      expect(first.durationMs).toBeLessThan(500);
      await page.waitForTimeout(700);
      ws().send(JSON.stringify({ type: 'state', state: screenState(ctx, stateWith([])) }));
      await page.locator('#takeover').waitFor({ state: 'hidden' });
      await expect.poll(() => said.length).toBe(2);
      expect(said[1]).toMatchObject({ playId: first.playId, noticeId: first.noticeId, emergency: true });
      expect(said[1]!.durationMs).toBeGreaterThanOrEqual(700);
    } finally {
      await page.close();
    }
  });

  it('a notice that arrives while another slide has most of its turn left shows at once', async () => {
    const { page, ws } = await open({ ...stateWith([]), notices: [slide('A1', '电梯检修通知')] });
    try {
      const active = page.locator('article.slide.active h1');
      await active.filter({ hasText: '电梯检修通知' }).waitFor();
      const t0 = Date.now();
      const next = { ...stateWith([]), notices: [slide('A1', '电梯检修通知'), slide('B2', '周六义诊活动')] };
      ws().send(JSON.stringify({ type: 'state', state: screenState(ctx, next) }));
      // The first slide had 60 s left; the new one is on screen within 2 s, not after that turn.
      await active.filter({ hasText: '周六义诊活动' }).waitFor({ timeout: 2_000 });
      expect(Date.now() - t0).toBeLessThan(2_000);
      // An update that brings nothing new leaves the slide on screen alone.
      ws().send(JSON.stringify({ type: 'state', state: screenState(ctx, { ...next, generatedAt: 'x' }) }));
      await page.waitForTimeout(300);
      expect(await active.textContent()).toBe('周六义诊活动');
    } finally {
      await page.close();
    }
  });
});
