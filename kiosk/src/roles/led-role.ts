import { frameToPng } from '../../../notice-render/led/frame-png.js';
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
    // Remote settings (issue 12): the schedule in effect (device.json's unless a target changed it).
    brightness: ctx.settings.get('led.brightness'),
    timeZone: ctx.identity.file.node.timezone,
    playback: ctx.content.playback,
    plays: ctx.content.plays,
    ...(ctx.peripherals.led ? { controller: ctx.peripherals.led } : {}),
    log: ctx.log.child({ component: 'led' }),
  });
  ctx.settings.onApply('led.brightness', (bands) => sign.setBrightnessSchedule(bands));
  return {
    routes: (app) => ledRoutes(app, { sign, previewScale: c.previewScale }),
    start: () => sign.start(),
    stop: () => sign.stop(),
    health: () => ({
      text: sign.state.text,
      emergency: sign.state.emergency,
      controller: sign.state.controller,
    }),
    screenshot: async () => [{ kind: 'led', png: await frameToPng(sign.frame) }],
  };
}
