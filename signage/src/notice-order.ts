import type { Notice, NoticePriority } from '../../protocol/schemas/notice.js';

const RANK: Record<NoticePriority, number> = { emergency: 0, important: 1, normal: 2 };

/**
 * The notices a screen should show now, in the order it shows them: expired notices drop out, emergency
 * before important before normal, newest first within a priority. `now` is injected (no clock here).
 */
export function activeNotices(notices: readonly Notice[], now: Date): Notice[] {
  const t = now.getTime();
  return notices
    .filter((n) => !n.expiresAt || Date.parse(n.expiresAt) > t)
    .sort(
      (a, b) =>
        RANK[a.priority] - RANK[b.priority] ||
        Date.parse(b.publishedAt) - Date.parse(a.publishedAt) ||
        a.id.localeCompare(b.id),
    );
}
