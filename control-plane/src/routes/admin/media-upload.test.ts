import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import realSharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { createHarness, type Harness, tableCounts } from '../../testing/harness.js';

// Every call into sharp is counted, so "refused before anything was read" is observable.
const sharpCalls = vi.hoisted(() => ({ inputs: [] as unknown[] }));
vi.mock('sharp', async (importOriginal) => {
  const real = (await importOriginal<{ default: typeof realSharp }>()).default;
  const spy = ((input: unknown, ...rest: unknown[]) => {
    sharpCalls.inputs.push(input);
    return (real as unknown as (...a: unknown[]) => unknown)(input, ...rest);
  }) as unknown as typeof realSharp;
  return { default: spy };
});

let h: Harness;
let dir: string;
let png: Buffer;
let pngPath: string;

beforeAll(async () => {
  h = await createHarness();
  await h.adminToken();
  dir = mkdtempSync(join(tmpdir(), 'linli-media-'));
  png = await realSharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
    .png()
    .toBuffer();
  pngPath = join(dir, 'real.png');
  writeFileSync(pngPath, png);
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  sharpCalls.inputs.length = 0;
});

const upload = (payload: string | Buffer | undefined, contentType?: string) =>
  h.admin({
    method: 'POST',
    url: API.media,
    headers: contentType ? { 'content-type': contentType } : {},
    ...(payload === undefined ? {} : { payload }),
  });

describe('POST /api/v1/admin/media takes image bytes only', () => {
  it.each([
    ['a JSON string naming a missing file', JSON.stringify('/etc/nonexistent'), 'application/json'],
    ['a JSON string naming /etc/passwd', JSON.stringify('/etc/passwd'), 'application/json'],
    ['a JSON string naming a real PNG on the server', 'PATH', 'application/json'],
    ['a JSON null', 'null', 'application/json'],
    ['a JSON object', '{"input":"/etc/passwd"}', 'application/json'],
    ['text/plain with a path', 'PATH', 'text/plain'],
    ['image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml'],
    ['no Content-Type', 'PATH', undefined],
  ])('%s → 415 LINLI_ERR_MEDIA_TYPE, sharp never called, nothing stored', async (_n, body, type) => {
    const before = tableCounts(h.repo);
    const res = await upload(body === 'PATH' ? JSON.stringify(pngPath) : body, type);
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.MEDIA_TYPE } });
    // The answer is the same whether or not the path exists: nothing about the file system leaks.
    expect(res.body).not.toMatch(/missing|exist|ENOENT|passwd|real\.png/i);
    expect(sharpCalls.inputs).toEqual([]);
    expect(tableCounts(h.repo)).toEqual(before);
  });

  it('an image Content-Type with an empty body → 400 MEDIA_INVALID (not 5xx), sharp never called', async () => {
    const res = await upload(Buffer.alloc(0), 'image/png');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.MEDIA_INVALID } });
    expect(sharpCalls.inputs).toEqual([]);
  });

  it('bytes that are not an image → 400 MEDIA_INVALID without the decoder message', async () => {
    const res = await upload(Buffer.from(pngPath), 'image/png');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.MEDIA_INVALID } });
    expect(res.body).not.toMatch(/real\.png|input|file/i);
    // Positive control: sharp did run here, and only on bytes.
    expect(sharpCalls.inputs.length).toBeGreaterThan(0);
    expect(sharpCalls.inputs.every((i) => Buffer.isBuffer(i))).toBe(true);
  });

  it('one byte over the image limit → 413 BODY_TOO_LARGE, sharp never called', async () => {
    const res = await upload(Buffer.alloc(5 * 1024 * 1024 + 1), 'image/png');
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.BODY_TOO_LARGE } });
    expect(sharpCalls.inputs).toEqual([]);
  });

  it('a real PNG as bytes → 201, and sharp saw a Buffer (positive control)', async () => {
    const res = await upload(png, 'image/png; charset=binary');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ contentType: 'image/png', length: png.length, width: 8, height: 8 });
    expect(sharpCalls.inputs.length).toBeGreaterThan(0);
    expect(sharpCalls.inputs.every((i) => Buffer.isBuffer(i))).toBe(true);
  });

  it('the service refuses anything but a Buffer even when called directly (defence in depth)', async () => {
    const admin = await h.app.services.adminAuth.authenticate(await h.adminToken());
    for (const input of [pngPath, null, undefined, { path: pngPath }, [1, 2, 3]]) {
      await expect(h.app.services.media.upload(admin, input)).rejects.toMatchObject({
        code: ErrorCode.MEDIA_INVALID,
      });
    }
    expect(sharpCalls.inputs).toEqual([]);
  });
});
