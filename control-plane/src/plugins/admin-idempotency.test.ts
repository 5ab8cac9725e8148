import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { NoticeActionResponse } from '../../../protocol/schemas/notice-admin.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { type AdminInject, scopedAdmin } from '../testing/scoped-admin.js';

let h: Harness;
let nodes: Awaited<ReturnType<Harness['community']>>;
let second: AdminInject;
let staff: AdminInject;
let n = 0;
const key = () => `idem-test-key-${String(++n).padStart(6, '0')}`;

const notice = (title = '停水通知', extra: Record<string, unknown> = {}) => ({
  title: { zh: title },
  body: { zh: '周三 9:00–15:00 停水，请提前储水。' },
  category: 'utility',
  targets: { nodeIds: [nodes.community.id] },
  publish: true,
  ...extra,
});
const count = (table: string) =>
  (h.repo.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const post = (url: string, payload: unknown, k?: string, as: AdminInject = (o) => h.admin(o)) =>
  as({
    method: 'POST',
    url,
    payload: payload as object,
    headers: k ? { 'idempotency-key': k } : {},
  });

beforeAll(async () => {
  h = await createHarness();
  nodes = await h.community('idem');
  second = await scopedAdmin(h, 'idem-second', 'admin', nodes.district.id);
  staff = await scopedAdmin(h, 'idem-staff', 'staff', nodes.community.id);
});
afterAll(() => h.close());

describe('Idempotency-Key on admin POSTs that create something', () => {
  it('a retry with the same key and body replays the first answer: same id, same status, no duplicate', async () => {
    const k = key();
    const before = count('notices');
    const first = await post(API.notices, notice(), k);
    expect(first.statusCode).toBe(201);
    const again = await post(API.notices, notice(), k);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((again.json() as NoticeActionResponse).notice.id).toBe(
      (first.json() as NoticeActionResponse).notice.id,
    );
    expect(again.body).toBe(first.body);
    expect(count('notices')).toBe(before + 1);
    // Positive control: without a key, the same body is a second notice.
    expect((await post(API.notices, notice())).statusCode).toBe(201);
    expect(count('notices')).toBe(before + 2);
  });

  it('the same key with another body → 422 LINLI_ERR_IDEMPOTENCY_KEY_REUSED, nothing created', async () => {
    const k = key();
    expect((await post(API.notices, notice('A'), k)).statusCode).toBe(201);
    const before = count('notices');
    const other = await post(API.notices, notice('B'), k);
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error: { code: ErrorCode.IDEMPOTENCY_KEY_REUSED } });
    // Another route with the same key is another request too.
    const node = await post(API.nodes, { parentId: nodes.community.id, name: '一号楼' }, k);
    expect(node.statusCode).toBe(422);
    expect(count('notices')).toBe(before);
  });

  it('keys are scoped per admin account: another admin with the same key creates its own', async () => {
    const k = key();
    const mine = await post(API.notices, notice('scoped'), k);
    const theirs = await post(API.notices, notice('scoped'), k, second);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect((theirs.json() as NoticeActionResponse).notice.id).not.toBe(
      (mine.json() as NoticeActionResponse).notice.id,
    );
  });

  it('a refused request releases its key: the corrected retry runs', async () => {
    const k = key();
    const refused = await post(API.notices, notice('staff'), k, staff);
    expect(refused.json()).toMatchObject({ error: { code: ErrorCode.FORBIDDEN } });
    const fixed = await post(API.notices, notice('staff', { publish: false }), k, staff);
    expect(fixed.statusCode).toBe(201);
  });

  it('a key whose first request never finished (crash) is never run twice: 409', async () => {
    const k = key();
    const before = count('notices');
    const first = await post(API.notices, notice('crash'), k);
    expect(first.statusCode).toBe(201);
    // As if the process died after the commit but before the answer was stored: the outcome is unknown.
    h.repo.db.prepare('UPDATE admin_idempotency SET status = NULL, body = NULL WHERE key = ?').run(k);
    const retry = await post(API.notices, notice('crash'), k);
    expect(retry.statusCode).toBe(409);
    expect(retry.json()).toMatchObject({ error: { code: ErrorCode.CONFLICT } });
    expect(count('notices')).toBe(before + 1);
  });

  it('one-time secrets are not stored: a retry of an enrollment token or admin create is 409, not a duplicate', async () => {
    for (const [url, body] of [
      [API.enrollmentTokens, { nodeId: nodes.community.id, role: 'kiosk' }],
      [API.admins, { username: 'idem-new', role: 'staff', nodeId: nodes.community.id }],
    ] as const) {
      const k = key();
      const first = await post(url, body, k);
      expect(first.statusCode).toBe(201);
      const stored = h.repo.db.prepare('SELECT body FROM admin_idempotency WHERE key = ?').get(k) as {
        body: Buffer;
      };
      expect(stored.body.length).toBe(0);
      const again = await post(url, body, k);
      expect(again.statusCode).toBe(409);
      expect(again.body).not.toContain('lnt2.');
    }
  });

  it('covers every creating admin POST of the route table, and refuses a malformed key', async () => {
    // Refunds (POST …/refunds) keep their own required Idempotency-Key and are left to it.
    expect([...h.app.idempotentAdminRoutes].sort()).toEqual([
      '/api/v1/admin/admins',
      '/api/v1/admin/cards',
      '/api/v1/admin/enrollment-tokens',
      '/api/v1/admin/matters',
      '/api/v1/admin/media',
      '/api/v1/admin/nodes',
      '/api/v1/admin/nodes/:id/webhooks',
      '/api/v1/admin/notices',
      '/api/v1/admin/offices',
      '/api/v1/admin/payments/:id/reprint',
      '/api/v1/admin/service-categories',
    ]);
    const res = await post(API.notices, notice('bad key'), 'short');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.BAD_REQUEST } });
  });
});
