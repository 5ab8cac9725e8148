import { lobbyRoutes } from './lobby-routes.js';
import type { RoleContext, RoleUnit } from './role-unit.js';
import { ScreenFeed } from './screen-feed.js';

export function createLobbyRole(ctx: RoleContext): RoleUnit {
  const node = ctx.identity.file.node;
  const feed = new ScreenFeed({
    context: {
      deviceId: ctx.identity.deviceId,
      community: { name: node.name, path: node.path, timezone: node.timezone },
    },
    notices: ctx.notices,
  });
  return {
    routes: (app) => lobbyRoutes(app, { feed, online: ctx.online, onLinkChange: ctx.onLinkChange }),
    start: async () => feed.start(),
    stop: async () => feed.stop(),
    health: () => ({ showing: feed.state.notices.length }),
  };
}
