import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRole } from '../../../../protocol/schemas/common.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { TestDevice } from '../../testing/test-device.js';
import { countTargeted, devicesTargeted } from './device-targeting.js';

let h: Harness;
let street: string;
let community: string;
let other: string;

beforeAll(async () => {
  h = await createHarness();
  const a = await h.community('计数');
  const b = await h.community('别处');
  street = a.street.id;
  community = a.community.id;
  other = b.community.id;
  const enroll = async (nodeId: string, role: DeviceRole) => {
    const dev = new TestDevice();
    await dev.enroll(h.app, (await h.token(nodeId, role)).token, role);
    return dev;
  };
  await enroll(community, 'lobby');
  await enroll(community, 'lobby');
  await enroll(community, 'kiosk');
  await enroll(other, 'lobby');
  const revoked = await enroll(community, 'lobby');
  await h.app.repo.devices.revoke(revoked.id, Date.now());
});
afterAll(() => h.close());

describe('countTargeted (read after the send, for the admin answer)', () => {
  it('counts active devices a set of targets reaches, the same whether storage counts or rows are read', async () => {
    const cases = [
      [{ nodeIds: [street] }],
      [{ nodeIds: [community], roles: ['lobby' as const] }],
      [{ nodeIds: [street, community] }],
      [{ nodeIds: [community] }, { nodeIds: [other] }],
    ];
    const rows = async (targets: (typeof cases)[number]) => {
      const ids = new Set<string>();
      for (const t of targets) for (const d of await devicesTargeted(h.app.repo, t)) ids.add(d.id);
      return ids.size;
    };
    const counts = await Promise.all(cases.map((c) => countTargeted(h.app.repo, c)));
    expect(counts).toEqual([3, 2, 3, 4]);
    expect(counts).toEqual(await Promise.all(cases.map(rows)));
    expect(await h.app.repo.devices.countActive?.(street)).toBe(3);
  });
});
