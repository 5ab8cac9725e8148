/**
 * Remote commands on a kiosk, as processes (issue 12): the kiosk runtime drives its own Chromium on /kiosk,
 * the admin takes a screenshot of the kiosk UI through the signed `screenshot` command, and is REFUSED one
 * while a payment screen shows card data (result `rejected`, detail.screenshot = refused-payment-screen).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import {
  ARTIFACTS,
  DEMO_CARD,
  type KioskUiWorld,
  kioskCall,
  startKioskUiWorld,
} from '../../../tests/helpers/kiosk-ui-world.js';
import { eventually } from '../../../tests/helpers/processes.js';
import { CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';

let world: KioskUiWorld;
let kioskId: string;

describe.skipIf(missing('chromium', hasChromium()))('kiosk remote commands', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    world = await startKioskUiWorld({
      screen: { launchChromium: true, chromiumPath: CHROMIUM_PATH, width: 1080, height: 1920 },
    });
    kioskId = (await world.admin.listDevices())[0]!.id;
    await eventually(async () => (await world.admin.listDevices())[0]?.online, 20_000, 'the kiosk online');
  }, 120_000);
  afterAll(async () => world?.stop());

  it('takes a screenshot of the kiosk UI, and refuses one while the card payment screen shows', async () => {
    const shot = await world.admin.screenshot(kioskId);
    expect(shot.errors).toEqual([]);
    expect(shot.images.map((i) => i.kind)).toEqual(['kiosk']);
    const png = Buffer.from(shot.images[0]!.png, 'base64');
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 1080, height: 1920 });
    writeFileSync(join(ARTIFACTS, 'remote-screenshot-home.png'), png);

    // A resident's card: the page goes to the card's accounts (pay-card), and screenshots stop.
    await kioskCall(world.kiosk, '/kiosk/api/sim/card', { cardUid: DEMO_CARD });
    const refused = await eventually(
      async () => {
        const s = await world.admin.screenshot(kioskId);
        return s.errors[0]?.code === ErrorCode.SCREENSHOT_REFUSED ? s : undefined;
      },
      30_000,
      'a refused screenshot on the payment screen',
    );
    expect(refused.images).toEqual([]);
    expect(refused.errors[0]?.message).toMatch(/pay-card/);
    const commands = await world.admin.listCommands(kioskId);
    await eventually(
      async () => (await world.admin.getCommand(commands[0]!.id)).result?.status === 'rejected',
      10_000,
      'the signed refusal',
    );
    expect((await world.admin.getCommand(commands[0]!.id)).result).toMatchObject({
      status: 'rejected',
      code: ErrorCode.SCREENSHOT_REFUSED,
      detail: { screenshot: 'refused-payment-screen' },
    });
    // The first one was done, with its picture uploaded.
    expect(commands.at(-1)?.result).toMatchObject({ status: 'done', detail: { images: 1, uploaded: true } });
  });

  it('identifies itself: an overlay on the kiosk page, the printer beep skipped with a note', async () => {
    // Drawn over whatever screen shows (here still the card's accounts).
    const sent = await world.admin.sendCommand(kioskId, { op: 'identify', args: { seconds: 30 } });
    const done = await eventually(
      async () => {
        const c = await world.admin.getCommand(sent.id);
        return c.result ? c : undefined;
      },
      20_000,
      'the identify result',
    );
    expect(done.result).toMatchObject({
      status: 'done',
      detail: { seconds: 30, beep: expect.stringMatching(/^skipped/) },
    });
  });
});
