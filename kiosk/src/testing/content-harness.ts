import type { DeviceRole } from '../../../protocol/schemas/common.js';
import { checkImage } from '../../../signage/src/media/check-image.js';
import { DeviceApiClient } from '../api-client.js';
import { openContentState } from '../content/content-state.js';
import { ContentSync } from '../content/content-sync.js';
import type { DeviceIdentity } from '../identity/identity.js';
import { stateLayout } from '../state/state-layout.js';
import { captureLogger } from './capture-logger.js';
import type { ControlPlaneDouble } from './control-plane-double.js';
import { enrolledDevice } from './enrolled-device.js';

/** An enrolled device's content channel against the double, without the rest of the runtime. */
export async function contentDevice(
  cp: ControlPlaneDouble,
  role: DeviceRole = 'lobby',
  existing?: { stateDir: string; identity: DeviceIdentity },
  /** A fetch in front of the network: a tampering proxy that keeps the real headers (ETag included). */
  fetchFn?: typeof fetch,
) {
  const { stateDir, identity } = existing ?? (await enrolledDevice(cp, role));
  const { log, records } = captureLogger();
  const layout = stateLayout(stateDir);
  const api = new DeviceApiClient({ serverUrl: cp.url, identity, log, retries: 0, fetch: fetchFn });
  const sync = new ContentSync({
    api,
    serverUrl: cp.url,
    deviceId: identity.deviceId,
    timeZone: 'Asia/Shanghai',
    metadataDir: layout.tuf,
    targetsDir: layout.targets,
    state: await openContentState(layout.contentState, log),
    log,
    pollIntervalMs: 3_600_000,
    pollIntervalOnlineMs: 3_600_000,
    online: () => true,
    checkImage: (f) => checkImage(f),
  });
  await sync.start();
  const titles = () => sync.notices().map((n) => n.title.zh);
  return { sync, api, identity, stateDir, layout, log, records, titles, close: () => sync.stop() };
}
