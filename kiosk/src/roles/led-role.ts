import { ledRoutes } from './led-routes.js';
import { LedSign } from './led-sign.js';
import type { RoleContext, RoleUnit } from './role-unit.js';

export function createLedRole(ctx: RoleContext): RoleUnit {
  const sign = new LedSign({
    width: ctx.config.led.width,
    height: ctx.config.led.height,
    font: ctx.config.led.font,
    notices: ctx.notices,
    ...(ctx.peripherals.led ? { controller: ctx.peripherals.led } : {}),
    log: ctx.log.child({ component: 'led' }),
  });
  return {
    routes: (app) => ledRoutes(app, { sign, previewScale: ctx.config.led.previewScale }),
    start: () => sign.start(),
    stop: () => sign.stop(),
    health: () => ({ text: sign.state.text, controller: sign.state.controller }),
  };
}
