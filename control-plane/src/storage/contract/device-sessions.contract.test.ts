import { describe, expect, it } from 'vitest';
import type { DeviceRuntime } from '../../../../protocol/schemas/channel.js';
import type { SessionChange } from '../device-sessions-repository.js';
import type { Repository } from '../repository.js';
import { forEachStore } from './stores.js';

const RT: DeviceRuntime = {
  version: '0.1.0',
  git: 'v0.1.0-3-gabc1234',
  node: 'v20.17.0',
  platform: 'linux-arm64',
};
const T = 1_800_000_000_000;

const opened = (sessionId: string, deviceId: string, at: number, runtime?: DeviceRuntime): SessionChange => ({
  sessionId,
  deviceId,
  open: runtime ? { at, runtime } : { at },
});
const closed = (
  sessionId: string,
  deviceId: string,
  at: number,
  reason: NonNullable<SessionChange['close']>['reason'] = 'device',
  code?: number,
): SessionChange => ({ sessionId, deviceId, close: { at, reason, ...(code !== undefined ? { code } : {}) } });

/** What the console shows of a session: start, end, why, where. */
const brief = async (repo: Repository, deviceId: string, since?: number) =>
  (await repo.deviceSessions.list(deviceId, { limit: 50, ...(since !== undefined ? { since } : {}) })).map(
    (s) => [s.id, s.instanceId, s.connectedAt, s.disconnectedAt, s.closeReason, s.closeCode],
  );

forEachStore((open) => {
  describe('device sessions (online history)', () => {
    it('records opens and closes with the presence batch, newest first, with the runtime told', async () => {
      const repo = await open();
      await repo.cluster.heartbeat('ins_a', T, T);
      await repo.cluster.applyPresence(
        'ins_a',
        [{ deviceId: 'dev_1', connected: true, since: T }],
        [opened('chs_1', 'dev_1', T, RT)],
      );
      expect(await repo.cluster.listPresence(0)).toHaveLength(1);
      await repo.cluster.applyPresence(
        'ins_a',
        [{ deviceId: 'dev_1', connected: true, since: T + 500 }],
        // Within one batch: the first channel drops (1006); a second opens and dies (no pong); a third is
        // replaced by a fourth. A session opened and closed within the batch comes as one change.
        [
          closed('chs_1', 'dev_1', T + 400, 'device', 1006),
          { ...opened('chs_2', 'dev_1', T + 450), close: { at: T + 460, reason: 'heartbeat' } },
          { ...opened('chs_3', 'dev_1', T + 460), close: { at: T + 480, reason: 'replaced', code: 4000 } },
          opened('chs_4', 'dev_1', T + 500, { version: '0.2.0', node: 'v22.1.0' }),
        ],
      );
      expect(await brief(repo, 'dev_1')).toEqual([
        ['chs_4', 'ins_a', T + 500, null, null, null],
        ['chs_3', 'ins_a', T + 460, T + 480, 'replaced', 4000],
        ['chs_2', 'ins_a', T + 450, T + 460, 'heartbeat', null],
        ['chs_1', 'ins_a', T, T + 400, 'device', 1006],
      ]);
      const all = await repo.deviceSessions.list('dev_1', { limit: 10 });
      expect(all.at(-1)?.runtime).toEqual(RT);
      expect(all[1]?.runtime).toBeNull();
      // The runtime now: the newest session that told one (chs_4), not an older one.
      expect(await repo.deviceSessions.latestRuntime('dev_1')).toEqual({
        runtime: { version: '0.2.0', node: 'v22.1.0' },
        at: T + 500,
      });
      expect(await repo.deviceSessions.latestRuntime('dev_none')).toBeUndefined();
      // A close of an already-closed session changes nothing.
      await repo.cluster.applyPresence('ins_a', [], [closed('chs_1', 'dev_1', T + 9999, 'server', 1008)]);
      expect((await brief(repo, 'dev_1')).at(-1)).toEqual(['chs_1', 'ins_a', T, T + 400, 'device', 1006]);
      // `since`: sessions still open at or after it; `limit`: the newest.
      expect((await brief(repo, 'dev_1', T + 455)).map((s) => s[0])).toEqual(['chs_4', 'chs_3', 'chs_2']);
      expect((await repo.deviceSessions.list('dev_1', { limit: 1 })).map((s) => s.id)).toEqual(['chs_4']);
      expect(await brief(repo, 'dev_other')).toEqual([]);
    });

    it('closes the older session of a device that moved to another instance, whichever write comes first', async () => {
      const repo = await open();
      await repo.cluster.applyPresence('ins_a', [], [opened('chs_a', 'dev_m', T)]);
      // B records the device's new channel before A records the old one's close: A's is superseded.
      await repo.cluster.applyPresence('ins_b', [], [opened('chs_b', 'dev_m', T + 100)]);
      await repo.cluster.applyPresence('ins_a', [], [closed('chs_a', 'dev_m', T + 150, 'device', 1006)]);
      expect(await brief(repo, 'dev_m')).toEqual([
        ['chs_b', 'ins_b', T + 100, null, null, null],
        ['chs_a', 'ins_a', T, T + 100, 'superseded', null],
      ]);
      // The other order: the close is recorded first and keeps its own reason.
      await repo.cluster.applyPresence('ins_b', [], [closed('chs_b', 'dev_m', T + 200, 'device', 1001)]);
      await repo.cluster.applyPresence('ins_a', [], [opened('chs_c', 'dev_m', T + 210)]);
      expect((await brief(repo, 'dev_m')).slice(0, 2)).toEqual([
        ['chs_c', 'ins_a', T + 210, null, null, null],
        ['chs_b', 'ins_b', T + 100, T + 200, 'device', 1001],
      ]);
      // Another device is never touched.
      await repo.cluster.applyPresence('ins_a', [], [opened('chs_x', 'dev_x', T + 300)]);
      expect((await brief(repo, 'dev_m'))[0]).toEqual(['chs_c', 'ins_a', T + 210, null, null, null]);
    });

    it('closes the open sessions of a reaped instance at reap time, and of a stopped one at its stop', async () => {
      const repo = await open();
      await repo.cluster.heartbeat('ins_dead', T, T);
      await repo.cluster.heartbeat('ins_live', T, T + 20_000);
      await repo.cluster.applyPresence(
        'ins_dead',
        [
          { deviceId: 'dev_d1', connected: true, since: T },
          { deviceId: 'dev_d2', connected: true, since: T },
        ],
        [
          opened('chs_d1', 'dev_d1', T),
          opened('chs_d2', 'dev_d2', T),
          { ...opened('chs_d0', 'dev_d1', T - 50), close: { at: T - 10, reason: 'device', code: 1000 } },
        ],
      );
      await repo.cluster.applyPresence('ins_live', [], [opened('chs_l1', 'dev_l1', T + 1000)]);
      expect(await repo.cluster.reapInstances(T + 10_000, T + 25_000)).toEqual(['ins_dead']);
      expect(await brief(repo, 'dev_d1')).toEqual([
        ['chs_d1', 'ins_dead', T, T + 25_000, 'instance-lost', null],
        ['chs_d0', 'ins_dead', T - 50, T - 10, 'device', 1000],
      ]);
      expect((await brief(repo, 'dev_d2'))[0]?.slice(3, 5)).toEqual([T + 25_000, 'instance-lost']);
      expect(await brief(repo, 'dev_l1')).toEqual([['chs_l1', 'ins_live', T + 1000, null, null, null]]);

      // The dead instance had only stalled: it writes its presence again and its channel is open again.
      await repo.cluster.heartbeat('ins_dead', T, T + 26_000);
      await repo.cluster.applyPresence(
        'ins_dead',
        [{ deviceId: 'dev_d1', connected: true, since: T }],
        [opened('chs_d1', 'dev_d1', T)],
      );
      const back = (await repo.deviceSessions.list('dev_d1', { limit: 5 }))[0];
      expect([back?.id, back?.connectedAt, back?.disconnectedAt, back?.closeReason]).toEqual([
        'chs_d1',
        T,
        null,
        null,
      ]);

      await repo.cluster.removeInstance('ins_live', T + 30_000);
      expect(await brief(repo, 'dev_l1')).toEqual([
        ['chs_l1', 'ins_live', T + 1000, T + 30_000, 'server-stop', null],
      ]);
      expect((await brief(repo, 'dev_d1'))[0]?.[3]).toBeNull();
    });

    it('keeps 90 days and N per device: old closed sessions and a flapping device’s oldest go', async () => {
      const repo = await open();
      const day = 86_400_000;
      const changes: SessionChange[] = [
        // Closed long ago: goes. Opened long ago and still open: the current one, stays.
        { ...opened('chs_old', 'dev_q', T - 100 * day), close: { at: T - 99 * day, reason: 'device' } },
        opened('chs_forever', 'dev_r', T - 120 * day),
        { ...opened('chs_recent', 'dev_q', T - 10 * day), close: { at: T - 9 * day, reason: 'device' } },
      ];
      for (let i = 0; i < 8; i++)
        changes.push({
          ...opened(`chs_f${i}`, 'dev_f', T + i * 10),
          close: { at: T + i * 10 + 5, reason: 'device' },
        });
      await repo.cluster.applyPresence('ins_a', [], changes);
      const gone = await repo.deviceSessions.prune({
        before: T - 90 * day,
        keepPerDevice: 3,
        deviceIds: ['dev_f'],
      });
      expect(gone).toBe(1 + 5);
      expect((await brief(repo, 'dev_q')).map((s) => s[0])).toEqual(['chs_recent']);
      expect((await brief(repo, 'dev_r')).map((s) => s[0])).toEqual(['chs_forever']);
      expect((await brief(repo, 'dev_f')).map((s) => s[0])).toEqual(['chs_f7', 'chs_f6', 'chs_f5']);
      // A device not named is not trimmed by count (only the ones that connected lately are checked).
      expect(await repo.deviceSessions.prune({ before: 0, keepPerDevice: 1, deviceIds: [] })).toBe(0);
      expect(await brief(repo, 'dev_f')).toHaveLength(3);
    });
  });
});
