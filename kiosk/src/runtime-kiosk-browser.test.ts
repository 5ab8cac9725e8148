import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, missing } from '../../tests/helpers/requirements.js';
import { ControlPlaneDouble } from './testing/control-plane-double.js';
import { startRuntime } from './testing/start-runtime.js';

const cp = new ControlPlaneDouble();
beforeAll(() => cp.start());
afterAll(() => cp.stop());

interface Health {
  browser: { alive: boolean; restarts: number; mode: string; touchQuiet?: boolean };
}

describe.skipIf(missing('Chromium', hasChromium()))('the kiosk role supervises its screen browser', () => {
  it('opens /kiosk in the browser it drives and reports browser health in /healthz', async () => {
    const { runtime, url } = await startRuntime(cp, 'kiosk', {
      screen: { launchChromium: true, width: 800, height: 600 },
    });
    try {
      await expect
        .poll(async () => ((await (await fetch(`${url}/healthz`)).json()) as Health).browser, {
          timeout: 30_000,
        })
        .toMatchObject({ alive: true, restarts: 0, mode: 'launch', touchQuiet: false });
    } finally {
      await runtime.stop();
    }
  }, 60_000);

  it('without a browser to drive, reports it not alive and keeps serving', async () => {
    const { runtime, url } = await startRuntime(cp, 'kiosk', {
      screen: { cdpEndpoint: 'http://127.0.0.1:9' },
    });
    try {
      const h = (await (await fetch(`${url}/healthz`)).json()) as Health;
      expect(h.browser).toMatchObject({ alive: false, restarts: 0, mode: 'attach' });
      expect((await fetch(`${url}/kiosk`)).status).toBe(200);
    } finally {
      await runtime.stop();
    }
  });
});
