/**
 * Issue 12, "reboot the LED sign and see it come back", as processes: the real control plane (in process,
 * listening), an LED sign runtime as a `linli device` child under the demo's supervisor. A remote `reboot`
 * makes the runtime stop cleanly and exit with RESTART_EXIT_CODE; the supervisor (like systemd on a device)
 * starts it again, it reconnects, and the next command runs with the next seq.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoChild } from '../../cli/demo/child.js';
import { RESTART_EXIT_CODE } from '../../kiosk/src/restart-code.js';
import { enrolledDevice } from '../../kiosk/src/testing/enrolled-device.js';
import { API } from '../../protocol/api.js';
import type { CommandView } from '../../protocol/schemas/commands.js';
import { type RealControlPlane, startRealControlPlane } from '../helpers/real-control-plane.js';
import { hasCjkFont, missing } from '../helpers/requirements.js';

let cp: RealControlPlane;
const logDir = mkdtempSync(join(tmpdir(), 'linli-reboot-logs-'));
const children: DemoChild[] = [];

beforeAll(async () => {
  cp = await startRealControlPlane();
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await cp.stop();
  rmSync(logDir, { recursive: true, force: true });
});

const command = async (id: string) =>
  (await cp.h.admin({ method: 'GET', url: API.command(id) })).json() as CommandView;

describe.skipIf(missing('fonts-noto-cjk', hasCjkFont()))('remote reboot of a device runtime', () => {
  it('exits with the restart code, is started again by its supervisor, and takes the next command', async () => {
    const { stateDir, identity } = await enrolledDevice(cp, 'led');
    writeFileSync(join(stateDir, 'device.json'), JSON.stringify({ logLevel: 'info' }));
    let respawned = 0;
    const led = new DemoChild('led', ['device', '--state', stateDir, '--port', '0'], logDir, {
      respawnOn: [RESTART_EXIT_CODE],
      onRespawn: (n) => {
        respawned = n;
      },
    });
    children.push(led);
    await led.waitFor(/serving on http/);
    const online = () => cp.h.app.cluster.notifier.isOnline(identity.deviceId);
    await expect.poll(online, { timeout: 20_000 }).toBe(true);

    const sent = await cp.h.admin({
      method: 'POST',
      url: API.deviceCommands(identity.deviceId),
      payload: { op: 'reboot' },
    });
    expect(sent.statusCode).toBe(202);
    const reboot = sent.json() as CommandView;
    // The supervisor restarts it only on the restart code: a respawn proves the exit code.
    await expect.poll(() => respawned, { timeout: 30_000 }).toBe(1);
    expect(led.recentOutput).toMatch(/restarting on a remote reboot command/);
    await expect
      .poll(async () => (await command(reboot.id)).result, { timeout: 30_000 })
      .toMatchObject({ status: 'done', detail: { restarting: true }, seq: 1 });
    expect(led.running).toBe(true);

    // Back: connected again, and it runs the next command (its seq store survived the restart).
    await expect
      .poll(() => [...led.recentOutput.matchAll(/serving on http/g)].length, { timeout: 30_000 })
      .toBe(2);
    await expect.poll(online, { timeout: 20_000 }).toBe(true);
    const next = (
      await cp.h.admin({
        method: 'POST',
        url: API.deviceCommands(identity.deviceId),
        payload: { op: 'identify', args: { seconds: 2 } },
      })
    ).json() as CommandView;
    expect(next.seq).toBe(2);
    await expect.poll(async () => (await command(next.id)).state, { timeout: 20_000 }).toBe('done');
    expect(respawned).toBe(1);
  }, 120_000);
});
