import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import { enrollDevice } from '../enrollment/enroll-device.js';
import { type DeviceIdentity, loadIdentity } from '../identity/identity.js';

/**
 * What a device enrolls against: the control-plane double, or the real control plane
 * (tests/helpers/real-control-plane.ts). Structural, so this folder never imports control-plane code.
 */
export interface EnrollmentSource {
  url: string;
  mintToken(role: DeviceRole): string | Promise<string>;
}

/** Enrolls a fresh state dir against a control plane, through the real enrollment code. */
export async function enrolledDevice(
  cp: EnrollmentSource,
  role: DeviceRole,
): Promise<{ stateDir: string; identity: DeviceIdentity }> {
  const stateDir = join(await mkdtemp(join(tmpdir(), `linli-${role}-`)), 'state');
  await enrollDevice({ serverUrl: cp.url, token: await cp.mintToken(role), stateDir, role });
  return { stateDir, identity: await loadIdentity(stateDir) };
}
