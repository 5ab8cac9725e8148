import { byEmergencyPrecedence } from '../../notice-render/emergency-precedence.js';
import type { PlayEmergency, PlayState } from '../../notice-render/play-types.js';
import type { Notice } from '../../protocol/schemas/notice.js';

export type { PlayEmergency, PlayImage, PlayNotice, PlayState } from '../../notice-render/play-types.js';

import { playingAt } from './schedule/schedule.js';

export interface PlayInputs {
  notices: readonly Notice[];
  /** All images present and verified. */
  isComplete: (n: Notice) => boolean;
  quarantined: (id: string, version: number) => boolean;
  emergencies: readonly PlayEmergency[];
  timeZone: string;
  now: number;
  mediaUrl: (sha256: string) => string;
  contentVersion?: string;
}

/**
 * The notices that play now, in order: complete, not quarantined, in their schedule. Emergency-priority
 * notices never join the carousel: they take over while live, and disappear when they lapse.
 */
export function buildPlayState(i: PlayInputs): PlayState {
  const notices = playingAt(
    i.notices.filter((n) => n.priority !== 'emergency' && i.isComplete(n) && !i.quarantined(n.id, n.version)),
    i.now,
    i.timeZone,
  ).map((n) => ({
    id: n.id,
    version: n.version,
    title: n.title,
    body: n.body,
    category: n.category,
    priority: n.priority,
    images: n.images.map((img) => ({
      src: i.mediaUrl(img.sha256),
      width: img.width,
      height: img.height,
      ...(img.alt ? { alt: img.alt } : {}),
    })),
    displaySec: n.displaySec,
    expiresAt: n.expiresAt,
  }));
  return {
    generatedAt: new Date(i.now).toISOString(),
    ...(i.contentVersion ? { contentVersion: i.contentVersion } : {}),
    emergencies: byEmergencyPrecedence(i.emergencies),
    notices,
  };
}

/** Two states show the same thing (times aside). */
export function sameShowing(a: PlayState, b: PlayState): boolean {
  const key = (s: PlayState) =>
    `${s.contentVersion ?? ''}|${s.emergencies.map((e) => `${e.noticeId}#${e.seq}`).join(',')}|${s.notices
      .map((n) => `${n.id}@${n.version}`)
      .join(',')}`;
  return key(a) === key(b);
}
