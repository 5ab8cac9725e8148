import type { LedController } from '../../../device-drivers/contracts/led-controller.js';
import { frameToPng } from '../../../signage/src/led/frame-png.js';
import { livePeripheral } from '../live-peripheral.js';
import { ledRoutes } from './led-routes.js';
import { LedSign } from './led-sign.js';
import type { RoleContext, RoleUnit } from './role-unit.js';

export function createLedRole(ctx: RoleContext): RoleUnit {
  const c = ctx.config.led;
  const sign = new LedSign({
    panel: { width: c.width, height: c.height, colors: c.colors },
    font: c.font,
    scrollPxPerSec: c.scrollPxPerSec,
    frameIntervalMs: c.frameIntervalMs,
    brightness: c.brightness,
    timeZone: ctx.identity.file.node.timezone,
    playback: ctx.content.playback,
    plays: ctx.content.plays,
    // Live (issue 12): a controller missing at boot or unplugged later gets the next frame once it is back.
    ...(ctx.peripherals.led || ctx.peripheralEvents
      ? { controller: livePeripheral<LedController>('led', ctx.peripherals, ctx.peripheralEvents) }
      : {}),
    log: ctx.log.child({ component: 'led' }),
  });
  return {
    routes: (app) => ledRoutes(app, { sign, previewScale: c.previewScale }),
    start: () => sign.start(),
    stop: () => sign.stop(),
    health: () => ({
      text: sign.state.text,
      emergency: sign.state.emergency,
      controller: { ...sign.state.controller, present: ctx.peripherals.led !== undefined },
    }),
    screenshot: async () => [{ kind: 'led', png: await frameToPng(sign.frame) }],
  };
}
