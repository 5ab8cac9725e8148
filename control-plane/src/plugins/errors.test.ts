import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { errorsPlugin } from './errors.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ config: { bodyLimitBytes: 2048 } });
});
afterAll(() => h.close());

describe('central error handling', () => {
  it('answers malformed JSON, too-large bodies and unknown routes with coded errors', async () => {
    const json = { 'content-type': 'application/json' };
    const bad = await h.app.inject({
      method: 'POST',
      url: API.login,
      headers: json,
      payload: '{"username":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: { code: ErrorCode.MALFORMED_JSON, message: expect.any(String) } });
    const empty = await h.app.inject({ method: 'POST', url: API.login, headers: json, payload: '' });
    expect(empty.json()).toMatchObject({ error: { code: ErrorCode.MALFORMED_JSON } });
    const proto = await h.app.inject({
      method: 'POST',
      url: API.login,
      headers: json,
      payload: '{"__proto__":{"x":1}}',
    });
    expect(proto.statusCode).toBe(400);
    const big = await h.app.inject({
      method: 'POST',
      url: API.login,
      headers: json,
      payload: JSON.stringify({ username: 'x'.repeat(5000) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: { code: ErrorCode.BODY_TOO_LARGE } });
    const missing = await h.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: ErrorCode.NOT_FOUND } });
    const media = await h.app.inject({
      method: 'POST',
      url: API.login,
      headers: { 'content-type': 'text/xml' },
      payload: '<x/>',
    });
    expect(media.json()).toMatchObject({ error: { code: ErrorCode.BAD_REQUEST } });
  });

  it('names the offending field on schema errors', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: API.login,
      payload: { username: 'admin', password: 5 },
    });
    expect(res.json()).toEqual({
      error: {
        code: ErrorCode.BAD_REQUEST,
        message: 'body/password must be string',
        details: { field: 'body/password' },
      },
    });
  });

  it('hides internals of unexpected errors behind LINLI_ERR_INTERNAL', async () => {
    const logged: string[] = [];
    const app = Fastify({ logger: { level: 'error', stream: { write: (l: string) => logged.push(l) } } });
    await app.register(errorsPlugin);
    app.get('/boom', async () => {
      throw new Error('database password is hunter2');
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: { code: ErrorCode.INTERNAL, message: 'internal error; it has been logged' },
    });
    expect(res.body).not.toContain('hunter2');
    expect(logged.join('')).toContain('hunter2');
    await app.close();
  });

  it('serves the admin API docs', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([API.login, API.nodes, API.enrollmentTokens, API.notices]),
    );
    expect((await h.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });
});
