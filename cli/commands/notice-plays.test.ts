/**
 * "Which screens show the emergency?" asked while it is live: a device's play log (the one the lobby page,
 * the LED sign and the kiosk takeover write to) → its upload → GET /api/v1/admin/notices/:id/plays →
 * `linli notice plays`, against a real control plane.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness } from '../../control-plane/src/testing/harness.js';
import { TestDevice } from '../../control-plane/src/testing/test-device.js';
import { PlayLog } from '../../kiosk/src/content/play-log.js';
import { silentLogger } from '../../kiosk/src/logger.js';
import { API } from '../../protocol/api.js';
import type { NoticeActionResponse } from '../../protocol/schemas/notice-admin.js';
import type { NoticePlaysResponse, UploadPlaysRequest } from '../../protocol/schemas/signage-device.js';
import { command } from './notice.js';

let h: Harness;
let url: string;
let dir: string;
const device = new TestDevice();

beforeAll(async () => {
  h = await createHarness();
  url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const { community } = await h.community('plays');
  await device.enroll(h.app, (await h.token(community.id, 'lobby')).token, 'lobby');
  dir = await mkdtemp(join(tmpdir(), 'linli-plays-e2e-'));
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

/** `linli notice plays ID` as a user runs it; its stdout. */
async function cli(id: string): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await command.run([
      'plays',
      id,
      '--server',
      url,
      '--user',
      'admin',
      '--password',
      h.password,
    ]);
    expect(code).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('proof of play of a live emergency', () => {
  it('is reported while it is still on screen, updated as it goes on, and shown by linli notice plays', async () => {
    const created = await h.admin({
      method: 'POST',
      url: API.notices,
      payload: {
        title: { zh: '燃气泄漏，请立即撤离' },
        body: { zh: '请按工作人员指引从最近的安全出口离开。' },
        category: 'safety',
        priority: 'emergency',
        targets: { nodeIds: [device.enrolled!.node.id] },
        emergencyTtlSec: 600,
        publish: true,
      },
    });
    expect(created.statusCode).toBe(201);
    const { notice } = created.json() as NoticeActionResponse;
    // Positive control: before any report the CLI says so.
    expect(await cli(notice.id)).toContain('no showings reported yet');

    const uploads: UploadPlaysRequest[] = [];
    const plays = new PlayLog({
      file: join(dir, 'plays.jsonl'),
      upload: async (body) => {
        const res = await device.call(h.app, { method: 'POST', url: API.devicePlaysUpload, payload: body });
        if (res.statusCode !== 200) throw new Error(`upload ${res.statusCode} ${res.body}`);
        uploads.push(body);
      },
      log: silentLogger,
      // An hour: nothing here waits for the periodic upload.
      uploadIntervalMs: 3_600_000,
    });
    await plays.start();
    const startedAt = new Date().toISOString();
    const showing = {
      noticeId: notice.id,
      version: notice.published!.version,
      startedAt,
      surface: 'lobby' as const,
      emergency: true,
    };
    // The takeover goes up: its record is written and uploaded at once.
    const first = await plays.record({ ...showing, durationMs: 0 });
    await expect.poll(() => uploads.length).toBe(1);
    const read = async () =>
      (await h.admin({ method: 'GET', url: API.noticePlays(notice.id) })).json() as NoticePlaysResponse;
    expect((await read()).devices).toMatchObject([{ deviceId: device.id, plays: 1, totalMs: 0 }]);
    expect(await cli(notice.id)).toMatch(new RegExp(`\\(lobby, ${device.id}\\): 1 showing\\(s\\), 0 s`));

    // 30 s on screen: the same play again, longer. Still one showing, now 30 s.
    await plays.record({ ...showing, playId: first.playId, durationMs: 30_000 });
    await expect.poll(() => uploads.length).toBe(2);
    const later = await read();
    expect(later.devices).toMatchObject([{ deviceId: device.id, plays: 1, totalMs: 30_000 }]);
    expect(later.plays).toMatchObject([{ startedAt, durationMs: 30_000, emergency: true, surface: 'lobby' }]);
    const out = await cli(notice.id);
    expect(out).toContain('1 showing(s), 30 s');
    expect(out).not.toContain('no showings reported yet');

    // An old copy re-sent (a lost answer) never shortens it, and a play id cannot be moved to another showing.
    const resend = await device.call(h.app, {
      method: 'POST',
      url: API.devicePlaysUpload,
      payload: {
        plays: [
          { ...first, durationMs: 0 },
          { ...first, startedAt: new Date(Date.parse(startedAt) - 60_000).toISOString(), durationMs: 90_000 },
        ],
      },
    });
    expect(resend.json()).toEqual({ accepted: 0, duplicates: 2 });
    expect((await read()).plays).toMatchObject([{ startedAt, durationMs: 30_000 }]);
    await plays.stop();
  });
});
