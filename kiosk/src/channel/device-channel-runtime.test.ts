import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRuntime } from '../../../protocol/schemas/channel.js';
import { isValid } from '../../../protocol/validate.js';
import { type RealControlPlane, startRealControlPlane } from '../../../tests/helpers/real-control-plane.js';
import { silentLogger } from '../logger.js';
import { describeRuntime } from '../runtime-version.js';
import { enrolledDevice } from '../testing/enrolled-device.js';
import { DeviceChannel } from './device-channel.js';

/** The device tells the real control plane what it runs; the console's device page then shows it. */
describe('runtime version at the channel handshake', () => {
  let cp: RealControlPlane;
  beforeAll(async () => {
    cp = await startRealControlPlane();
  });
  afterAll(async () => cp?.stop());

  it('describes itself within the wire schema: package version, Node, platform (git when there is one)', async () => {
    const rt = await describeRuntime();
    expect(isValid(DeviceRuntime, rt)).toBe(true);
    expect(rt).toMatchObject({
      version: '0.1.0',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    });
    expect((await describeRuntime({ git: false }))?.git).toBeUndefined();
  });

  it('sends it in auth.have.runtime; the control plane stores it with the session', async () => {
    const { identity } = await enrolledDevice(cp, 'lobby');
    const runtime = await describeRuntime();
    const channel = new DeviceChannel({
      serverUrl: cp.url,
      identity,
      log: silentLogger,
      backoffBaseMs: 20,
      backoffCapMs: 400,
      stableAfterMs: 60_000,
      handshakeTimeoutMs: 5_000,
      contentVersion: () => undefined,
      runtime: () => runtime,
    });
    const welcomed = once(channel, 'welcome');
    channel.start();
    await welcomed;
    await cp.h.app.cluster.notifier.settled();
    expect(await cp.h.repo.deviceSessions.latestRuntime(identity.deviceId)).toMatchObject({ runtime });
    await channel.stop();
    await cp.h.app.cluster.notifier.settled();
    const [s] = await cp.h.repo.deviceSessions.list(identity.deviceId, { limit: 5 });
    expect([s?.closeReason, s?.disconnectedAt !== null]).toEqual(['device', true]);
  });
});
