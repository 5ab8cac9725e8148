import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UploadPlaysRequest } from '../../../protocol/schemas/signage-device.js';
import { silentLogger } from '../logger.js';
import { PlayLog } from './play-log.js';

const play = (n: number) => ({
  noticeId: 'ntc_01JDQ0000000000000000000AB',
  version: 1,
  startedAt: new Date(1_800_000_000_000 + n * 15_000).toISOString(),
  durationMs: 15_000,
  surface: 'lobby' as const,
});

describe('proof-of-play buffer', () => {
  it('keeps plays durably while offline, uploads them later in batches, and survives a restart', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'linli-plays-')), 'plays.jsonl');
    let online = false;
    const received: UploadPlaysRequest[] = [];
    const upload = async (b: UploadPlaysRequest) => {
      if (!online) throw new Error('offline');
      received.push(b);
    };
    const log = new PlayLog({ file, upload, log: silentLogger, uploadIntervalMs: 3_600_000 });
    await log.start();
    for (let i = 0; i < 700; i++) await log.record(play(i));
    await log.flush();
    expect(log.pending).toBe(700);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(700);
    await log.stop();

    // A restart (power cut) later: the plays are still there, and go up once the link is back.
    const again = new PlayLog({ file, upload, log: silentLogger, uploadIntervalMs: 3_600_000 });
    await again.start();
    expect(again.pending).toBe(700);
    online = true;
    await again.flush();
    expect(received.map((r) => r.plays.length)).toEqual([500, 200]);
    expect(new Set(received.flatMap((r) => r.plays.map((p) => p.playId))).size).toBe(700);
    expect(again.pending).toBe(0);
    expect((await readFile(file, 'utf8')).trim()).toBe('');
    await again.stop();
  });

  it('bounds the buffer, dropping the oldest plays and counting them', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'linli-plays-')), 'plays.jsonl');
    const log = new PlayLog({
      file,
      upload: async () => Promise.reject(new Error('offline')),
      log: silentLogger,
      uploadIntervalMs: 3_600_000,
      maxBuffered: 10,
    });
    await log.start();
    for (let i = 0; i < 15; i++) await log.record(play(i));
    expect(log.pending).toBe(10);
    expect(log.dropped).toBe(5);
    await log.stop();
  });

  it('a showing reported again by its play id replaces its earlier record, here, after a restart and mid-upload', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'linli-plays-')), 'plays.jsonl');
    let release: (() => void) | undefined;
    const received: UploadPlaysRequest[] = [];
    const upload = async (b: UploadPlaysRequest) => {
      received.push(structuredClone(b));
      if (release === undefined) await new Promise<void>((r) => (release = r));
    };
    const log = new PlayLog({ file, upload, log: silentLogger, uploadIntervalMs: 3_600_000 });
    await log.start();
    const first = await log.record({ ...play(0), durationMs: 0 });
    await log.record({ ...play(0), playId: first.playId, durationMs: 10_000 });
    await log.record(play(1));
    expect(log.pending).toBe(2);
    await log.stop();

    // After a restart the latest record of each play id is what is queued.
    const again = new PlayLog({ file, upload, log: silentLogger, uploadIntervalMs: 3_600_000 });
    await again.start();
    expect(again.pending).toBe(2);
    // Upload starts; while it is on the wire the showing goes on and is reported again.
    const flushing = again.flush();
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]!.plays.map((p) => p.durationMs)).toEqual([10_000, 15_000]);
    await again.record({ ...play(0), playId: first.playId, durationMs: 20_000 });
    release!();
    await flushing;
    // The newer length was not dropped with the batch that carried the older one: it goes up next.
    expect(received.at(-1)!.plays).toMatchObject([{ playId: first.playId, durationMs: 20_000 }]);
    expect(again.pending).toBe(0);
    // A play id cannot be moved to another showing.
    const other = await again.record({ ...play(5), durationMs: 0 });
    await expect(again.record({ ...play(6), playId: other.playId })).rejects.toThrow(/another showing/);
    await again.stop();
  });
});
