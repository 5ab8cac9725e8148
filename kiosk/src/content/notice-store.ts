import { type Static, Type } from '@sinclair/typebox';
import type { Low } from 'lowdb';
import type { Logger } from '../logger.js';
import { openDurableStore } from '../state/durable-store.js';

/**
 * The last verified notice set, kept as the signed envelopes (not just payloads) so it is verified again on
 * every load: an edit on disk cannot put anything on screen.
 */
export const ContentFile = Type.Object({
  format: Type.Literal(1),
  version: Type.Optional(Type.String()),
  etag: Type.Optional(Type.String()),
  envelopes: Type.Array(Type.Unknown()),
  updatedAt: Type.Optional(Type.String()),
});
export type ContentFile = Static<typeof ContentFile>;

export async function openNoticeStore(file: string, log: Logger): Promise<Low<ContentFile>> {
  return openDurableStore<ContentFile>(
    file,
    { format: 1, envelopes: [] },
    {
      // A cache the control plane refills: a broken file is moved aside, reported and refetched.
      corrupt: 'quarantine',
      schema: ContentFile,
      onQuarantine: (err) => log.error({ code: err.code, ...err.details }, err.message),
    },
  );
}
