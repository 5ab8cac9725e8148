import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

it('gives integer query parameters their type, and still refuses what does not parse', async () => {
  const ok = await h.admin({ method: 'GET', url: '/api/v1/admin/payments?limit=5' });
  expect(ok.statusCode).toBe(200);
  for (const bad of ['abc', '5.5', '0', '99999999999999999999']) {
    const res = await h.admin({ method: 'GET', url: `/api/v1/admin/payments?limit=${bad}` });
    expect(res.statusCode, bad).toBe(400);
    expect(res.json().error.code).toBe('LINLI_ERR_BAD_REQUEST');
  }
});
