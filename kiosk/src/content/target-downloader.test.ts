import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { TargetDownloader } from './target-downloader.js';

const body = randomBytes(300_000);
const sha256 = createHash('sha256').update(body).digest('hex');
const target = { path: `media/${sha256}.png`, length: body.length, sha256 };
let server: Server;
let base = '';
const seen: string[] = [];
let cutNext = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers.range ?? 'full');
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = m ? Number(m[1]) : 0;
    const slice = body.subarray(from);
    res.writeHead(m ? 206 : 200, {
      'content-length': String(slice.length),
      ...(m ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}),
    });
    if (cutNext > 0) {
      // Half of it, then the line drops.
      res.write(slice.subarray(0, cutNext), () => res.socket?.destroy());
      cutNext = 0;
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const api = {
  getRaw: (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers }),
};

describe('target downloads', () => {
  it('streams to a .part file, resumes with Range after a cut, verifies and renames atomically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'linli-dl-'));
    const dl = new TargetDownloader(api, dir);
    seen.length = 0;
    cutNext = 120_000;
    await expect(dl.fetch(target)).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    const parts = await readdir(dir);
    expect(parts).toEqual([`${sha256}.part`]);
    const file = await dl.fetch(target);
    expect(seen[0]).toBe('full');
    expect(seen[1]).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(seen[1]!)![0])).toBeGreaterThan(0);
    expect(dl.stats.resumed).toBe(1);
    expect((await readFile(file)).equals(body)).toBe(true);
    expect(await readdir(dir)).toEqual([sha256]);
    // Already there and complete: no request at all.
    const before = seen.length;
    await dl.fetch(target);
    expect(seen.length).toBe(before);
  });

  it('refuses a wrong hash, discards it, and never names a file after the network path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'linli-dl-'));
    const dl = new TargetDownloader(api, dir);
    const wrong = { ...target, sha256: 'b'.repeat(64), path: `media/${'b'.repeat(64)}.png` };
    await expect(dl.fetch(wrong)).rejects.toMatchObject({ code: ErrorCode.TARGET_MISMATCH });
    expect(await readdir(dir)).toEqual([]);
    await expect(dl.fetch({ ...target, path: 'media/../../x.png' })).rejects.toMatchObject({
      code: ErrorCode.TARGET_PATH,
    });
    await expect(dl.fetch({ ...target, length: 1000 })).rejects.toMatchObject({
      code: ErrorCode.TARGET_TOO_LARGE,
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
