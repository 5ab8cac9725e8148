import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../tests/helpers/processes.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../tests/helpers/requirements.js';
import { launchChromium } from './screen/chromium-process.js';
import { stateLayout } from './state/state-layout.js';
import { captureLogger } from './testing/capture-logger.js';
import { ControlPlaneDouble } from './testing/control-plane-double.js';
import { startRuntime } from './testing/start-runtime.js';

const cp = new ControlPlaneDouble();
const shots = join(process.cwd(), 'test-results', 'lobby');
let browser: Browser;
const fast = { content: { playsUploadIntervalMs: 200 } };

async function image(colour: string, label: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600" fill="${colour}"/><text x="400" y="330" font-size="90" text-anchor="middle" fill="#fff" font-family="Noto Sans CJK SC">${label}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function imageNotice(title: string, colour: string) {
  const m = cp.tuf.addMedia(await image(colour, title.slice(0, 4)));
  return cp.publishNotice(title, {
    body: {
      zh: `${title}。活动时间：本周六上午九点至十一点，地点：社区中心广场。欢迎大家带孩子一起参加。`,
      en: 'Saturday 9:00–11:00 on the central square.',
    },
    images: [{ target: m.target, sha256: m.sha256, length: m.length, width: 800, height: 600 }],
  });
}

const activeTitle = (page: Page) => page.locator('article.slide.active h1');

describe.skipIf(missing('chromium', hasChromium()))('lobby screen in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    await cp.start();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await cp.stop();
  });

  it('shows a notice, updates live without reloading, never shows a tampered manifest, and reports plays', async () => {
    cp.notices = [];
    cp.publishNotice('社区志愿者活动日', { displaySec: 5 });
    const { runtime, url } = await startRuntime(cp, 'lobby', fast);
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    try {
      await page.goto(`${url}/screen`);
      await activeTitle(page).filter({ hasText: '社区志愿者活动日' }).waitFor();
      await page.evaluate('window.marker = 42');
      cp.publishTampered('假通知：请扫码缴费');
      await imageNotice('儿童绘画比赛', '#2f6f9f');
      // The new notice arrives over /screen/ws: same page, no reload.
      await page.locator('article.slide h1', { hasText: '儿童绘画比赛' }).waitFor({ state: 'attached' });
      expect(await page.evaluate('window.marker')).toBe(42);
      await activeTitle(page).filter({ hasText: '儿童绘画比赛' }).waitFor({ timeout: 15_000 });
      await page.waitForFunction("document.querySelector('article.slide.active img')?.naturalWidth > 0");
      expect((await page.textContent('body')) ?? '').not.toContain('假通知');
      await page.waitForTimeout(1_200); // let the transition finish before looking
      await page.screenshot({ path: join(shots, 'landscape-1920x1080.png') });
      // Each showing comes back as proof of play through the device's buffer.
      await expect.poll(() => cp.plays.length, { timeout: 20_000 }).toBeGreaterThan(0);
    } finally {
      await page.close();
      await runtime.stop();
    }
  });

  it('an emergency takes over at once and clears when its TTL lapses without renewal', async () => {
    cp.notices = [];
    cp.publishNotice('电梯检修通知', { displaySec: 30 });
    const { runtime, url } = await startRuntime(cp, 'lobby', fast);
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    try {
      await page.goto(`${url}/screen`);
      await activeTitle(page).filter({ hasText: '电梯检修通知' }).waitFor();
      cp.pushEmergency({
        title: { zh: '燃气泄漏，请立即撤离', en: 'Gas leak: leave the building now' },
        ttlSec: 10,
      });
      await page.locator('#takeover:not([hidden])').waitFor({ timeout: 5_000 });
      expect(await page.textContent('#takeover')).toContain('燃气泄漏');
      expect(await page.evaluate("document.body.classList.contains('emergency')")).toBe(true);
      await page.screenshot({ path: join(shots, 'emergency-takeover.png') });
      // No renewal: the device drops it after 10 s by its own clock, and the carousel comes back.
      await page.locator('#takeover').waitFor({ state: 'hidden', timeout: 20_000 });
      await activeTitle(page).filter({ hasText: '电梯检修通知' }).waitFor();
      await expect
        .poll(() => cp.plays.some((p) => (p as { emergency?: boolean }).emergency === true), {
          timeout: 10_000,
        })
        .toBe(true);
    } finally {
      await page.close();
      await runtime.stop();
    }
  });

  it('portrait: the image above the text; a notice that fails to render is quarantined and the next one plays', async () => {
    cp.notices = [];
    const broken = await imageNotice('社区义诊', '#8a3b2f');
    cp.publishNotice('垃圾分类宣传周', { displaySec: 5 });
    const { log } = captureLogger();
    const { runtime, url, stateDir } = await startRuntime(
      cp,
      'lobby',
      { ...fast, screen: { width: 1080, height: 1920 } },
      log,
    );
    let page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
    try {
      await page.goto(`${url}/screen`);
      await activeTitle(page).filter({ hasText: '社区义诊' }).waitFor({ timeout: 15_000 });
      await page.waitForFunction("document.querySelector('article.slide.active img')?.naturalWidth > 0");
      const img = await page.locator('article.slide.active figure').boundingBox();
      const text = await page.locator('article.slide.active .text').boundingBox();
      expect(img!.y + img!.height).toBeLessThanOrEqual(text!.y + 1);
      await page.waitForTimeout(1_200);
      await page.screenshot({ path: join(shots, 'portrait-1080x1920.png') });

      // The verified image vanishes from disk: the page cannot load it, reports it, the device quarantines
      // the notice and reports it to the control plane; the next notice plays, the screen never goes black.
      await rm(join(stateLayout(stateDir).targets, broken.images[0]!.sha256));
      await page.close();
      // A fresh browser context (no image cache), as after a restart of the kiosk browser.
      page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
      await page.goto(`${url}/screen`);
      await activeTitle(page).filter({ hasText: '垃圾分类宣传周' }).waitFor({ timeout: 15_000 });
      await expect.poll(() => cp.faults.length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(cp.faults[0]).toMatchObject({ noticeId: broken.id, code: 'LINLI_ERR_NOTICE_RENDER' });
      const state = (await (await fetch(`${url}/screen/state.json`)).json()) as { notices: { id: string }[] };
      expect(state.notices.map((n) => n.id)).not.toContain(broken.id);
    } finally {
      await page.close();
      await runtime.stop();
    }
  });

  it('answers a screenshot command by capturing the kiosk browser over the DevTools protocol', async () => {
    cp.notices = [];
    cp.publishNotice('截图测试通知');
    const port = await freePort();
    // The production set-up: a separate Chromium kiosk process (linli-screen.service) with a loopback
    // debugging port, on about:blank; the runtime opens /screen in it by itself (issue 12).
    const kioskBrowser = await launchChromium({ path: CHROMIUM_PATH, width: 1280, height: 720, port });
    const { runtime, url } = await startRuntime(cp, 'lobby', {
      screen: { cdpEndpoint: `http://127.0.0.1:${port}` },
    });
    const viewer = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    try {
      const page = viewer.contexts()[0]!.pages()[0]!;
      await expect.poll(() => page.url(), { timeout: 15_000 }).toBe(`${url}/screen`);
      await activeTitle(page).filter({ hasText: '截图测试通知' }).waitFor();
      const deviceId = [...cp.devices.keys()].at(-1)!;
      const cmd = cp.pushCommand(deviceId, 'screenshot');
      await expect.poll(() => cp.screenshots.get(cmd.id), { timeout: 15_000 }).toBeDefined();
      const shot = cp.screenshots.get(cmd.id)!;
      expect(shot.errors).toEqual([]);
      const png = Buffer.from(shot.images[0]!.png, 'base64');
      // What the kiosk's own window shows (no emulated viewport: the production screen decides its size).
      const inner = (await page.evaluate('[innerWidth, innerHeight]')) as [number, number];
      expect(inner[0]).toBe(1280);
      expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: inner[0], height: inner[1] });
      await expect
        .poll(() => cp.commandResults.find((r) => r.payload.commandId === cmd.id)?.payload)
        .toMatchObject({
          status: 'done',
          detail: { images: 1, uploaded: true },
        });
      // Identify: an overlay naming the device, drawn on the kiosk browser's page over DevTools.
      cp.pushCommand(deviceId, 'identify', { seconds: 30 });
      await page.locator('#linli-identify').waitFor({ timeout: 15_000 });
      expect(await page.locator('#linli-identify').textContent()).toContain(deviceId);
      await page.screenshot({ path: join(shots, 'identify-overlay.png') });
      // The kiosk browser is still running after the capture: connecting over CDP never closes it.
      expect(viewer.isConnected()).toBe(true);
      expect(await page.title()).toContain('幸福里社区');
      const health = (await (await fetch(`${url}/healthz`)).json()) as { browser: unknown };
      expect(health.browser).toMatchObject({ alive: true, restarts: 0, mode: 'attach' });
    } finally {
      await viewer.close();
      await runtime.stop();
      await kioskBrowser.kill();
    }
  });

  it('the kiosk page shows the takeover while idle, from GET /kiosk/api/emergency', async () => {
    const { runtime, url } = await startRuntime(cp, 'kiosk', fast);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1024 } });
    expect(await (await fetch(`${url}/kiosk/api/notices`)).json()).toMatchObject({
      notices: expect.any(Array),
    });
    const junk = await fetch(`${url}/kiosk/api/notice-plays`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        noticeId: 'ntc_01JDQ0000000000000000000AB',
        startedAt: new Date().toISOString(),
        durationMs: 5,
      }),
    });
    expect(((await junk.json()) as { error: { code: string } }).error.code).toBe(
      'LINLI_ERR_NOTICE_NOT_FOUND',
    );
    try {
      expect(await (await fetch(`${url}/kiosk/api/emergency`)).json()).toEqual({ active: false });
      await page.goto(`${url}/kiosk`);
      const alert = cp.pushEmergency({
        title: { zh: '暴雨红色预警' },
        body: { zh: '请勿外出。' },
        ttlSec: 60,
      });
      await page.locator('#linli-emergency:not([hidden])').waitFor({ timeout: 10_000 });
      const api = (await (await fetch(`${url}/kiosk/api/emergency`)).json()) as Record<string, unknown>;
      expect(api).toMatchObject({
        active: true,
        notice: {
          id: alert.payload.noticeId,
          title: { zh: '暴雨红色预警' },
          body: { zh: '请勿外出。' },
          category: 'safety',
        },
      });
      expect(Object.keys(api).sort()).toEqual(['active', 'expiresAt', 'notice']);
      expect(Object.keys(api.notice as object).sort()).toEqual(['body', 'category', 'id', 'title']);
      expect(Date.parse(api.expiresAt as string)).toBeGreaterThan(Date.now());
      // A touch hides it for a resident; the takeover's showing comes back as proof of play.
      await page.waitForTimeout(1_000);
      await page.mouse.click(600, 500);
      await page.locator('#linli-emergency').waitFor({ state: 'hidden' });
      await expect
        .poll(
          () =>
            cp.plays.some(
              (p) =>
                (p as { surface?: string; noticeId?: string }).surface === 'kiosk' &&
                (p as { noticeId?: string }).noticeId === alert.payload.noticeId,
            ),
          {
            timeout: 10_000,
          },
        )
        .toBe(true);
      await page.screenshot({ path: join(shots, 'kiosk-takeover.png') });
    } finally {
      await page.close();
      await runtime.stop();
    }
  });
});
