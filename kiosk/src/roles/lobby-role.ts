import { screenState } from '../../../signage/src/player/screen-state.js';
import { BrowserSupervisor } from '../screen/browser-supervisor.js';
import { lobbyRoutes } from './lobby-routes.js';
import type { RoleContext, RoleUnit } from './role-unit.js';

/** The lobby screen: the player page, its live feed, media, proof of play from the page, screenshots. */
export function createLobbyRole(ctx: RoleContext): RoleUnit {
  const node = ctx.identity.file.node;
  const context = {
    deviceId: ctx.identity.deviceId,
    community: { name: node.name, path: node.path, timezone: node.timezone },
  };
  const browser = new BrowserSupervisor(ctx.config.screen, ctx.log.child({ component: 'screen' }), {
    path: '/screen',
  });
  const state = () =>
    screenState(
      context,
      ctx.content.playback.current((sha) => `/screen/media/${sha}`),
    );
  return {
    routes: (app) =>
      lobbyRoutes(app, {
        state,
        content: ctx.content,
        online: ctx.online,
        onLinkChange: ctx.onLinkChange,
        log: ctx.log.child({ component: 'screen' }),
      }),
    start: async () => {},
    afterListen: (url) => browser.start(url),
    stop: () => browser.stop(),
    health: () => ({ showing: state().notices.length, browser: browser.health() }),
    screenshot: async () => [{ kind: 'lobby', png: await browser.screenshot() }],
    restartBrowser: () => browser.restart(),
  };
}
