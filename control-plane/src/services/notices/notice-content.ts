import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { NOTICE_LIMITS, type NoticeSchedule } from '../../../../protocol/schemas/notice.js';
import type { NoticeContent, NoticeDraftInput } from '../../../../protocol/schemas/notice-admin.js';
import type { Repository } from '../../storage/repository.js';
import type { AdminPrincipal } from '../context.js';
import { type HierarchyService, isValidTimezone } from '../hierarchy.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

function scheduleError(field: string, message: string): LinliError {
  return new LinliError(ErrorCode.NOTICE_SCHEDULE, message, { field });
}

/**
 * Turns what an author typed into stored content: defaults filled in, every time and duration checked against
 * its bounds, targets checked against the author's scope, images checked to exist. Throws a coded error
 * naming the field; nothing is written before this passes.
 */
export async function normaliseContent(
  input: NoticeDraftInput,
  ctx: { principal: AdminPrincipal; hierarchy: HierarchyService; repo: Repository; now: number },
): Promise<NoticeContent> {
  const { now } = ctx;
  const s = input.schedule ?? {};
  const start = s.start !== undefined ? Date.parse(s.start) : now;
  if (start > now + NOTICE_LIMITS.lifetimeDaysMax * DAY) {
    throw scheduleError(
      'schedule.start',
      `schedule.start is more than ${NOTICE_LIMITS.lifetimeDaysMax} days away`,
    );
  }
  const end = s.end !== undefined ? Date.parse(s.end) : undefined;
  if (end !== undefined && end <= start) {
    throw scheduleError('schedule.end', 'schedule.end must be after schedule.start');
  }
  const expires =
    input.expiresAt !== undefined
      ? Date.parse(input.expiresAt)
      : (end ?? start + NOTICE_LIMITS.lifetimeDaysDefault * DAY);
  if (expires <= start) throw scheduleError('expiresAt', 'expiresAt must be after schedule.start');
  if (expires <= now)
    throw scheduleError('expiresAt', 'expiresAt is in the past; a notice must be visible for some time');
  if (expires - start > NOTICE_LIMITS.lifetimeDaysMax * DAY) {
    throw scheduleError(
      'expiresAt',
      `a notice may run at most ${NOTICE_LIMITS.lifetimeDaysMax} days from its start; publish a new one after that`,
    );
  }
  if (end !== undefined && end > expires) {
    throw scheduleError('schedule.end', 'schedule.end is after expiresAt; the notice expires first');
  }
  for (const [i, w] of (s.windows ?? []).entries()) {
    if (w.from === w.to) {
      throw scheduleError(
        `schedule.windows.${i}`,
        'a daily window needs different from and to times (omit windows to play all day)',
      );
    }
  }
  if (s.timezone !== undefined && !isValidTimezone(s.timezone)) {
    throw scheduleError('schedule.timezone', `"${s.timezone}" is not an IANA timezone such as Asia/Shanghai`);
  }
  const weekdays = s.weekdays ? [...new Set(s.weekdays)].sort((a, b) => a - b) : undefined;
  const schedule: NoticeSchedule = {
    start: iso(start),
    ...(end !== undefined ? { end: iso(end) } : {}),
    ...(s.windows ? { windows: s.windows } : {}),
    ...(weekdays ? { weekdays } : {}),
    ...(s.timezone ? { timezone: s.timezone } : {}),
  };

  const nodeIds = [...new Set(input.targets.nodeIds)];
  for (const [i, id] of nodeIds.entries()) {
    await ctx.hierarchy.nodeInScope(ctx.principal, id, `targets.nodeIds.${i}`);
  }
  const images = input.images ?? [];
  for (const [i, img] of images.entries()) {
    if (!(await ctx.repo.media.get(img.mediaId))) {
      throw new LinliError(
        ErrorCode.MEDIA_NOT_FOUND,
        `image ${img.mediaId} was never uploaded; POST it to /api/v1/admin/media first`,
        { field: `images.${i}.mediaId` },
      );
    }
  }
  return {
    title: input.title,
    body: input.body,
    category: input.category ?? 'general',
    priority: input.priority ?? 'normal',
    images,
    targets: {
      nodeIds,
      ...(input.targets.tags ? { tags: [...new Set(input.targets.tags)].sort() } : {}),
      ...(input.targets.roles ? { roles: [...new Set(input.targets.roles)].sort() } : {}),
    },
    schedule,
    expiresAt: iso(expires),
    displaySec: input.displaySec ?? NOTICE_LIMITS.displaySecDefault,
    emergencyTtlSec: input.emergencyTtlSec ?? NOTICE_LIMITS.emergencyTtlSecDefault,
  };
}
