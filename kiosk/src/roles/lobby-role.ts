import { screenState } from '../../../notice-render/lobby/screen-state.js';
import { BrowserSupervisor } from '../screen/browser-supervisor.js';
import { identifyLabel } from '../screen/page-scripts.js';
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
  // Remote setting screen.orientation (issue 12): the page turns itself (player.css); pushed at once.
  let orientation = ctx.settings.get('screen.orientation');
  const changed = new Set<() => void>();
  ctx.settings.onApply('screen.orientation', (v) => {
    orientation = v;
    for (const fn of changed) fn();
  });
  const state = () => ({
    ...screenState(
      context,
      ctx.content.playback.current((sha) => `/screen/media/${sha}`),
    ),
    orientation,
  });
  return {
    routes: (app) =>
      lobbyRoutes(app, {
        state,
        content: ctx.content,
        online: ctx.online,
        onLinkChange: ctx.onLinkChange,
        onStateChange: (fn) => changed.add(fn),
        log: ctx.log.child({ component: 'screen' }),
      }),
    start: async () => {},
    afterListen: (url) => browser.start(url),
    stop: () => browser.stop(),
    health: () => ({ showing: state().notices.length, browser: browser.health() }),
    screenshot: async () => [{ kind: 'lobby', png: await browser.screenshot() }],
    restartBrowser: () => browser.restart(),
    identify: (seconds) => browser.identify(seconds, identifyLabel(ctx)),
  };
}
