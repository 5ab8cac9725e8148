import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ContentWorld, seedWorld } from '../../testing/content-fixtures.js';
import type { Repository } from '../repository.js';
import type { MediaRecord, StoredPlay, TufViewRecord } from '../signage-records.js';
import { forEachStore } from './stores.js';

forEachStore((open) => {
  describe('media, TUF views and plays', () => {
    let repo: Repository;
    let w: ContentWorld;
    beforeEach(async () => {
      repo = await open();
      w = await seedWorld(repo);
    });
    // Closed after each test, not only at the end: a pool per test would otherwise pile up connections.
    afterEach(() => repo.close());

    it('stores media bytes exactly (every byte value) and keeps the first upload of the same sha256', async () => {
      const bytes = Buffer.concat([
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
        randomBytes(70_000),
      ]);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const m: MediaRecord = {
        sha256,
        contentType: 'image/png',
        ext: 'png',
        length: bytes.length,
        width: 640,
        height: 360,
        uploadedBy: w.adminId,
        uploadedAt: 1_700_000_000_000,
      };
      await repo.media.put(m, new Uint8Array(bytes));
      await repo.media.put({ ...m, width: 1, uploadedAt: 5 }, bytes);
      expect(await repo.media.get(sha256)).toEqual(m);
      const back = await repo.media.data(sha256);
      expect(Buffer.isBuffer(back)).toBe(true);
      expect(back!.equals(bytes)).toBe(true);
      expect(await repo.media.get('0'.repeat(64))).toBeUndefined();
      expect(await repo.media.data('0'.repeat(64))).toBeUndefined();
    });

    const view = (v: number, patch: Partial<TufViewRecord> = {}): TufViewRecord => ({
      deviceId: w.deviceId,
      rootVersion: 1,
      manifestSha256: `m${v}`.padEnd(64, '0'),
      targetsVersion: v,
      targetsExpires: 2_000_000_000_000 + v,
      snapshotVersion: v,
      snapshotExpires: 2_000_000_000_000 + v,
      timestampVersion: v,
      timestampExpires: 2_000_000_000_000 + v,
      timestampText: `timestamp ${v}`,
      updatedAt: 1_700_000_000_000 + v,
      ...patch,
    });
    const manifest = (v: number) => ({
      sha256: `m${v}`.padEnd(64, '0'),
      data: Buffer.from(`manifest ${v}\u0000`),
    });

    it('saves a view with its texts and manifest, keeping the last `keep` versions', async () => {
      expect(await repo.tufViews.get(w.deviceId)).toBeUndefined();
      for (let v = 1; v <= 5; v++) {
        await repo.tufViews.save(
          view(v),
          { snapshot: `snapshot ${v}`, targets: `targets ${v}` },
          manifest(v),
          3,
        );
      }
      expect(await repo.tufViews.get(w.deviceId)).toEqual(view(5));
      expect(await repo.tufViews.text(w.deviceId, 'snapshot', 5)).toBe('snapshot 5');
      expect(await repo.tufViews.text(w.deviceId, 'targets', 3)).toBe('targets 3');
      expect(await repo.tufViews.text(w.deviceId, 'snapshot', 2)).toBeUndefined();
      expect(await repo.tufViews.text(w.deviceId, 'targets', 2)).toBeUndefined();
      const m5 = await repo.tufViews.manifest(manifest(5).sha256);
      expect(m5?.deviceId).toBe(w.deviceId);
      expect(m5?.data.equals(manifest(5).data)).toBe(true);
      expect(await repo.tufViews.manifest(manifest(3).sha256)).toBeDefined();
      expect(await repo.tufViews.manifest(manifest(2).sha256)).toBeUndefined();
      // A timestamp-only refresh keeps the snapshot and targets.
      await repo.tufViews.save(
        view(5, { timestampVersion: 6, timestampText: 'timestamp 6' }),
        {},
        undefined,
        3,
      );
      expect((await repo.tufViews.get(w.deviceId))?.timestampText).toBe('timestamp 6');
      expect(await repo.tufViews.text(w.deviceId, 'snapshot', 5)).toBe('snapshot 5');
    });

    it('never moves a view back: a save that does not advance the timestamp writes nothing', async () => {
      const save = repo.tufViews.save.bind(repo.tufViews);
      expect(await save(view(4), { snapshot: 'snapshot 4', targets: 'targets 4' }, manifest(4), 3)).toBe(
        true,
      );
      expect(await save(view(3), { snapshot: 'old 3', targets: 'old 3' }, manifest(3), 3)).toBe(false);
      expect(await save(view(4, { timestampText: 'other 4' }), { snapshot: 'other 4' }, undefined, 3)).toBe(
        false,
      );
      expect(await save(view(5, { snapshotVersion: 3 }), { snapshot: 'back' }, undefined, 3)).toBe(false);
      expect(await save(view(5, { targetsVersion: 3 }), { targets: 'back' }, undefined, 3)).toBe(false);
      expect(await repo.tufViews.get(w.deviceId)).toEqual(view(4));
      expect(await repo.tufViews.text(w.deviceId, 'snapshot', 4)).toBe('snapshot 4');
      expect(await repo.tufViews.text(w.deviceId, 'snapshot', 3)).toBeUndefined();
      expect(await repo.tufViews.manifest(manifest(3).sha256)).toBeUndefined();
    });

    it('of concurrent saves of the same next version one stands, with its own texts', async () => {
      await repo.tufViews.save(view(1), { snapshot: 'snapshot 1', targets: 'targets 1' }, manifest(1), 3);
      const saved = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          repo.tufViews.save(
            view(2, { timestampText: `timestamp 2 by ${i}` }),
            { snapshot: `snapshot 2 by ${i}`, targets: `targets 2 by ${i}` },
            undefined,
            3,
          ),
        ),
      );
      expect(saved.filter(Boolean)).toHaveLength(1);
      const stood = (await repo.tufViews.get(w.deviceId))!;
      const by = /by (\d)$/.exec(stood.timestampText)![1];
      expect(await repo.tufViews.text(w.deviceId, 'snapshot', 2)).toBe(`snapshot 2 by ${by}`);
      expect(await repo.tufViews.text(w.deviceId, 'targets', 2)).toBe(`targets 2 by ${by}`);
    });

    const play = (playId: string, patch: Partial<StoredPlay> = {}): StoredPlay => ({
      deviceId: w.deviceId,
      playId,
      noticeId: 'ntc_a',
      version: 1,
      startedAt: '2026-12-01T01:00:00.000Z',
      durationMs: 1000,
      surface: 'lobby',
      emergency: false,
      receivedAt: 1_700_000_000_000,
      ...patch,
    });

    it('counts a play once, lets the same showing grow longer, and refuses anything else under its id', async () => {
      expect(await repo.plays.insert([])).toEqual({ accepted: 0, duplicates: 0 });
      expect(
        await repo.plays.insert([
          play('p1'),
          play('p2', { emergency: true, startedAt: '2026-12-01T02:00:00.000Z' }),
        ]),
      ).toEqual({ accepted: 2, duplicates: 0 });
      expect(
        await repo.plays.insert([
          play('p1'),
          play('p1', { durationMs: 500 }),
          play('p1', { durationMs: 5000, version: 2 }),
          play('p1', { durationMs: 5000, surface: 'led' }),
          play('p2', { durationMs: 9000, emergency: false, startedAt: '2026-12-01T02:00:00.000Z' }),
        ]),
      ).toEqual({ accepted: 0, duplicates: 5 });
      expect(
        await repo.plays.insert([play('p1', { durationMs: 4000, receivedAt: 1_700_000_000_500 })]),
      ).toEqual({
        accepted: 1,
        duplicates: 0,
      });
      const forNotice = await repo.plays.forNotice('ntc_a', 0, 10);
      expect(forNotice).toEqual([
        play('p2', { emergency: true, startedAt: '2026-12-01T02:00:00.000Z' }),
        play('p1', { durationMs: 4000, receivedAt: 1_700_000_000_500 }),
      ]);
      expect(await repo.plays.forNotice('ntc_a', Date.parse('2026-12-01T01:30:00.000Z'), 10)).toHaveLength(1);
      expect(await repo.plays.forNotice('ntc_a', 0, 1)).toHaveLength(1);
      expect(await repo.plays.forDevice(w.deviceId, 0, 10)).toEqual(forNotice);
      expect(await repo.plays.summaryForNotice('ntc_a', 0)).toEqual([
        {
          deviceId: w.deviceId,
          plays: 2,
          totalMs: 5000,
          firstAt: Date.parse('2026-12-01T01:00:00.000Z'),
          lastAt: Date.parse('2026-12-01T02:00:00.000Z'),
        },
      ]);
      expect(await repo.plays.summaryForNotice('ntc_none', 0)).toEqual([]);
    });

    it('keeps device faults in arrival order per notice', async () => {
      const f = {
        deviceId: w.deviceId,
        noticeId: 'ntc_a',
        version: 1,
        code: 'LINLI_ERR_X',
        reason: 'r',
        at: 5,
        receivedAt: 6,
      };
      await repo.plays.insertFault(f);
      await repo.plays.insertFault({ ...f, version: 2, reason: 'second' });
      await repo.plays.insertFault({ ...f, noticeId: 'ntc_b' });
      expect(await repo.plays.faultsForNotice('ntc_a')).toEqual([f, { ...f, version: 2, reason: 'second' }]);
    });
  });
});
