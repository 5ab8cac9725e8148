import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import { enrollDevice } from '../enrollment/enroll-device.js';
import { type DeviceIdentity, loadIdentity } from '../identity/identity.js';
import type { ControlPlaneDouble } from './control-plane-double.js';

/** Enrolls a fresh state dir against the double, through the real enrollment code. */
export async function enrolledDevice(
  cp: ControlPlaneDouble,
  role: DeviceRole,
): Promise<{ stateDir: string; identity: DeviceIdentity }> {
  const stateDir = join(await mkdtemp(join(tmpdir(), `linli-${role}-`)), 'state');
  await enrollDevice({ serverUrl: cp.url, token: cp.mintToken(role), stateDir, role });
  return { stateDir, identity: await loadIdentity(stateDir) };
}
