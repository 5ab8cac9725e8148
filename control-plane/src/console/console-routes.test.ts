import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { createHarness, type Harness } from '../testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe('console assets are served from a fixed list only', () => {
  it('serves a listed asset (positive control)', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/console/assets/main.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
  });

  it.each([
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    '..%2F..%2Fpackage.json',
    '..%2Fconsole-routes.ts',
    'index.html',
  ])('%s → 404, never a read outside the list', async (name) => {
    const res = await h.app.inject({ method: 'GET', url: `/console/assets/${name}` });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.NOT_FOUND } });
  });
});
