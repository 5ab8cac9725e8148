/**
 * The real control plane, in process and listening on a free local port, for device-side tests that need no
 * protocol-level misbehaviour (those keep kiosk/src/testing/control-plane-double.ts). Devices enroll in
 * 和平区 › 幸福街道 › 阳光社区, the service area of the simulated billers' seeded accounts.
 */

import { createHarness, type Harness, type HarnessOptions } from '../../control-plane/src/testing/harness.js';
import type { EnrollmentSource } from '../../kiosk/src/testing/enrolled-device.js';
import type { NodeView } from '../../protocol/schemas/admin.js';
import type { DeviceRole } from '../../protocol/schemas/common.js';

export interface RealControlPlane extends EnrollmentSource {
  h: Harness;
  community: NodeView;
  stop(): Promise<void>;
}

export async function startRealControlPlane(opts: HarnessOptions = {}): Promise<RealControlPlane> {
  const h = await createHarness(opts);
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const address = h.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { community } = await h.sunshine();
  return {
    h,
    url,
    community,
    mintToken: async (role: DeviceRole) => (await h.token(community.id, role)).token,
    stop: () => h.close(),
  };
}
