import { EventEmitter } from 'node:events';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../kiosk/src/logger.js';
import { LedSign } from '../../../../kiosk/src/roles/led-sign.js';
import { framePreviewPng, frameToPng } from '../../../../notice-render/led/frame-png.js';
import type { PlayState } from '../../../../notice-render/play-types.js';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { CreateAdminResponse } from '../../../../protocol/schemas/admin.js';
import { hasCjkFont, missing } from '../../../../tests/helpers/requirements.js';
import { createHarness, type Harness } from '../../testing/harness.js';

let h: Harness;
let nodes: Awaited<ReturnType<Harness['community']>>;
let other: Awaited<ReturnType<Harness['community']>>;
let staffToken: string;

const LONG = '明天上午八点至下午两点全小区停水请提前储水';
const draft = (extra: Record<string, unknown> = {}) => ({
  title: { zh: LONG, en: 'Water cut tomorrow 08:00–14:00' },
  body: { zh: '因管道检修停水，请提前储水。', en: 'Pipe repairs: please store water.' },
  category: 'utility',
  priority: 'important',
  targets: { nodeIds: [nodes.community.id] },
  ...extra,
});

/** The device's LED sign, fed one notice through its own playback interface; resolves with its frame. */
async function deviceFrame(
  state: Omit<PlayState, 'generatedAt'>,
  panel: { width: number; height: number; colors: 1 | 2 },
) {
  const playback = new (class extends EventEmitter {
    current = (): PlayState => ({ generatedAt: new Date().toISOString(), ...state });
  })();
  const sign = new LedSign({
    panel,
    font: 'Noto Sans CJK SC',
    scrollPxPerSec: 32,
    frameIntervalMs: 100,
    brightness: [],
    timeZone: 'Asia/Shanghai',
    playback,
    log: silentLogger,
    // Timers never fire: the sign's first frame of the showing is what stays.
    scheduler: { setTimeout: () => 0, clearTimeout: () => {} },
  });
  await sign.start();
  await sign.idle();
  const frame = sign.frame;
  await sign.stop();
  return frame;
}

beforeAll(async () => {
  h = await createHarness();
  nodes = await h.community('预览');
  other = await h.community('别处');
  const res = await h.admin({
    method: 'POST',
    url: API.admins,
    payload: { username: 'preview.staff', role: 'staff', nodeId: nodes.community.id },
  });
  const { password } = res.json() as CreateAdminResponse;
  const login = await h.app.inject({
    method: 'POST',
    url: API.login,
    payload: { username: 'preview.staff', password },
  });
  staffToken = (login.json() as { token: string }).token;
});
afterAll(() => h.close());

describe.skipIf(missing('a CJK font (fonts-noto-cjk)', hasCjkFont()))('LED preview', () => {
  const panel = { width: 64, height: 16, colors: 2 as const };

  it('is byte for byte what the device’s LED sign draws for the same notice (1:1 and as LED dots)', async () => {
    const n = draft();
    const device = await deviceFrame(
      {
        emergencies: [],
        notices: [
          {
            id: 'ntc_01JDQ0000000000000000000AA',
            version: 1,
            title: n.title,
            body: n.body,
            category: 'utility',
            priority: 'important',
            images: [],
            displaySec: 15,
            expiresAt: '2027-01-01T00:00:00Z',
          },
        ],
      },
      panel,
    );
    const one = await h.admin({
      method: 'POST',
      url: API.noticePreviewLed,
      payload: { notice: n, panel, scale: 1 },
    });
    expect(one.statusCode).toBe(200);
    expect(one.headers['content-type']).toBe('image/png');
    expect(one.headers['x-linli-led-scrolls']).toBe('true');
    expect(decodeURIComponent(String(one.headers['x-linli-led-text']))).toBe(LONG);
    // The sign's own screenshot is frameToPng(sign.frame) (kiosk/src/roles/led-role.ts).
    expect(one.rawPayload.equals(await frameToPng(device))).toBe(true);
    const dots = await h.admin({
      method: 'POST',
      url: API.noticePreviewLed,
      payload: { notice: n, panel, scale: 6 },
    });
    expect(dots.rawPayload.equals(await framePreviewPng(device, 6))).toBe(true);
    const meta = await sharp(dots.rawPayload).metadata();
    expect([meta.width, meta.height]).toEqual([64 * 6, 16 * 6]);
    // Positive control: an amber (important) frame with lit pixels, not an empty panel that trivially matches.
    expect(device.pixels.filter((p) => p === 3).length).toBeGreaterThan(40);
    // Another title draws another frame.
    const otherTitle = await h.admin({
      method: 'POST',
      url: API.noticePreviewLed,
      payload: { notice: draft({ title: { zh: '停电' } }), panel, scale: 1 },
    });
    expect(otherTitle.rawPayload.equals(one.rawPayload)).toBe(false);
  });

  it('draws an emergency as the sign does: title and body, red, from its beginning', async () => {
    const n = draft({ priority: 'emergency', title: { zh: '燃气泄漏' }, body: { zh: '请立即撤离' } });
    const device = await deviceFrame(
      {
        notices: [],
        emergencies: [
          {
            noticeId: 'ntc_01JDQ0000000000000000000BB',
            version: 1,
            seq: 3,
            title: n.title as { zh: string },
            body: n.body as { zh: string },
            category: 'safety',
            remainingMs: 60_000,
            expiresAt: '2027-01-01T00:00:00Z',
          },
        ],
      },
      panel,
    );
    const res = await h.admin({
      method: 'POST',
      url: API.noticePreviewLed,
      payload: { notice: n, panel, scale: 1 },
    });
    expect(decodeURIComponent(String(res.headers['x-linli-led-text']))).toBe('燃气泄漏　请立即撤离');
    expect(res.rawPayload.equals(await frameToPng(device))).toBe(true);
  });

  it('refuses what the API refuses, with the code: a target outside scope, a picture too large, no session', async () => {
    const outside = await h.app.inject({
      method: 'POST',
      url: API.noticePreviewLed,
      headers: { authorization: `Bearer ${staffToken}` },
      payload: { notice: draft({ targets: { nodeIds: [other.community.id] } }) },
    });
    expect([outside.statusCode, outside.json().error.code]).toEqual([404, ErrorCode.NODE_NOT_FOUND]);
    const big = await h.admin({
      method: 'POST',
      url: API.noticePreviewLed,
      payload: { notice: draft(), panel: { width: 1024, height: 256, colors: 1 }, scale: 16 },
    });
    expect([big.statusCode, big.json().error.code]).toEqual([400, ErrorCode.BAD_REQUEST]);
    const wide = await h.admin({
      method: 'POST',
      url: API.noticePreviewLed,
      payload: { notice: draft(), panel: { width: 5000, height: 16, colors: 1 } },
    });
    expect(wide.statusCode).toBe(400);
    const ttl = await h.admin({
      method: 'POST',
      url: API.noticePreviewLed,
      payload: { notice: draft({ priority: 'emergency', emergencyTtlSec: 5 }) },
    });
    expect(ttl.statusCode).toBe(400);
    const anon = await h.app.inject({
      method: 'POST',
      url: API.noticePreviewLed,
      payload: { notice: draft() },
    });
    expect(anon.statusCode).toBe(401);
    // Staff draft, so they preview: the same request inside their scope is drawn.
    const mine = await h.app.inject({
      method: 'POST',
      url: API.noticePreviewLed,
      headers: { authorization: `Bearer ${staffToken}` },
      payload: { notice: draft() },
    });
    expect(mine.statusCode).toBe(200);
  });
});

describe('lobby preview', () => {
  it('is the player’s page with the draft (zh + en, first image inline) and the player’s own assets', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
    const up = await h.admin({
      method: 'POST',
      url: API.media,
      headers: { 'content-type': 'image/png' },
      payload: png,
    });
    expect(up.statusCode).toBe(201);
    const { mediaId } = up.json() as { mediaId: string };
    const res = await h.admin({
      method: 'POST',
      url: API.noticePreviewLobby,
      payload: { notice: draft({ images: [{ mediaId, alt: { zh: '停水区域图' } }] }) },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body;
    expect(html).toContain(`<h1 class="title" lang="zh">${LONG}</h1>`);
    expect(html).toContain('Water cut tomorrow 08:00–14:00');
    expect(html).toContain(`src="data:image/png;base64,${png.toString('base64')}"`);
    expect(html).toContain('<body data-preview>');
    expect(html).toContain('href="/console/player/player.css"');
    expect(html).toContain('src="/console/player/player.js"');
    expect(html).toContain(nodes.community.name);
    for (const f of ['player.js', 'player.css']) {
      const a = await h.app.inject({ method: 'GET', url: `/console/player/${f}` });
      expect(a.statusCode).toBe(200);
    }
    expect((await h.app.inject({ method: 'GET', url: '/console/player/constructor' })).statusCode).toBe(404);
    // An emergency is the takeover, as on a screen.
    const e = await h.admin({
      method: 'POST',
      url: API.noticePreviewLobby,
      payload: { notice: draft({ priority: 'emergency', title: { zh: '燃气泄漏' } }) },
    });
    expect(e.body).toContain('<h1 class="takeover-title" lang="zh">燃气泄漏</h1>');
    expect(e.body).toContain('<body class="emergency" data-preview>');
    const unknown = await h.admin({
      method: 'POST',
      url: API.noticePreviewLobby,
      payload: { notice: draft({ images: [{ mediaId: 'ab'.repeat(32) }] }) },
    });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, ErrorCode.MEDIA_NOT_FOUND]);
  });
});
