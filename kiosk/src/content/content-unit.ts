import type { Keyring } from '../../../protocol/envelope.js';
import { isLinliError } from '../../../protocol/errors.js';
import type { ServerPush } from '../../../protocol/schemas/channel.js';
import { checkImage } from '../../../signage/src/media/check-image.js';
import type { DeviceApiClient } from '../api-client.js';
import type { DeviceConfig } from '../config.js';
import type { DeviceIdentity } from '../identity/identity.js';
import type { Logger } from '../logger.js';
import type { LiveSettings } from '../settings/live-settings.js';
import type { StateLayout } from '../state/state-layout.js';
import { openContentState } from './content-state.js';
import { ContentSync } from './content-sync.js';
import { EmergencyState } from './emergency-state.js';
import { PlayLog } from './play-log.js';
import { Playback } from './playback.js';
import { Quarantine } from './quarantine.js';

export interface ContentUnit {
  sync: ContentSync;
  emergencies: EmergencyState;
  quarantine: Quarantine;
  playback: Playback;
  plays: PlayLog;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A `push` from the channel: an emergency is applied at once, then the TUF sync brings full state in line. */
  onPush(msg: ServerPush): Promise<void>;
  /** A `sync`: refresh after a random part of the spread the server asked for. */
  onSync(spreadMs?: number): Promise<void>;
  health(): Record<string, unknown>;
}

/** Waits a random 0…ms (full jitter): thousands of devices told at once do not fetch at once. */
function spread(ms: number | undefined): Promise<void> {
  if (!ms) return Promise.resolve();
  return new Promise((r) => setTimeout(r, Math.random() * ms).unref());
}

export async function createContentUnit(o: {
  identity: DeviceIdentity;
  layout: StateLayout;
  api: DeviceApiClient;
  keyring: () => Keyring;
  serverUrl: string;
  config: DeviceConfig;
  log: Logger;
  online: () => boolean;
  /** Remote settings (issue 12): the poll intervals follow `content.pollIntervalSec` / `…OnlineSec`. */
  settings?: LiveSettings;
}): Promise<ContentUnit> {
  const { identity, layout, log } = o;
  const node = identity.file.node;
  const state = await openContentState(layout.contentState, log);
  const sync = new ContentSync({
    api: o.api,
    serverUrl: o.serverUrl,
    deviceId: identity.deviceId,
    timeZone: node.timezone,
    metadataDir: layout.tuf,
    targetsDir: layout.targets,
    state,
    log: log.child({ component: 'content' }),
    pollIntervalMs: o.config.content.pollIntervalMs,
    pollIntervalOnlineMs: o.config.content.pollIntervalOnlineMs,
    online: o.online,
    checkImage: (file) => checkImage(file),
  });
  // The intervals start from device.json (tests use sub-second ones); a remote value replaces them live.
  o.settings?.onApply('content.pollIntervalSec', (v) => sync.setPollIntervals({ offlineMs: v * 1000 }));
  o.settings?.onApply('content.pollIntervalOnlineSec', (v) => sync.setPollIntervals({ onlineMs: v * 1000 }));
  const emergencies = new EmergencyState({
    state,
    keyring: o.keyring,
    device: {
      deviceId: identity.deviceId,
      role: identity.role,
      tags: identity.file.tags,
      ancestry: node.ancestry,
    },
    log: log.child({ component: 'emergency' }),
  });
  const quarantine = new Quarantine(
    state,
    (f) => o.api.reportFault(f),
    log.child({ component: 'quarantine' }),
  );
  const playback = new Playback({ content: sync, emergencies, quarantine, timeZone: node.timezone });
  const plays = new PlayLog({
    file: layout.plays,
    upload: (body) => o.api.uploadPlays(body),
    log: log.child({ component: 'plays' }),
    uploadIntervalMs: o.config.content.playsUploadIntervalMs,
  });
  sync.on('manifest', (m) => {
    emergencies.ingestManifest(m).catch((err: unknown) => {
      log.error({ err: (err as Error).message }, 'emergency: could not apply the manifest');
    });
  });
  return {
    sync,
    emergencies,
    quarantine,
    playback,
    plays,
    async start() {
      await emergencies.start();
      await plays.start();
      // Playback first: a manifest verified from disk at start must reach the screen.
      playback.start();
      await sync.start();
    },
    async stop() {
      await sync.stop();
      playback.stop();
      emergencies.stop();
      await plays.stop();
    },
    async onPush(msg) {
      if (msg.kind === 'emergency') {
        try {
          await emergencies.accept(msg.envelope);
        } catch (err) {
          log.error(
            { code: isLinliError(err) ? err.code : 'LINLI_ERR_INTERNAL', err: (err as Error).message },
            'emergency: refused a pushed alert; nothing changed on screen',
          );
        }
      }
      await spread(msg.spreadMs);
      await sync.refresh();
    },
    async onSync(spreadMs) {
      await spread(spreadMs);
      await sync.refresh();
    },
    health() {
      return {
        contentVersion: sync.manifestSha256?.slice(0, 16) ?? null,
        notices: sync.notices().length,
        emergencies: emergencies.active().length,
        contentError: sync.lastError?.code ?? null,
        playsPending: plays.pending,
        quarantined: quarantine.list().length,
        contentPollMs: sync.pollIntervals,
      };
    },
  };
}
