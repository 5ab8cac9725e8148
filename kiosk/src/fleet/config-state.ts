import { type Static, Type } from '@sinclair/typebox';
import type { Low } from 'lowdb';
import { SettingsPatch } from '../../../protocol/schemas/device-settings.js';
import { ConfigReport } from '../../../protocol/schemas/fleet.js';
import type { Logger } from '../logger.js';
import { openDurableStore } from '../state/durable-store.js';

/**
 * What the device remembers of remote configuration, written durably on every change
 * (state-layout `fleetConfig`):
 * - `accepted`: the last target that passed every check (its version is the replay floor);
 * - `applied`: the values remote configuration put into effect; restored through the appliers at start, so
 *   a restart neither falls back to device.json nor flaps;
 * - `outbox`: the latest report not yet delivered (sent again until the control plane takes it);
 * - `reported`: the fingerprint of the last delivered report (an unchanged state is not reported twice).
 */
export const ConfigState = Type.Object({
  format: Type.Literal(1),
  accepted: Type.Optional(
    Type.Object({
      version: Type.Integer({ minimum: 1 }),
      etag: Type.String({ maxLength: 64 }),
      issuedAt: Type.String(),
      settings: SettingsPatch,
    }),
  ),
  applied: SettingsPatch,
  outbox: Type.Optional(ConfigReport),
  reported: Type.Optional(Type.String({ maxLength: 65_536 })),
});
export type ConfigState = Static<typeof ConfigState>;

export async function openConfigState(file: string, log: Logger): Promise<Low<ConfigState>> {
  return openDurableStore<ConfigState>(
    file,
    { format: 1, applied: {} },
    {
      // Losing this file loses the remote values until the next fetch (seconds when online) and the replay
      // floor; it never holds money, so start afresh rather than refuse to run.
      corrupt: 'quarantine',
      schema: ConfigState,
      onQuarantine: (err) => log.error({ code: err.code, ...err.details }, err.message),
    },
  );
}
