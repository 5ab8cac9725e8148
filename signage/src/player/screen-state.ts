import type { I18nText } from '../../../protocol/schemas/common.js';
import type { Notice, NoticeCategory, NoticePriority } from '../../../protocol/schemas/notice.js';
import { activeNotices } from '../notice-order.js';

/** One notice as the lobby screen shows it: only verified content ever becomes a ScreenNotice. */
export interface ScreenNotice {
  id: string;
  version: number;
  title: I18nText;
  body: I18nText;
  category: NoticeCategory;
  priority: NoticePriority;
  publishedAt: string;
  expiresAt?: string;
}

/** What the lobby screen shows; served as /screen/state.json and pushed over /screen/ws. */
export interface ScreenState {
  deviceId: string;
  community: { name: string; path: string[]; timezone: string };
  /** The control plane's content version the notices came from (undefined before the first sync). */
  contentVersion?: string;
  generatedAt: string;
  notices: ScreenNotice[];
}

export interface ScreenContext {
  deviceId: string;
  community: { name: string; path: string[]; timezone: string };
}

export function buildScreenState(
  ctx: ScreenContext,
  notices: readonly Notice[],
  contentVersion: string | undefined,
  now: Date,
): ScreenState {
  return {
    deviceId: ctx.deviceId,
    community: ctx.community,
    ...(contentVersion ? { contentVersion } : {}),
    generatedAt: now.toISOString(),
    notices: activeNotices(notices, now).map((n) => ({
      id: n.id,
      version: n.version,
      title: n.title,
      body: n.body,
      category: n.category,
      priority: n.priority,
      publishedAt: n.publishedAt,
      ...(n.expiresAt ? { expiresAt: n.expiresAt } : {}),
    })),
  };
}
