import type { InjectOptions } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { verifyEnvelope } from '../../../../protocol/envelope.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { CreateAdminResponse } from '../../../../protocol/schemas/admin.js';
import { EmergencyAlert } from '../../../../protocol/schemas/notice.js';
import type {
  AuditEvent,
  NoticeActionResponse,
  NoticeView,
} from '../../../../protocol/schemas/notice-admin.js';
import { createHarness, type Harness, tableCounts } from '../../testing/harness.js';

const DAY = 86_400_000;
let h: Harness;
let nodes: Awaited<ReturnType<Harness['community']>>;
let other: Awaited<ReturnType<Harness['community']>>;
const as: Record<string, (o: InjectOptions) => ReturnType<Harness['admin']>> = {};

async function account(username: string, role: 'admin' | 'staff', nodeId: string) {
  const res = await h.admin({ method: 'POST', url: API.admins, payload: { username, role, nodeId } });
  const { password } = res.json() as CreateAdminResponse;
  const login = await h.app.inject({ method: 'POST', url: API.login, payload: { username, password } });
  const token = (login.json() as { token: string }).token;
  as[username] = (o) =>
    h.app.inject({ ...o, headers: { ...(o.headers ?? {}), authorization: `Bearer ${token}` } });
}

const draft = (extra: Record<string, unknown> = {}) => ({
  title: { zh: '停水通知', en: 'Water cut' },
  body: { zh: '周三 9:00–15:00 停水，请提前储水。' },
  category: 'utility',
  targets: { nodeIds: [nodes.community.id] },
  ...extra,
});

async function ok(p: ReturnType<Harness['admin']>, status = 200): Promise<NoticeActionResponse> {
  const res = await p;
  if (res.statusCode !== status) throw new Error(`${res.statusCode} ${res.body}`);
  return res.json() as NoticeActionResponse;
}

async function codeOf(p: ReturnType<Harness['admin']>): Promise<[number, string]> {
  const res = await p;
  return [res.statusCode, (res.json() as { error?: { code: string } }).error?.code ?? 'none'];
}

beforeAll(async () => {
  h = await createHarness();
  nodes = await h.community('mod');
  other = await h.community('other');
  await account('staff1', 'staff', nodes.community.id);
  await account('comm1', 'admin', nodes.community.id);
  await account('comm2', 'admin', nodes.community.id);
  await account('dist1', 'admin', nodes.district.id);
  await account('otheradm', 'admin', other.community.id);
});
afterAll(() => h.close());

describe('moderation', () => {
  it('staff draft → submit → an admin approves; only then is it published, and every step is audited', async () => {
    const created = await ok(as.staff1!({ method: 'POST', url: API.notices, payload: draft() }), 201);
    const id = created.notice.id;
    expect(created.notice).toMatchObject({ status: 'draft', revision: 1, published: null });
    expect(
      await codeOf(
        as.staff1!({ method: 'POST', url: API.noticeAction(id, 'approve'), payload: { revision: 1 } }),
      ),
    ).toEqual([403, ErrorCode.FORBIDDEN]);
    expect(
      await codeOf(
        as.comm1!({ method: 'POST', url: API.noticeAction(id, 'approve'), payload: { revision: 1 } }),
      ),
    ).toEqual([409, ErrorCode.NOTICE_STATE]);
    await ok(as.staff1!({ method: 'POST', url: API.noticeAction(id, 'submit'), payload: {} }));
    const approved = await ok(
      as.comm1!({ method: 'POST', url: API.noticeAction(id, 'approve'), payload: { revision: 1 } }),
    );
    expect(approved.notice).toMatchObject({ status: 'published', published: { version: 1 } });
    expect(approved.notice.published?.content.title.zh).toBe('停水通知');
    const audit = (await h.admin({ method: 'GET', url: `${API.noticeAudit}?noticeId=${id}` })).json() as {
      events: AuditEvent[];
    };
    expect(audit.events.map((e) => [e.action, e.actor.username])).toEqual([
      ['approve', 'comm1'],
      ['submit', 'staff1'],
      ['create', 'staff1'],
    ]);
    // Staff may not publish in one step.
    expect(
      await codeOf(as.staff1!({ method: 'POST', url: API.notices, payload: draft({ publish: true }) })),
    ).toEqual([403, ErrorCode.FORBIDDEN]);
  });

  it('editing an approved notice sends it back for approval while the approved version keeps playing', async () => {
    const { notice } = await ok(
      as.comm1!({ method: 'POST', url: API.notices, payload: draft({ publish: true }) }),
      201,
    );
    expect(notice).toMatchObject({ status: 'published', published: { version: 1 } });
    const edited = await ok(
      as.staff1!({
        method: 'PUT',
        url: API.notice(notice.id),
        payload: { ...draft({ title: { zh: '停水时间改为周四' } }), revision: notice.revision },
      }),
    );
    expect(edited.notice).toMatchObject({ status: 'pending', revision: 2, published: { version: 1 } });
    expect(edited.notice.published?.content.title.zh).toBe('停水通知');
    // A stale edit (revision 1 again) is refused and changes nothing.
    const before = tableCounts(h.repo);
    expect(
      await codeOf(
        as.comm1!({ method: 'PUT', url: API.notice(notice.id), payload: { ...draft(), revision: 1 } }),
      ),
    ).toEqual([409, ErrorCode.NOTICE_REVISION]);
    expect(tableCounts(h.repo)).toEqual(before);
    const v2 = await ok(
      as.comm1!({ method: 'POST', url: API.noticeAction(notice.id, 'approve'), payload: { revision: 2 } }),
    );
    expect(v2.notice.published).toMatchObject({ version: 2, content: { title: { zh: '停水时间改为周四' } } });
  });

  it('rejects with a reason; the author fixes and resubmits', async () => {
    const { notice } = await ok(as.staff1!({ method: 'POST', url: API.notices, payload: draft() }), 201);
    await ok(as.staff1!({ method: 'POST', url: API.noticeAction(notice.id, 'submit'), payload: {} }));
    const rejected = await ok(
      as.comm2!({
        method: 'POST',
        url: API.noticeAction(notice.id, 'reject'),
        payload: { reason: '时间写错了' },
      }),
    );
    expect(rejected.notice).toMatchObject({ status: 'rejected', rejectedReason: '时间写错了' });
    const fixed = await ok(
      as.staff1!({ method: 'PUT', url: API.notice(notice.id), payload: { ...draft(), revision: 1 } }),
    );
    expect(fixed.notice).toMatchObject({ status: 'draft', rejectedReason: null });
    await ok(as.staff1!({ method: 'POST', url: API.noticeAction(notice.id, 'submit'), payload: {} }));
  });

  it('emergencies: a community admin needs a second admin; a district admin may bypass approval, audited', async () => {
    const emergency = draft({
      title: { zh: '燃气泄漏，请立即撤离' },
      priority: 'emergency',
      category: 'safety',
    });
    expect(
      await codeOf(as.comm1!({ method: 'POST', url: API.notices, payload: { ...emergency, publish: true } })),
    ).toEqual([403, ErrorCode.NOTICE_APPROVAL]);
    const { notice } = await ok(as.comm1!({ method: 'POST', url: API.notices, payload: emergency }), 201);
    expect(
      await codeOf(as.comm1!({ method: 'POST', url: API.noticeAction(notice.id, 'emergency'), payload: {} })),
    ).toEqual([403, ErrorCode.NOTICE_APPROVAL]);
    const before = h.repo.db.prepare('SELECT COUNT(*) AS n FROM emergency_issues').get() as { n: number };
    const up = await ok(
      as.dist1!({ method: 'POST', url: API.noticeAction(notice.id, 'emergency'), payload: { ttlSec: 600 } }),
    );
    expect(up.notice).toMatchObject({
      status: 'published',
      emergency: { live: true },
      published: { version: 1 },
    });
    const issues = h.repo.db
      .prepare('SELECT seq, action, ttl_sec, envelope FROM emergency_issues WHERE notice_id = ? ORDER BY seq')
      .all(notice.id) as {
      seq: number;
      action: string;
      ttl_sec: number;
      envelope: string;
    }[];
    expect(issues.map((i) => [i.action, i.ttl_sec])).toEqual([['show', 600]]);
    expect(issues[0]!.seq).toBeGreaterThan(before.n);
    // The envelope verifies with the emergency key and names the target nodes.
    const alert = verifyEnvelope<EmergencyAlert>(JSON.parse(issues[0]!.envelope), h.app.keys.keyring, {
      type: 'linli.emergency/v1',
      schema: EmergencyAlert,
    });
    expect(alert).toMatchObject({ action: 'show', ttlSec: 600, targets: { nodeIds: [nodes.community.id] } });
    const audit = (
      await h.admin({ method: 'GET', url: `${API.noticeAudit}?noticeId=${notice.id}` })
    ).json() as {
      events: AuditEvent[];
    };
    expect(audit.events[0]).toMatchObject({ action: 'emergency-bypass', actor: { username: 'dist1' } });

    const renewed = await ok(
      as.comm1!({ method: 'POST', url: API.noticeAction(notice.id, 'renew'), payload: {} }),
    );
    expect(renewed.notice.emergency!.seq).toBeGreaterThan(issues[0]!.seq);
    const withdrawn = await ok(
      as.comm2!({ method: 'POST', url: API.noticeAction(notice.id, 'withdraw'), payload: {} }),
    );
    expect(withdrawn.notice).toMatchObject({ status: 'withdrawn', emergency: { live: false } });
    const actions = h.repo.db
      .prepare('SELECT action FROM emergency_issues WHERE notice_id = ? ORDER BY seq')
      .all(notice.id);
    expect(actions).toEqual([{ action: 'show' }, { action: 'show' }, { action: 'cancel' }]);
    // A second community admin may approve a colleague's emergency draft.
    const second = await ok(as.comm1!({ method: 'POST', url: API.notices, payload: emergency }), 201);
    await ok(as.comm1!({ method: 'POST', url: API.noticeAction(second.notice.id, 'submit'), payload: {} }));
    const approved = await ok(
      as.comm2!({
        method: 'POST',
        url: API.noticeAction(second.notice.id, 'approve'),
        payload: { revision: 1 },
      }),
    );
    expect(approved.notice.emergency?.live).toBe(true);
    // Only an emergency-priority notice can take over screens.
    const normal = await ok(as.dist1!({ method: 'POST', url: API.notices, payload: draft() }), 201);
    expect(
      await codeOf(
        as.dist1!({ method: 'POST', url: API.noticeAction(normal.notice.id, 'emergency'), payload: {} }),
      ),
    ).toEqual([409, ErrorCode.NOTICE_STATE]);
  });

  it('keeps admins inside their scope: listing, reading and targeting', async () => {
    const { notice } = await ok(as.comm1!({ method: 'POST', url: API.notices, payload: draft() }), 201);
    expect(await codeOf(as.otheradm!({ method: 'GET', url: API.notice(notice.id) }))).toEqual([
      404,
      ErrorCode.NOTICE_NOT_FOUND,
    ]);
    expect(
      await codeOf(
        as.comm1!({
          method: 'POST',
          url: API.notices,
          payload: draft({ targets: { nodeIds: [other.community.id] } }),
        }),
      ),
    ).toEqual([404, ErrorCode.NODE_NOT_FOUND]);
    const listed = (await as.otheradm!({ method: 'GET', url: API.notices })).json() as {
      notices: NoticeView[];
    };
    expect(listed.notices.map((n) => n.id)).not.toContain(notice.id);
    const mine = (await as.comm1!({ method: 'GET', url: `${API.notices}?status=draft` })).json() as {
      notices: NoticeView[];
    };
    expect(mine.notices.map((n) => n.id)).toContain(notice.id);
    expect(mine.notices.every((n) => n.status === 'draft')).toBe(true);
  });
});

describe('bounds: every duration and size', () => {
  it.each([
    ['displaySec 9999999999999', { displaySec: 9999999999999 }, 400, ErrorCode.BAD_REQUEST, 'displaySec'],
    ['displaySec 0', { displaySec: 0 }, 400, ErrorCode.BAD_REQUEST, 'displaySec'],
    [
      'emergencyTtlSec 9999999999999',
      { emergencyTtlSec: 9999999999999 },
      400,
      ErrorCode.BAD_REQUEST,
      'emergencyTtlSec',
    ],
    ['a 20-year notice', { expiresAt: '2046-01-01T00:00:00Z' }, 400, ErrorCode.NOTICE_SCHEDULE, 'expiresAt'],
    ['an expired notice', { expiresAt: '2020-01-01T00:00:00Z' }, 400, ErrorCode.NOTICE_SCHEDULE, 'expiresAt'],
    [
      'end before start',
      {
        schedule: {
          start: new Date(Date.now() + 2 * DAY).toISOString(),
          end: new Date(Date.now() + DAY).toISOString(),
        },
      },
      400,
      ErrorCode.NOTICE_SCHEDULE,
      'schedule.end',
    ],
    [
      'a zero-length window',
      { schedule: { windows: [{ from: '08:00', to: '08:00' }] } },
      400,
      ErrorCode.NOTICE_SCHEDULE,
      'schedule.windows.0',
    ],
    [
      'a 25:00 window',
      { schedule: { windows: [{ from: '08:00', to: '25:00' }] } },
      400,
      ErrorCode.BAD_REQUEST,
      'windows',
    ],
    [
      'an unknown timezone',
      { schedule: { timezone: 'Mars/Olympus' } },
      400,
      ErrorCode.NOTICE_SCHEDULE,
      'schedule.timezone',
    ],
    ['weekday 8', { schedule: { weekdays: [8] } }, 400, ErrorCode.BAD_REQUEST, 'weekdays'],
    ['a title of 121 characters', { title: { zh: '长'.repeat(121) } }, 400, ErrorCode.BAD_REQUEST, 'title'],
    [
      '65 target nodes',
      { targets: { nodeIds: Array(65).fill('node_01JDQ0000000000000000000AB') } },
      400,
      ErrorCode.BAD_REQUEST,
      'nodeIds',
    ],
    [
      'an image never uploaded',
      { images: [{ mediaId: 'a'.repeat(64) }] },
      404,
      ErrorCode.MEDIA_NOT_FOUND,
      'images.0',
    ],
  ])(
    'refuses %s with a coded error naming the field, storing nothing',
    async (_name, patch, status, code, field) => {
      const before = tableCounts(h.repo);
      const res = await h.admin({ method: 'POST', url: API.notices, payload: draft(patch) });
      expect(res.statusCode).toBe(status);
      const err = (res.json() as { error: { code: string; message: string; details?: { field?: string } } })
        .error;
      expect(err.code).toBe(code);
      expect(`${err.details?.field ?? ''} ${err.message}`).toContain(field);
      expect(tableCounts(h.repo)).toEqual(before);
    },
  );
});

describe('media', () => {
  it('stores an image under its SHA-256, refuses garbage, pixel bombs and oversize bodies', async () => {
    const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#1a7f37' } })
      .png()
      .toBuffer();
    const up = await h.admin({
      method: 'POST',
      url: API.media,
      headers: { 'content-type': 'image/png' },
      payload: png,
    });
    expect(up.statusCode).toBe(201);
    expect(up.json()).toMatchObject({ width: 64, height: 32, contentType: 'image/png', length: png.length });
    expect((up.json() as { mediaId: string }).mediaId).toMatch(/^[0-9a-f]{64}$/);
    const withImage = await ok(
      h.admin({
        method: 'POST',
        url: API.notices,
        payload: draft({ images: [{ mediaId: (up.json() as { mediaId: string }).mediaId }] }),
      }),
      201,
    );
    expect(withImage.notice.content.images).toHaveLength(1);

    const garbage = await h.admin({
      method: 'POST',
      url: API.media,
      headers: { 'content-type': 'image/png' },
      payload: Buffer.from('not a png at all'),
    });
    expect(garbage.json()).toMatchObject({ error: { code: ErrorCode.MEDIA_INVALID } });
    // 8000×8000 of one colour compresses to a small file but decodes to 64 M pixels.
    const bomb = await sharp({
      create: { width: 8000, height: 8000, channels: 3, background: '#000' },
      limitInputPixels: false,
    })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(1_000_000);
    const bombRes = await h.admin({
      method: 'POST',
      url: API.media,
      headers: { 'content-type': 'image/png' },
      payload: bomb,
    });
    expect(bombRes.json()).toMatchObject({ error: { code: ErrorCode.MEDIA_TOO_LARGE } });
    const huge = await h.admin({
      method: 'POST',
      url: API.media,
      headers: { 'content-type': 'image/png' },
      payload: Buffer.alloc(6 * 1024 * 1024),
    });
    expect(huge.json()).toMatchObject({ error: { code: ErrorCode.BODY_TOO_LARGE } });
  });
});
