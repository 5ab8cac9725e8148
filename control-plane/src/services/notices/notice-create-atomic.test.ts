import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { NoticeActionResponse } from '../../../../protocol/schemas/notice-admin.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { type AdminInject, scopedAdmin } from '../../testing/scoped-admin.js';

let h: Harness;
let nodes: Awaited<ReturnType<Harness['community']>>;
let community: AdminInject;
let district: AdminInject;

const notice = (extra: Record<string, unknown> = {}) => ({
  title: { zh: '停水通知' },
  body: { zh: '周三 9:00–15:00 停水，请提前储水。' },
  category: 'utility',
  targets: { nodeIds: [nodes.community.id] },
  publish: true,
  ...extra,
});
const count = (table: string) =>
  (h.repo.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const written = () => ({
  notices: count('notices'),
  audit: count('notice_audit'),
  issues: count('emergency_issues'),
  targets: count('notice_targets'),
});

/** A crash at one step of the write: SQLite aborts the statement as a kill -9 would stop the process there. */
function failOn(table: string, when = '1') {
  h.repo.db.exec(
    `CREATE TEMP TRIGGER injected_crash BEFORE INSERT ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, 'injected crash'); END`,
  );
}
const heal = () => h.repo.db.exec('DROP TRIGGER IF EXISTS injected_crash');

beforeAll(async () => {
  h = await createHarness();
  nodes = await h.community('atom');
  community = await scopedAdmin(h, 'atom-comm', 'admin', nodes.community.id);
  district = await scopedAdmin(h, 'atom-dist', 'admin', nodes.district.id);
});
afterAll(() => h.close());

describe('create with publish is one transaction', () => {
  it('a failure at the approve step leaves nothing: no pending notice, no create/submit audit rows', async () => {
    const before = written();
    failOn('notice_audit', "NEW.action = 'approve'");
    try {
      const res = await community({ method: 'POST', url: API.notices, payload: notice() });
      expect(res.statusCode).toBe(500);
    } finally {
      heal();
    }
    expect(written()).toEqual(before);
    // Positive control: the same request without the crash publishes, with its three audit rows.
    const res = await community({ method: 'POST', url: API.notices, payload: notice() });
    expect(res.statusCode).toBe(201);
    const { notice: n } = res.json() as NoticeActionResponse;
    expect(n.status).toBe('published');
    const actions = h.repo.db
      .prepare('SELECT action FROM notice_audit WHERE notice_id = ? ORDER BY seq')
      .all(n.id)
      .map((r) => (r as { action: string }).action);
    expect(actions).toEqual(['create', 'submit', 'approve']);
  });

  it('an emergency put up at creation: a failure issuing it leaves no published notice without its alert', async () => {
    const before = written();
    failOn('emergency_issues');
    try {
      const res = await district({
        method: 'POST',
        url: API.notices,
        payload: notice({ priority: 'emergency', category: 'safety' }),
      });
      expect(res.statusCode).toBe(500);
    } finally {
      heal();
    }
    expect(written()).toEqual(before);
    const ok = await district({
      method: 'POST',
      url: API.notices,
      payload: notice({ priority: 'emergency', category: 'safety' }),
    });
    expect(ok.statusCode).toBe(201);
    expect((ok.json() as NoticeActionResponse).notice).toMatchObject({
      status: 'published',
      emergency: { live: true },
    });
    expect(count('emergency_issues')).toBe(before.issues + 1);
  });

  it('a refused publish (own emergency below district level) writes nothing either', async () => {
    const before = written();
    const res = await community({
      method: 'POST',
      url: API.notices,
      payload: notice({ priority: 'emergency', category: 'safety' }),
    });
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.NOTICE_APPROVAL } });
    expect(written()).toEqual(before);
  });

  it('withdrawing a live emergency and issuing its cancel are one write: a failed cancel leaves it live', async () => {
    const up = await district({
      method: 'POST',
      url: API.notices,
      payload: notice({ priority: 'emergency', category: 'safety' }),
    });
    const id = (up.json() as NoticeActionResponse).notice.id;
    const before = written();
    failOn('emergency_issues');
    try {
      const res = await district({ method: 'POST', url: API.noticeAction(id, 'withdraw'), payload: {} });
      expect(res.statusCode).toBe(500);
    } finally {
      heal();
    }
    expect(written()).toEqual(before);
    expect((await h.app.repo.notices.get(id))!.status).toBe('published');
    // Positive control: without the crash it is withdrawn and the cancel is issued, together.
    const ok = await district({ method: 'POST', url: API.noticeAction(id, 'withdraw'), payload: {} });
    expect(ok.statusCode).toBe(200);
    expect(count('emergency_issues')).toBe(before.issues + 1);
    expect((await h.app.repo.notices.get(id))!.status).toBe('withdrawn');
  });
});
