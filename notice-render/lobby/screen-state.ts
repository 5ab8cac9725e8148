import type { PlayState } from '../play-types.js';

export interface ScreenContext {
  deviceId: string;
  community: { name: string; path: string[]; timezone: string };
}

/** What the lobby screen shows; served as /screen/state.json and pushed over /screen/ws. */
export interface ScreenState extends PlayState, ScreenContext {}

/** Notices short enough for the ticker rather than a full slide: no image, a sentence of body. */
export const TICKER_MAX_BODY = 48;

export function screenState(ctx: ScreenContext, play: PlayState): ScreenState {
  return { ...play, deviceId: ctx.deviceId, community: ctx.community };
}

export function isTickerNotice(n: PlayState['notices'][number]): boolean {
  return n.images.length === 0 && n.priority !== 'important' && n.body.zh.length <= TICKER_MAX_BODY;
}
