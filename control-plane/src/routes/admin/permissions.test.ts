import Fastify, { type RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { isPermission, PERMISSIONS, type Permission, roleHas } from '../../services/permissions.js';
import { createHarness, type Harness, tableCounts } from '../../testing/harness.js';
import { type AdminInject, scopedAdmin } from '../../testing/scoped-admin.js';
import { TestDevice } from '../../testing/test-device.js';
import adminAuthHooks from './autohooks.js';

/**
 * Generated from the route table: every route the app registers is collected as it is registered, so a new
 * admin route is covered (and must declare its permission) without anyone editing this file.
 */
interface Route {
  method: string;
  url: string;
  permission: unknown;
  public: unknown;
}

const routes: Route[] = [];
let h: Harness;
let staff: AdminInject;
let communityId: string;

/** The only admin routes that need no session; adding one is a decision made here, on purpose. */
const PUBLIC_ADMIN_ROUTES = [`POST ${API.login}`];

const methodsOf = (r: RouteOptions) => (Array.isArray(r.method) ? r.method : [r.method]);

beforeAll(async () => {
  h = await createHarness({
    onRoute: (r) => {
      const config = (r.config ?? {}) as { permission?: unknown; public?: unknown };
      for (const method of methodsOf(r)) {
        routes.push({ method, url: r.url, permission: config.permission, public: config.public });
      }
    },
  });
  const { community } = await h.community('权限');
  communityId = community.id;
  staff = await scopedAdmin(h, 'perm.staff', 'staff', community.id);
});
afterAll(() => h.close());

const adminRoutes = () => routes.filter((r) => r.url.startsWith('/api/v1/admin'));
const guarded = () => adminRoutes().filter((r) => r.public !== true);
const key = (r: Route) => `${r.method} ${r.url}`;
const fill = (url: string) => url.replace(/:[a-zA-Z]+/g, 'zz_0000000000000000000000');
/** The error code of a JSON answer (HEAD answers have no body). */
const codeOf = (res: { body: string }): string | undefined =>
  res.body ? (JSON.parse(res.body) as { error?: { code?: string } }).error?.code : undefined;
/** inject() options for a route: parameters filled in, a body only where the method has one. */
const req = (r: Route, payload: object = {}) => ({
  method: r.method as 'GET',
  url: fill(r.url),
  ...(r.method === 'GET' || r.method === 'HEAD' ? {} : { payload }),
});

const forbidden = (permission: string) => ({
  error: {
    code: ErrorCode.FORBIDDEN,
    message: `your staff account lacks the permission ${permission}; ask an admin of your community or above`,
    details: { permission },
  },
});

describe('the admin route table', () => {
  it('declares a known permission on every admin route; only login is public', () => {
    // Positive control: the collection saw the app's admin routes, including the ones the issue names.
    expect(adminRoutes().length).toBeGreaterThan(40);
    const byRoute = new Map(adminRoutes().map((r) => [key(r), r.permission]));
    expect(byRoute.get(`POST ${API.enrollmentTokens}`)).toBe('enrollment.create');
    expect(byRoute.get(`POST ${API.devices}/:id/revoke`)).toBe('devices.revoke');

    const undeclared = guarded()
      .filter((r) => !isPermission(r.permission))
      .map(key);
    expect(undeclared).toEqual([]);
    expect(
      adminRoutes()
        .filter((r) => r.public === true)
        .map(key),
    ).toEqual(PUBLIC_ADMIN_ROUTES);
    // Every permission in the table is used by some route: no dead rows that read as policy.
    const used = new Set(guarded().map((r) => r.permission));
    expect(Object.keys(PERMISSIONS).filter((p) => !used.has(p))).toEqual([]);
  });

  it('refuses to start with an admin route that declares no permission', async () => {
    const start = async (config: object): Promise<void> => {
      const app = Fastify();
      // As autoload does: the folder's hooks, then the folder's route plugins inside the same context.
      app.register(async (folder) => {
        folder.register(fp(adminAuthHooks));
        folder.register(async (r) => {
          r.get('/api/v1/admin/new-thing', { config }, async () => ({ ok: true }));
        });
      });
      try {
        await app.ready();
      } finally {
        await app.close();
      }
    };
    await expect(start({})).rejects.toThrow(
      /GET \/api\/v1\/admin\/new-thing must declare config\.permission/,
    );
    await expect(start({ permission: 'no.such' })).rejects.toThrow(/must declare/);
    await expect(start({ public: true, permission: 'devices.read' })).rejects.toThrow(/must declare/);
    await expect(start({ permission: 'devices.read' })).resolves.toBeUndefined();
  });
});

describe('every admin route × no session / staff / admin', () => {
  it('answers 401 without a session, before looking at the request', async () => {
    const wrong: string[] = [];
    for (const r of guarded()) {
      for (const headers of [{}, { authorization: 'Bearer not-a-session' }]) {
        const res = await h.app.inject({ ...req(r), headers });
        if (res.statusCode !== 401 || (r.method !== 'HEAD' && codeOf(res) !== ErrorCode.UNAUTHORIZED)) {
          wrong.push(`${key(r)} → ${res.statusCode}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives staff 403 LINLI_ERR_FORBIDDEN, with nothing but the permission, outside its set; nothing changes', async () => {
    const before = tableCounts(h.repo);
    const denied = guarded().filter((r) => !roleHas('staff', r.permission as Permission));
    // Positive control: the routes of issue 10 are among them.
    expect(denied.map(key)).toEqual(
      expect.arrayContaining([`POST ${API.enrollmentTokens}`, `POST ${API.devices}/:id/revoke`]),
    );
    const wrong: string[] = [];
    for (const r of denied) {
      for (const payload of [{}, { nodeId: 'node_x', role: 'kiosk' }]) {
        const res = await staff(req(r, payload));
        if (
          res.statusCode !== 403 ||
          (r.method !== 'HEAD' && res.body !== JSON.stringify(forbidden(String(r.permission))))
        ) {
          wrong.push(`${key(r)} → ${res.statusCode} ${res.body}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(tableCounts(h.repo)).toEqual(before);
  });

  it('lets staff through on its own permissions and admins through everywhere (never a permission 403)', async () => {
    const wrong: string[] = [];
    for (const r of guarded()) {
      const who: [string, AdminInject, boolean][] = [
        ['admin', h.admin, true],
        ['staff', staff, roleHas('staff', r.permission as Permission)],
      ];
      for (const [name, inject, allowed] of who) {
        if (!allowed) continue;
        const res = await inject(req(r));
        const code = r.method === 'HEAD' ? ErrorCode.FORBIDDEN : codeOf(res);
        if (
          res.statusCode === 401 ||
          (res.statusCode === 403 && code === ErrorCode.FORBIDDEN) ||
          res.statusCode >= 500
        ) {
          wrong.push(`${name} ${key(r)} → ${res.statusCode} ${res.body}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers malformed bodies on every admin write with a coded 4xx, never 5xx', async () => {
    const bodies: { payload?: string; type?: string }[] = [
      {},
      { payload: 'null', type: 'application/json' },
      { payload: '"/etc/passwd"', type: 'application/json' },
      { payload: '[]', type: 'application/json' },
      { payload: '{"unexpected":1}', type: 'application/json' },
      { payload: '{', type: 'application/json' },
      { payload: 'x=1', type: 'application/x-www-form-urlencoded' },
    ];
    const wrong: string[] = [];
    const writes = guarded().filter((x) => x.method !== 'GET' && x.method !== 'HEAD');
    for (const r of writes) {
      for (const b of bodies) {
        const res = await h.admin({
          method: r.method as 'POST',
          url: fill(r.url),
          ...(b.payload !== undefined ? { payload: b.payload } : {}),
          headers: b.type ? { 'content-type': b.type } : {},
        });
        if (res.statusCode >= 500 || res.statusCode < 400 || !codeOf(res)?.startsWith('LINLI_ERR_')) {
          wrong.push(`${key(r)} ${b.payload ?? '(none)'} → ${res.statusCode} ${res.body}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers malformed query strings on every admin read with a coded 4xx or an answer, never 5xx', async () => {
    const queries = [
      'nodeId=../../etc/passwd&limit=abc',
      'date=2026-99-99&status=nope&since=yesterday',
      'limit=-1&officeId=%00&format=xml',
      'nodeId[]=a&nodeId[]=b&limit=1e309',
    ];
    const wrong: string[] = [];
    for (const r of guarded().filter((x) => x.method === 'GET')) {
      for (const q of queries) {
        const res = await h.admin({ method: 'GET', url: `${fill(r.url)}?${q}` });
        if (res.statusCode >= 500 || (res.statusCode >= 400 && !codeOf(res)?.startsWith('LINLI_ERR_'))) {
          wrong.push(`${key(r)}?${q} → ${res.statusCode} ${res.body}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('issue 10: what a staff account could do', () => {
  it('cannot create an enrollment token for its own community nor revoke a device there', async () => {
    const tokens = tableCounts(h.repo).enrollment_tokens;
    const create = await staff({
      method: 'POST',
      url: API.enrollmentTokens,
      payload: { nodeId: communityId, role: 'kiosk' },
    });
    expect(create.statusCode).toBe(403);
    expect(create.json()).toEqual(forbidden('enrollment.create'));
    expect(tableCounts(h.repo).enrollment_tokens).toBe(tokens);

    const kiosk = new TestDevice();
    await kiosk.enroll(h.app, (await h.token(communityId, 'kiosk')).token, 'kiosk');
    const revoke = await staff({ method: 'POST', url: API.deviceRevoke(kiosk.id), payload: {} });
    expect(revoke.statusCode).toBe(403);
    expect(revoke.json()).toEqual(forbidden('devices.revoke'));
    expect((await h.repo.devices.get(kiosk.id))?.status).toBe('active');
    // Positive control: an admin can, so the 403 above is the role, not a broken request.
    const byAdmin = await h.admin({ method: 'POST', url: API.deviceRevoke(kiosk.id), payload: {} });
    expect(byAdmin.statusCode).toBe(200);
  });
});

describe('the device route table', () => {
  it('needs a device session on every device route except the session exchange and the channel', async () => {
    const device = routes.filter((r) => r.url.startsWith('/api/v1/device'));
    expect(device.length).toBeGreaterThan(15);
    expect(
      device
        .filter((r) => r.public === true)
        .map(key)
        .sort(),
    ).toEqual([
      `GET ${API.deviceChannel}`,
      `HEAD ${API.deviceChannel}`,
      `POST ${API.deviceChallenge}`,
      `POST ${API.deviceSession}`,
    ]);
    const wrong: string[] = [];
    for (const r of device.filter((x) => x.public !== true)) {
      const res = await h.app.inject(req(r));
      if (res.statusCode !== 401) wrong.push(`${key(r)} → ${res.statusCode}`);
    }
    expect(wrong).toEqual([]);
  });
});
