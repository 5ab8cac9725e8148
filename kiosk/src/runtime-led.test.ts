import { access } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCjkFont, missing } from '../../tests/helpers/requirements.js';
import { stateLayout } from './state/state-layout.js';
import { ControlPlaneDouble } from './test-support/control-plane-double.js';
import { startRuntime } from './test-support/start-runtime.js';

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
});
