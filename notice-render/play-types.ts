import type { I18nText } from '../protocol/schemas/common.js';
import type { NoticeCategory, NoticePriority } from '../protocol/schemas/notice.js';

// What every surface plays (built on the device by signage/src/play-state.ts; built from a draft by the control
// plane's preview). Here, not in signage/, because the lobby page renderer both sides use takes it.

/** One image as a screen loads it: from the device's own server, verified already. */
export interface PlayImage {
  src: string;
  width: number;
  height: number;
  alt?: I18nText;
}

export interface PlayNotice {
  id: string;
  version: number;
  title: I18nText;
  body: I18nText;
  category: NoticeCategory;
  priority: NoticePriority;
  images: PlayImage[];
  displaySec: number;
  expiresAt: string;
}

export interface PlayEmergency {
  noticeId: string;
  version: number;
  seq: number;
  title: I18nText;
  body: I18nText;
  category: NoticeCategory;
  /** Time left on this device's clock when the state was built. */
  remainingMs: number;
  /** For display only: the device's wall clock plus the time left. */
  expiresAt: string;
}

/** What every surface (lobby page, LED sign, kiosk takeover) plays right now. */
export interface PlayState {
  generatedAt: string;
  /** Hash prefix of the verified manifest this came from. */
  contentVersion?: string;
  /** Live emergencies in precedence order (`emergency-precedence.ts`): the first is the one every screen shows. */
  emergencies: PlayEmergency[];
  notices: PlayNotice[];
}
