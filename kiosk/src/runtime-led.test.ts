import { access } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCjkFont, missing } from '../../tests/helpers/requirements.js';
import { stateLayout } from './state/state-layout.js';
import { ControlPlaneDouble } from './testing/control-plane-double.js';
import { startRuntime } from './testing/start-runtime.js';

const cp = new ControlPlaneDouble();
beforeAll(async () => {
  await cp.start();
});
afterAll(async () => {
  await cp.stop();
});

describe.skipIf(missing('fonts-noto-cjk', hasCjkFont()))('led role over HTTP', () => {
  it('renders the top notice title into the frame, serves it as PNG and sends it to the controller', async () => {
    cp.notices = [];
    cp.publishNotice('停水通知');
    const { runtime, url, stateDir } = await startRuntime(cp, 'led');
    try {
      let state: { text: string; litPixels: number; controller: { lastSentAt: string | null } } | undefined;
      for (let i = 0; i < 100 && state?.text !== '停水通知'; i++) {
        state = (await (await fetch(`${url}/led/state.json`)).json()) as typeof state;
        if (state?.text !== '停水通知') await new Promise((r) => setTimeout(r, 25));
      }
      expect(state?.text).toBe('停水通知');
      expect(state?.litPixels).toBeGreaterThan(200);
      expect(state?.controller.lastSentAt).not.toBeNull();

      const frame = await fetch(`${url}/led/frame.png`);
      expect(frame.headers.get('content-type')).toBe('image/png');
      const meta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([128, 32]);
      const preview = await sharp(
        Buffer.from(await (await fetch(`${url}/led/preview.png`)).arrayBuffer()),
      ).metadata();
      expect([preview.width, preview.height]).toEqual([1024, 256]);

      // The drivers' simulated controller received the frame over its wire protocol and rendered it.
      await access(join(stateLayout(stateDir).led, 'led-current.png'));
    } finally {
      await runtime.stop();
    }
  });

  it('scrolls a long title, preempts with an emergency at full brightness, and records every showing', async () => {
    cp.notices = [];
    cp.publishNotice('明天上午八点至下午两点全小区停水，请提前储水', { displaySec: 5 });
    const { runtime, url } = await startRuntime(cp, 'led', {
      led: { width: 64, height: 16, colors: 2, frameIntervalMs: 50, scrollPxPerSec: 200 },
      content: { playsUploadIntervalMs: 200 },
    });
    type LedState = {
      text: string;
      scrolling: boolean;
      emergency: boolean;
      brightness: number;
      litPixels: number;
    };
    const read = async () => (await (await fetch(`${url}/led/state.json`)).json()) as LedState;
    try {
      await expect.poll(async () => (await read()).scrolling, { timeout: 10_000 }).toBe(true);
      // It first rests with its beginning on the panel, then moves.
      await new Promise((r) => setTimeout(r, 1_600));
      const frames = new Set<string>();
      for (let i = 0; i < 10; i++) {
        frames.add(Buffer.from(await (await fetch(`${url}/led/frame.png`)).arrayBuffer()).toString('base64'));
        await new Promise((r) => setTimeout(r, 60));
      }
      expect(frames.size).toBeGreaterThan(3);

      cp.pushEmergency({ title: { zh: '燃气泄漏' }, body: { zh: '请立即撤离' }, ttlSec: 10 });
      await expect.poll(async () => (await read()).emergency, { timeout: 5_000 }).toBe(true);
      const up = await read();
      expect(up.text).toContain('燃气泄漏');
      expect(up.brightness).toBe(16);
      // The TTL lapses on the device's own clock: the notice comes back.
      await expect.poll(async () => (await read()).emergency, { timeout: 15_000 }).toBe(false);
      await expect
        .poll(
          () =>
            cp.plays
              .filter((p) => (p as { surface?: string }).surface === 'led')
              .map((p) => (p as { emergency?: boolean }).emergency === true),
          {
            timeout: 10_000,
          },
        )
        .toContain(true);
    } finally {
      await runtime.stop();
    }
  }, 40_000);

  it('a notice published while a long title scrolls is on the panel within 2 s, the whole device path', async () => {
    cp.notices = [];
    cp.publishNotice('明天上午八点至下午两点全小区停水，请提前储水并关好家中水龙头', { displaySec: 60 });
    const { runtime, url } = await startRuntime(cp, 'led', {
      led: { width: 64, height: 16, colors: 2, frameIntervalMs: 50, scrollPxPerSec: 40 },
    });
    const read = async () =>
      (await (await fetch(`${url}/led/state.json`)).json()) as { title: string; scrolling: boolean };
    try {
      await expect.poll(async () => (await read()).scrolling, { timeout: 10_000 }).toBe(true);
      await new Promise((r) => setTimeout(r, 1_600)); // past the hold: it is moving
      // Push `sync` → TUF refresh → manifest → playback → the sign's next frame.
      const t0 = performance.now();
      cp.publishNotice('今晚停电');
      await expect.poll(async () => (await read()).title, { timeout: 5_000, interval: 20 }).toBe('今晚停电');
      const ms = performance.now() - t0;
      process.stdout.write(`led: published → on the panel in ${Math.round(ms)} ms\n`);
      expect(ms).toBeLessThan(2_000);
    } finally {
      await runtime.stop();
    }
  }, 30_000);
});
