import type { LedController } from '../../../device-drivers/contracts/led-controller.js';
import { frameToPng } from '../../../notice-render/led/frame-png.js';
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
    // Remote settings (issue 12): the schedule in effect (device.json's unless a target changed it).
    brightness: ctx.settings.get('led.brightness'),
    timeZone: ctx.identity.file.node.timezone,
    playback: ctx.content.playback,
    plays: ctx.content.plays,
    // Live (issue 12): a controller missing at boot or unplugged later gets the next frame once it is back.
    ...(ctx.peripherals.led || ctx.peripheralEvents
      ? { controller: livePeripheral<LedController>('led', ctx.peripherals, ctx.peripheralEvents) }
      : {}),
    log: ctx.log.child({ component: 'led' }),
  });
  // The brightness in effect follows the live settings (remote configuration, a command's temporary level).
  let offBrightness: (() => void) | undefined;
  return {
    routes: (app) => ledRoutes(app, { sign, previewScale: c.previewScale }),
    start: async () => {
      offBrightness ??= ctx.settings.onApply('led.brightness', (bands) => sign.setBrightnessSchedule(bands));
      await sign.start();
    },
    stop: async () => {
      offBrightness?.();
      offBrightness = undefined;
      await sign.stop();
    },
    identify: (seconds) => sign.identify(seconds),
    health: () => ({
      text: sign.state.text,
      emergency: sign.state.emergency,
      controller: { ...sign.state.controller, present: ctx.peripherals.led !== undefined },
    }),
    screenshot: async () => [{ kind: 'led', png: await frameToPng(sign.frame) }],
  };
}
