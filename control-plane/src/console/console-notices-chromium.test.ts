import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import type { CreateAdminResponse } from '../../../protocol/schemas/admin.js';
import type { NoticeView } from '../../../protocol/schemas/notice-admin.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';
import { type ChannelClient, openChannel } from '../testing/channel-client.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { TestDevice } from '../testing/test-device.js';

const shots = join(process.cwd(), 'test-artifacts', 'console');
const DAY = 86_400_000;
let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let lobby: TestDevice;
let channel: ChannelClient;
let nodes: Awaited<ReturnType<Harness['sunshine']>>;
let noticeId: string;

/** Runs in the page: an <img>'s decoded width (0 until it loaded). */
const naturalWidth = (i: unknown) => (i as { naturalWidth: number }).naturalWidth;
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });
const PATH = '邻里市 › 和平区 › 幸福街道 ›';

async function noAxeViolations(p: Page): Promise<void> {
  const r = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  expect(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
    [],
  );
}

async function login(p: Page, username: string, password: string): Promise<void> {
  await p.goto(`${base}/console#notices`);
  await p.fill('#username', username);
  await p.fill('#password', password);
  await p.click('#login-form button[type=submit]');
  await p.locator('h1', { hasText: '通知' }).waitFor();
}

/** "2026-12-15T18:00" on the Asia/Shanghai clock, `days` from now. */
const shanghaiWall = (days: number) =>
  `${new Date(Date.now() + days * DAY + 8 * 3_600_000).toISOString().slice(0, 11)}18:00`;

describe.skipIf(missing('chromium', hasChromium()))(
  'notice composer in Chromium',
  { timeout: 180_000 },
  () => {
    beforeAll(async () => {
      mkdirSync(shots, { recursive: true });
      h = await createHarness();
      nodes = await h.sunshine();
      lobby = new TestDevice();
      await lobby.enroll(
        h.app,
        (await h.token(nodes.community.id, 'lobby', { tags: ['hall-east'] })).token,
        'lobby',
      );
      base = await h.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (h.app.server.address() as AddressInfo).port;
      channel = await openChannel(`ws://127.0.0.1:${port}${API.deviceChannel}`, lobby);
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
      page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
      await login(page, 'admin', h.password);
    });
    afterAll(async () => {
      await channel?.close();
      await browser?.close();
      await h?.close();
    });

    it('shows what is wrong before sending: empty Chinese title, no target, a window of no length, a TTL out of bounds', async () => {
      await page.fill('#n-title-en', 'English only');
      await page.selectOption('#n-priority', 'emergency');
      await page.fill('#n-ttl', '5');
      await page.click('#n-add-window');
      await page.fill('#n-win-from-1', '08:00');
      await page.fill('#n-win-to-1', '08:00');
      await page.click('#notice-form button[type=submit]');
      const errors = page.locator('#n-errors');
      await errors.waitFor();
      const text = await errors.textContent();
      expect(text).toContain('Enter the Chinese title');
      expect(text).toContain('Choose at least one node');
      expect(text).toContain('A window needs different from and to times');
      expect(text).toContain('Emergency duration must be a whole number 10–86400');
      expect(await page.getAttribute('#n-title', 'aria-invalid')).toBe('true');
      // Nothing was sent.
      const list = (await h.admin({ method: 'GET', url: API.notices })).json() as { notices: unknown[] };
      expect(list.notices).toHaveLength(0);
      await noAxeViolations(page);
      await page.locator('#notice-form').screenshot({ path: join(shots, 'composer-errors.png') });
    });

    it('composes zh + en for two communities with a weekday window, expiry, an image and an emergency TTL; previews it; saves a draft with all of it', async () => {
      await page.reload();
      await page.locator('#notice-form').waitFor();
      await page.fill('#n-title', '燃气管道检修，暂停供气');
      await page.fill('#n-title-en', 'Gas supply paused for pipe repairs');
      await page.fill('#n-body', '本周一至周五每天八点至二十点检修燃气管道，期间请勿使用燃气灶。');
      await page.fill(
        '#n-body-en',
        'Monday to Friday, 08:00–20:00: gas pipes are being repaired. Do not use gas stoves.',
      );
      await page.selectOption('#n-category', 'safety');
      await page.selectOption('#n-priority', 'emergency');
      await page.fill('#n-ttl', '600');
      await page.check(`input[name=n-target][aria-label="${PATH} 阳光社区"]`);
      await page.check(`input[name=n-target][aria-label="${PATH} 明月社区"]`);
      await poll(() => page.locator('#n-zone').textContent()).toContain('Asia/Shanghai');
      await page.fill('#n-tags', 'hall-east');
      await page.check('input[name=n-role][value=lobby]');
      await page.check('input[name=n-role][value=led]');
      for (const d of ['1', '2', '3', '4', '5']) await page.check(`input[name=n-weekday][value="${d}"]`);
      await page.click('#n-add-window');
      await page.fill('#n-win-from-1', '08:00');
      await page.fill('#n-win-to-1', '20:00');
      const expires = shanghaiWall(7);
      await page.fill('#n-expires', expires);
      const png = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#c0392b' } })
        .png()
        .toBuffer();
      await page.setInputFiles('#n-image', { name: 'gas-map.png', mimeType: 'image/png', buffer: png });
      await page.locator('#n-images li').waitFor();
      await page.fill('#n-images .alt-zh', '检修范围示意图');
      await page.fill('#n-images .alt-en', 'Map of the repair area');

      await page.click('#n-preview');
      // LED: the PNG the device's renderer draws; lobby: the player's page with the draft, its script running.
      await poll(() => page.locator('#p-led-img').getAttribute('alt')).toContain(
        '燃气管道检修，暂停供气　本周一',
      );
      expect(await page.locator('#p-led-img').evaluate(naturalWidth)).toBe(128 * 6);
      const frame = page.frameLocator('#p-lobby');
      await poll(() => frame.locator('.takeover-title').textContent()).toBe('燃气管道检修，暂停供气');
      expect(await frame.locator('.takeover-title-en').textContent()).toBe(
        'Gas supply paused for pipe repairs',
      );
      await poll(() => frame.locator('#clock .time').textContent()).toMatch(/^\d{2}:\d{2}$/);
      await page.selectOption('#p-panel', '64x16');
      await poll(() => page.locator('#p-led-img').evaluate(naturalWidth)).toBe(64 * 6);
      await page.selectOption('#p-panel', '128x32');
      await poll(() => page.locator('#p-led-img').evaluate(naturalWidth)).toBe(128 * 6);

      await page.locator('#n-previews').screenshot({ path: join(shots, 'composer-preview.png') });
      // The same draft as an important notice: a slide with its image, as the lobby carousel shows it.
      await page.selectOption('#n-priority', 'important');
      await page.click('#n-preview');
      await poll(() => frame.locator('article.slide.active h1.title').textContent()).toBe(
        '燃气管道检修，暂停供气',
      );
      expect(await frame.locator('article.slide.active h2.title-en').textContent()).toBe(
        'Gas supply paused for pipe repairs',
      );
      await poll(() => frame.locator('article.slide.active figure img').evaluate(naturalWidth)).toBe(320);
      // The slide fades in (the player's own transition) before the picture is taken.
      await poll(() =>
        frame
          .locator('article.slide.active')
          .evaluate(
            (e) =>
              (
                globalThis as unknown as { getComputedStyle(e: unknown): { opacity: string } }
              ).getComputedStyle(e).opacity,
          ),
      ).toBe('1');
      await page.locator('#n-previews').screenshot({ path: join(shots, 'composer-preview-slide.png') });
      await page.selectOption('#n-priority', 'emergency');
      await page.fill('#n-ttl', '600');
      await page.check('input[name=n-then][value=draft]');
      await noAxeViolations(page);
      await page
        .locator('section.card', { hasText: '写通知' })
        .screenshot({ path: join(shots, 'composer-filled.png') });
      await page.click('#notice-form button[type=submit]');
      await poll(() => page.locator('#flash').textContent()).toContain('draft');

      const list = (await h.admin({ method: 'GET', url: API.notices })).json() as { notices: NoticeView[] };
      expect(list.notices).toHaveLength(1);
      const n = list.notices[0]!;
      noticeId = n.id;
      expect(n.status).toBe('draft');
      expect(n.content.title).toEqual({
        zh: '燃气管道检修，暂停供气',
        en: 'Gas supply paused for pipe repairs',
      });
      expect(n.content.body.en).toContain('Do not use gas stoves');
      expect(n.content.category).toBe('safety');
      expect(n.content.priority).toBe('emergency');
      expect(n.content.emergencyTtlSec).toBe(600);
      expect([...n.content.targets.nodeIds].sort()).toEqual([nodes.community.id, nodes.neighbour.id].sort());
      expect(n.content.targets.tags).toEqual(['hall-east']);
      expect(n.content.targets.roles).toEqual(['led', 'lobby']);
      expect(n.content.schedule.weekdays).toEqual([1, 2, 3, 4, 5]);
      expect(n.content.schedule.windows).toEqual([{ from: '08:00', to: '20:00' }]);
      // Typed on the community's clock (Asia/Shanghai, UTC+8), stored as the instant.
      expect(n.content.expiresAt).toBe(new Date(Date.parse(`${expires}:00+08:00`)).toISOString());
      expect(n.content.images).toHaveLength(1);
      expect(n.content.images[0]?.alt).toEqual({ zh: '检修范围示意图', en: 'Map of the repair area' });
    });

    it('goes draft → submitted → approved from the list', async () => {
      await page.click('button[aria-label="提交审核 燃气管道检修，暂停供气"]');
      await poll(() => page.locator('#flash').textContent()).toContain('pending');
      await page.click('button[aria-label="批准发布 燃气管道检修，暂停供气"]');
      await poll(() => page.locator('#flash').textContent()).toContain('published');
      const n = (await h.admin({ method: 'GET', url: API.notice(noticeId) })).json() as NoticeView;
      expect(n.status).toBe('published');
      expect(n.published?.content.emergencyTtlSec).toBe(600);
    });

    it('shows which screens played it and when, and a screen’s picture on request', async () => {
      const startedAt = new Date(Date.now() - 60_000).toISOString();
      const up = await lobby.call(h.app, {
        method: 'POST',
        url: API.devicePlaysUpload,
        payload: {
          plays: [
            {
              playId: 'play-0000000000000001',
              noticeId,
              version: 1,
              startedAt,
              durationMs: 45_000,
              surface: 'lobby',
              emergency: true,
            },
          ],
        },
      });
      expect(up.statusCode).toBe(200);
      await page.click('button[aria-label="播放记录 燃气管道检修，暂停供气"]');
      const plays = page.locator('#plays');
      await poll(() => plays.textContent()).toContain('45 s');
      expect(await plays.textContent()).toContain('大堂屏 lobby · 紧急 emergency');

      const shot = await sharp({ create: { width: 192, height: 108, channels: 3, background: '#1d4ed8' } })
        .png()
        .toBuffer();
      await plays.locator('button', { hasText: '截图' }).click();
      const command = await channel.next('command');
      const answered = await lobby.call(h.app, {
        method: 'POST',
        url: API.deviceScreenshotUpload((command.envelope as { payload: { id: string } }).payload.id),
        payload: {
          capturedAt: new Date().toISOString(),
          images: [{ kind: 'lobby', png: shot.toString('base64') }],
          errors: [],
        },
      });
      expect(answered.statusCode).toBe(200);
      await poll(() => plays.locator('.shot img').evaluate(naturalWidth)).toBe(192);
      await noAxeViolations(page);
      await plays.screenshot({ path: join(shots, 'notice-plays.png') });
      await page.screenshot({ path: join(shots, 'notices-composer-page.png'), fullPage: true });
    });

    it('lets staff draft, submit and edit, never publish or approve', async () => {
      const res = await h.admin({
        method: 'POST',
        url: API.admins,
        payload: { username: 'sunshine.staff', role: 'staff', nodeId: nodes.community.id },
      });
      const { password } = res.json() as CreateAdminResponse;
      const p = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
      await login(p, 'sunshine.staff', password);
      // Their tree is their subtree: their community only.
      expect(await p.locator('input[name=n-target]').count()).toBe(1);
      expect(await p.locator('input[name=n-then][value=publish]').count()).toBe(0);
      await p.fill('#n-title', '社区义诊');
      await p.fill('#n-title-en', 'Free health check');
      await p.fill('#n-body', '周六上午在社区服务中心义诊，欢迎老年居民参加。');
      await p.check(`input[name=n-target][aria-label="${PATH} 阳光社区"]`);
      await p.check('input[name=n-then][value=submit]');
      await p.click('#notice-form button[type=submit]');
      await poll(() => p.locator('#flash').textContent()).toContain('pending');
      const row = p.locator('tr', { hasText: '社区义诊' });
      await row.waitFor();
      expect(await row.locator('button', { hasText: '批准' }).count()).toBe(0);
      const list = (await h.admin({ method: 'GET', url: `${API.notices}?status=pending` })).json() as {
        notices: NoticeView[];
      };
      expect(list.notices.map((n) => n.content.title)).toEqual([{ zh: '社区义诊', en: 'Free health check' }]);

      // Edit: the latest revision fills the form; the save is that notice's edit, still awaiting approval.
      await row.locator('button', { hasText: '编辑' }).click();
      await p.locator('#n-editing').waitFor();
      expect(await p.inputValue('#n-title')).toBe('社区义诊');
      expect(await p.isChecked(`input[name=n-target][aria-label="${PATH} 阳光社区"]`)).toBe(true);
      await p.fill(
        '#n-body-en',
        'Saturday morning at the community service centre; older residents welcome.',
      );
      await p.check('input[name=n-then][value=draft]');
      await p.click('#notice-form button[type=submit]');
      await poll(() => p.locator('#flash').textContent()).toContain('pending');
      const edited = (
        await h.admin({ method: 'GET', url: API.notice(list.notices[0]!.id) })
      ).json() as NoticeView;
      expect(edited.revision).toBe(2);
      expect(edited.content.body.en).toContain('older residents welcome');
      expect(edited.content.title).toEqual({ zh: '社区义诊', en: 'Free health check' });
      await noAxeViolations(p);
      await p.context().close();
    });

    it('shows the API’s refusal with its code: a community admin may not put up their own emergency', async () => {
      const res = await h.admin({
        method: 'POST',
        url: API.admins,
        payload: { username: 'sunshine.admin', role: 'admin', nodeId: nodes.community.id },
      });
      const { password } = res.json() as CreateAdminResponse;
      const p = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
      await login(p, 'sunshine.admin', password);
      await p.fill('#n-title', '紧急：电梯停运');
      await p.fill('#n-body', '三号楼电梯故障停运，请走楼梯。');
      await p.selectOption('#n-priority', 'emergency');
      await p.check(`input[name=n-target][aria-label="${PATH} 阳光社区"]`);
      await p.check('input[name=n-then][value=publish]');
      await p.click('#notice-form button[type=submit]');
      await poll(() => p.locator('#n-errors').textContent()).toContain('LINLI_ERR_');
      const code = await p.locator('#n-errors code').textContent();
      expect(await p.locator('#flash code').textContent()).toBe(code);
      // The refused one was not stored: only the two before it exist.
      const list = (await h.admin({ method: 'GET', url: API.notices })).json() as { notices: unknown[] };
      expect(list.notices).toHaveLength(2);
      await noAxeViolations(p);
      await p.locator('#notice-form').screenshot({ path: join(shots, 'composer-server-error.png') });
      await p.context().close();
    });
  },
);
