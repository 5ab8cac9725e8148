import { type Static, Type } from '@sinclair/typebox';
import type { Low } from 'lowdb';
import { EmergencyAlert } from '../../../protocol/schemas/notice.js';
import type { Logger } from '../logger.js';
import { openDurableStore } from '../state/durable-store.js';

/**
 * What the device remembers about content besides the TUF metadata and the files themselves: which manifest
 * is current (by hash), the highest emergency sequence number seen (replay protection), the emergencies on
 * screen now, and the notices quarantined after they failed to render. Written durably on every change.
 */
export const ContentState = Type.Object({
  format: Type.Literal(1),
  manifestSha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  emergencySeq: Type.Integer({ minimum: 0 }),
  emergencies: Type.Array(
    Type.Object({
      alert: EmergencyAlert,
      /** Device wall clock at receipt: compared only with the same device's clock, after a restart. */
      receivedAtMs: Type.Integer(),
    }),
  ),
  quarantine: Type.Array(
    Type.Object({
      noticeId: Type.String(),
      version: Type.Integer(),
      untilMs: Type.Integer(),
      code: Type.String(),
    }),
  ),
  /**
   * Media that passed checkImage (decoded under the pixel limit), by SHA-256. At start a file whose hash
   * still matches is the same bytes that passed, so it is not decoded again (sharp stays unloaded).
   */
  checkedMedia: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$' }), { maxItems: 4096 })),
  updatedAt: Type.Optional(Type.String()),
});
export type ContentState = Static<typeof ContentState>;

export async function openContentState(file: string, log: Logger): Promise<Low<ContentState>> {
  return openDurableStore<ContentState>(
    file,
    { format: 1, emergencySeq: 0, emergencies: [], quarantine: [] },
    {
      // Losing this file loses replay protection, not content: it is refilled on the next sync.
      corrupt: 'quarantine',
      schema: ContentState,
      onQuarantine: (err) => log.error({ code: err.code, ...err.details }, err.message),
    },
  );
}
