import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { UploadPlaysRequest } from '../../../protocol/schemas/signage-device.js';
import type { PlayEmergency, PlayState } from '../../../signage/src/play-state.js';
import type { ContentUnit } from '../content/content-unit.js';
import { PlayLog } from '../content/play-log.js';
import { silentLogger } from '../logger.js';
import { kioskNoticeRoutes } from './kiosk-notice-routes.js';

const live = (id: string, seq: number, title: string, version = 1): PlayEmergency => ({
  noticeId: `ntc_01JDQ0000000000000000000${id}`,
  version,
  seq,
  title: { zh: title },
  body: { zh: '请立即撤离' },
  category: 'safety',
  remainingMs: 600_000,
  expiresAt: '2026-12-31T00:00:00Z',
});

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** The kiosk's notice routes over a content unit whose playback is this state, with a real play log. */
async function kiosk(emergencies: PlayEmergency[]) {
  const dir = await mkdtemp(join(tmpdir(), 'linli-kiosk-notices-'));
  dirs.push(dir);
  const uploads: UploadPlaysRequest[] = [];
  const plays = new PlayLog({
    file: join(dir, 'plays.jsonl'),
    upload: async (b) => {
      uploads.push(b);
    },
    log: silentLogger,
    uploadIntervalMs: 3_600_000,
  });
  await plays.start();
  const state: PlayState = { generatedAt: new Date().toISOString(), emergencies, notices: [] };
  const content = {
    playback: { current: () => state },
    emergencies: {
      shownVersion: (id: string) => emergencies.find((e) => e.noticeId === id)?.version,
    },
    sync: { notices: () => [] },
    plays,
  } as unknown as ContentUnit;
  const app = Fastify();
  await app.register(async (a) => kioskNoticeRoutes(a, content));
  await app.ready();
  return { app, plays, uploads };
}

describe('kiosk notice routes', () => {
  it('with two live emergencies the takeover is the newest one, whatever order the device lists them in', async () => {
    const { app, plays } = await kiosk([live('E1', 3, '燃气泄漏'), live('E2', 8, '暴雨红色预警')]);
    const res = await app.inject({ method: 'GET', url: '/kiosk/api/emergency' });
    expect(res.json()).toMatchObject({ active: true, notice: { id: live('E2', 8, '').noticeId } });
    expect(res.json().notice.title.zh).toBe('暴雨红色预警');
    await app.close();
    await plays.stop();
  });

  it('records a takeover as it starts and updates the same play as it goes on; the version is the one shown', async () => {
    const { app, plays, uploads } = await kiosk([live('E1', 3, '燃气泄漏', 4)]);
    const startedAt = new Date().toISOString();
    const noticeId = live('E1', 3, '').noticeId;
    const post = (durationMs: number) =>
      app.inject({
        method: 'POST',
        url: '/kiosk/api/notice-plays',
        payload: { playId: 'kioskShowing000001', noticeId, startedAt, durationMs, emergency: true },
      });
    expect((await post(0)).statusCode).toBe(200);
    // An emergency's record goes up at once, not at the next upload interval (an hour here).
    await expect.poll(() => uploads.length).toBe(1);
    expect(uploads[0]!.plays).toEqual([
      {
        playId: 'kioskShowing000001',
        noticeId,
        version: 4,
        startedAt,
        durationMs: 0,
        surface: 'kiosk',
        emergency: true,
      },
    ]);
    expect((await post(30_000)).statusCode).toBe(200);
    await expect.poll(() => uploads.length).toBe(2);
    expect(uploads[1]!.plays.map((p) => [p.playId, p.durationMs])).toEqual([['kioskShowing000001', 30_000]]);
    const bad = await app.inject({
      method: 'POST',
      url: '/kiosk/api/notice-plays',
      payload: { playId: 'no spaces allowed!', noticeId, startedAt, durationMs: 5 },
    });
    expect(bad.statusCode).toBe(400);
    await app.close();
    await plays.stop();
  });
});
