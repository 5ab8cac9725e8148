import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { ContentManifest } from '../../../../protocol/schemas/notice.js';
import { Matter, ServiceCatalogue, ServiceCategory } from '../../../../protocol/schemas/services.js';
import type {
  CategoryListResponse,
  MatterInput,
  MatterListResponse,
  MatterView,
  OfficeInput,
  OfficeView,
} from '../../../../protocol/schemas/services-admin.js';
import { CatalogueService } from '../../services/public-services/catalogue-service.js';
import { createHarness, type Harness, tableCounts } from '../../testing/harness.js';
import { type AdminInject, scopedAdmin } from '../../testing/scoped-admin.js';
import { officeBody } from '../../testing/service-fixtures.js';
import { TestDevice } from '../../testing/test-device.js';

let h: Harness;
let nodes: Awaited<ReturnType<Harness['sunshine']>>;
let other: Awaited<ReturnType<Harness['community']>>;
let streetAdmin: AdminInject;
let staff: AdminInject;
let kiosk: TestDevice;
let lobby: TestDevice;

const matterBody = (nodeId: string, patch: Partial<MatterInput> = {}): MatterInput => ({
  nodeId,
  categoryId: 'elderly',
  name: { zh: '重阳节慰问金申领', en: 'Double Ninth gift money' },
  legalBasis: { zh: '本区敬老慰问办法', en: 'District rules' },
  covers: { zh: '辖区70周岁以上老人', en: 'Residents aged 70+' },
  materials: [{ name: { zh: '居民身份证', en: 'ID card' }, copies: 1, original: true }],
  steps: [{ zh: '到社区服务站登记', en: 'Register at the office' }],
  timeLimit: { zh: '即时办结', en: 'On the spot' },
  fee: { zh: '免费', en: 'Free' },
  bookable: true,
  order: 5,
  ...patch,
});

async function manifestOf(d: TestDevice): Promise<{ manifest: ContentManifest; version: number }> {
  const device = (await h.repo.devices.get(d.id))!;
  const view = await h.app.services.tuf.view(device);
  const stored = (await h.repo.tufViews.manifest(view.manifestSha256))!;
  return { manifest: JSON.parse(stored.data.toString('utf8')), version: view.targetsVersion };
}

beforeAll(async () => {
  h = await createHarness();
  nodes = await h.sunshine();
  other = await h.community('远方');
  streetAdmin = await scopedAdmin(h, 'street-admin', 'admin', nodes.street.id);
  staff = await scopedAdmin(h, 'street-staff', 'staff', nodes.street.id);
  kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(nodes.community.id, 'kiosk')).token, 'kiosk');
  lobby = new TestDevice();
  await lobby.enroll(h.app, (await h.token(nodes.community.id, 'lobby')).token, 'lobby');
});
afterAll(() => h.close());

describe('first-start seed', () => {
  it('seeds the categories and at least 10 city matters that fit the schema, with pinyin initials', async () => {
    const cats = (
      await h.admin({ method: 'GET', url: API.adminServiceCategories })
    ).json() as CategoryListResponse;
    for (const c of cats.categories) {
      const { matters: _m, updatedAt: _u, ...category } = c;
      expect(Value.Errors(ServiceCategory, category).First()).toBeUndefined();
    }
    expect(cats.categories.map((c) => c.id)).toEqual([
      'elderly',
      'social-assistance',
      'household',
      'employment',
      'health',
      'family',
      'disability',
    ]);
    const res = await h.admin({ method: 'GET', url: API.adminMatters });
    const { matters } = res.json() as MatterListResponse;
    expect(matters.length).toBeGreaterThanOrEqual(10);
    for (const m of matters) {
      const { nodeId: _n, createdAt: _c, updatedAt: _u, updatedBy: _b, ...matter } = m;
      expect(Value.Errors(Matter, matter).First()).toBeUndefined();
      expect(m.legalBasis.zh).toMatch(/《.+》/);
      expect(m.name.en).toBeTruthy();
    }
    const senior = matters.find((m) => m.name.zh === '老年人优待证办理')!;
    expect(senior.initials).toBe('LNRYDZBL');
    expect(senior.materials.map((x) => x.name.zh)).toContain('居民身份证');
    expect(senior.materials.find((x) => x.name.zh === '居民身份证')).toMatchObject({
      copies: 1,
      original: true,
    });
    expect(senior.legalBasis.zh).toContain('《中华人民共和国老年人权益保障法》');
  });
});

describe('categories', () => {
  it('lets only a city admin create, edit and delete; refuses deleting one in use', async () => {
    const body = {
      id: 'veterans',
      name: { zh: '退役军人服务', en: 'Veterans' },
      icon: 'veterans',
      order: 80,
    };
    const refused = await streetAdmin({ method: 'POST', url: API.adminServiceCategories, payload: body });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe(ErrorCode.SCOPE);
    const created = await h.admin({ method: 'POST', url: API.adminServiceCategories, payload: body });
    expect(created.statusCode).toBe(201);
    const dup = await h.admin({ method: 'POST', url: API.adminServiceCategories, payload: body });
    expect(dup.json().error).toMatchObject({ code: ErrorCode.CONFLICT, details: { field: 'body/id' } });
    const edited = await h.admin({
      method: 'PUT',
      url: API.adminServiceCategory('veterans'),
      payload: { name: { zh: '退役军人事务' }, icon: 'veterans', order: 81 },
    });
    expect(edited.json()).toMatchObject({ name: { zh: '退役军人事务' }, order: 81, matters: 0 });
    const one = await streetAdmin({ method: 'GET', url: API.adminServiceCategory('elderly') });
    expect(one.json()).toMatchObject({ id: 'elderly', matters: 2 });
    const inUse = await h.admin({ method: 'DELETE', url: API.adminServiceCategory('elderly') });
    expect(inUse.json().error.code).toBe(ErrorCode.CONFLICT);
    const del = await h.admin({ method: 'DELETE', url: API.adminServiceCategory('veterans') });
    expect(del.statusCode).toBe(204);
    const gone = await h.admin({ method: 'DELETE', url: API.adminServiceCategory('veterans') });
    expect(gone.json().error.code).toBe(ErrorCode.CATEGORY_NOT_FOUND);
    const badId = await h.admin({
      method: 'POST',
      url: API.adminServiceCategories,
      payload: { ...body, id: 'Bad Id' },
    });
    expect(badId.json().error).toMatchObject({ code: ErrorCode.BAD_REQUEST, details: { field: 'body/id' } });
  });
});

describe('offices', () => {
  let office: OfficeView;
  it('creates a community office with normalised slot rules, and audits it', async () => {
    const res = await streetAdmin({
      method: 'POST',
      url: API.adminOffices,
      payload: officeBody(nodes.community.id),
    });
    expect(res.statusCode).toBe(201);
    office = res.json() as OfficeView;
    expect(office.id).toMatch(/^ofc_/);
    expect(office.slots.weekdays).toEqual([1, 2, 3, 4, 5]);
    expect(office.slots.windows.map((w) => w.start)).toEqual(['09:00', '14:00']);
    expect(await h.repo.services.listAudit('office', office.id)).toMatchObject([{ action: 'create' }]);
  });

  it('refuses bad slot rules with a code naming the field, and changes nothing', async () => {
    const before = tableCounts(h.repo);
    const cases: Array<[Partial<OfficeInput>, string, string]> = [
      [
        { slots: { ...officeBody('').slots, windows: [{ start: '12:00', end: '09:00' }] } },
        ErrorCode.BAD_REQUEST,
        'body/slots/windows/0/end',
      ],
      [
        {
          slots: {
            ...officeBody('').slots,
            windows: [
              { start: '09:00', end: '12:00' },
              { start: '11:00', end: '13:00' },
            ],
          },
        },
        ErrorCode.BAD_REQUEST,
        'body/slots/windows/1',
      ],
      [
        { slots: { ...officeBody('').slots, windows: [{ start: '09:00', end: '09:20' }] } },
        ErrorCode.BAD_REQUEST,
        'body/slots/windows/0',
      ],
      [
        { slots: { ...officeBody('').slots, closedDates: ['2026-02-30'] } },
        ErrorCode.BAD_REQUEST,
        'body/slots/closedDates/0',
      ],
      [
        { slots: { ...officeBody('').slots, capacityPerSlot: 0 } },
        ErrorCode.BAD_REQUEST,
        'body/slots/capacityPerSlot',
      ],
      [{ timezone: 'Mars/Olympus' }, ErrorCode.BAD_REQUEST, 'body/timezone'],
      [{ nodeId: nodes.street.id }, ErrorCode.NODE_LEVEL, 'body/nodeId'],
      [{ nodeId: other.community.id }, ErrorCode.NODE_NOT_FOUND, 'body/nodeId'],
    ];
    for (const [patch, code, field] of cases) {
      const res = await streetAdmin({
        method: 'POST',
        url: API.adminOffices,
        payload: officeBody(nodes.community.id, patch),
      });
      expect(res.json().error, JSON.stringify(patch)).toMatchObject({ code, details: { field } });
    }
    expect(tableCounts(h.repo)).toEqual(before);
  });

  it('lists offices by scope and hides other branches', async () => {
    await h.admin({ method: 'POST', url: API.adminOffices, payload: officeBody(other.community.id) });
    const mine = (await streetAdmin({ method: 'GET', url: API.adminOffices })).json() as {
      offices: OfficeView[];
    };
    expect(mine.offices.map((o) => o.id)).toEqual([office.id]);
    const all = (await h.admin({ method: 'GET', url: API.adminOffices })).json() as { offices: OfficeView[] };
    expect(all.offices).toHaveLength(2);
    const foreign = all.offices.find((o) => o.nodeId === other.community.id)!;
    const res = await streetAdmin({
      method: 'PUT',
      url: API.adminOffice(foreign.id),
      payload: officeBody(nodes.community.id),
    });
    expect(res.json().error.code).toBe(ErrorCode.OFFICE_NOT_FOUND);
    const del = await streetAdmin({ method: 'DELETE', url: API.adminOffice(foreign.id) });
    expect(del.json().error.code).toBe(ErrorCode.OFFICE_NOT_FOUND);
  });
});

describe('matters', () => {
  let created: MatterView;
  it('creates a matter in scope with computed initials; staff and other branches are refused', async () => {
    const res = await streetAdmin({
      method: 'POST',
      url: API.adminMatters,
      payload: matterBody(nodes.street.id),
    });
    expect(res.statusCode).toBe(201);
    created = res.json() as MatterView;
    expect(created.initials).toBe('CYJWWJSL');
    const byStaff = await staff({
      method: 'POST',
      url: API.adminMatters,
      payload: matterBody(nodes.street.id),
    });
    expect(byStaff.json().error.code).toBe(ErrorCode.FORBIDDEN);
    const outside = await streetAdmin({
      method: 'POST',
      url: API.adminMatters,
      payload: matterBody(other.street.id),
    });
    expect(outside.json().error).toMatchObject({
      code: ErrorCode.NODE_NOT_FOUND,
      details: { field: 'body/nodeId' },
    });
    const cityLevel = await streetAdmin({
      method: 'POST',
      url: API.adminMatters,
      payload: matterBody(nodes.district.id),
    });
    expect(cityLevel.json().error.code).toBe(ErrorCode.NODE_NOT_FOUND);
    const seeded = (await h.admin({ method: 'GET', url: API.adminMatters })).json() as MatterListResponse;
    const cityMatter = seeded.matters.find((m) => m.nodeId !== nodes.street.id)!;
    const editCity = await streetAdmin({
      method: 'PUT',
      url: API.adminMatter(cityMatter.id),
      payload: matterBody(nodes.street.id),
    });
    expect(editCity.json().error.code).toBe(ErrorCode.MATTER_NOT_FOUND);
    const mine = (await streetAdmin({ method: 'GET', url: API.adminMatters })).json() as MatterListResponse;
    expect(mine.matters.map((m) => m.id)).toEqual([created.id]);
  });

  it('refuses invalid matters with precise coded errors', async () => {
    const before = tableCounts(h.repo);
    const cases: Array<[Partial<MatterInput>, string, string]> = [
      [{ categoryId: 'nope' }, ErrorCode.CATEGORY_NOT_FOUND, 'body/categoryId'],
      [{ name: { zh: '   ' } }, ErrorCode.BAD_REQUEST, 'body/name/zh'],
      [{ name: { zh: '——' } }, ErrorCode.BAD_REQUEST, 'body/name/zh'],
      [{ steps: [] }, ErrorCode.BAD_REQUEST, 'body/steps'],
      [
        {
          materials: [
            { name: { zh: '身份证' }, copies: 1, original: true },
            { name: { zh: '身份证 ' }, copies: 2, original: false },
          ],
        },
        ErrorCode.BAD_REQUEST,
        'body/materials/1/name',
      ],
      [
        { materials: [{ name: { zh: '照片' }, copies: 0, original: false }] },
        ErrorCode.BAD_REQUEST,
        'body/materials/0/copies',
      ],
      [{ officeId: 'ofc_00000000000000000000000000' }, ErrorCode.OFFICE_NOT_FOUND, 'body/officeId'],
    ];
    for (const [patch, code, field] of cases) {
      const res = await streetAdmin({
        method: 'POST',
        url: API.adminMatters,
        payload: matterBody(nodes.street.id, patch),
      });
      expect(res.json().error, JSON.stringify(patch)).toMatchObject({ code, details: { field } });
    }
    const foreign = (
      await h.admin({ method: 'GET', url: API.adminOffices, query: { nodeId: other.community.id } })
    ).json().offices[0] as OfficeView;
    const wrongBranch = await streetAdmin({
      method: 'POST',
      url: API.adminMatters,
      payload: matterBody(nodes.street.id, { officeId: foreign.id }),
    });
    // An office outside the admin's scope answers like an unknown one (issue 10: no existence leak).
    expect(wrongBranch.json().error).toMatchObject({
      code: ErrorCode.OFFICE_NOT_FOUND,
      details: { field: 'body/officeId' },
    });
    expect(tableCounts(h.repo)).toEqual(before);
  });

  it('delivers services to kiosks only, and an edit re-signs the kiosk view while no change signs nothing', async () => {
    const k1 = await manifestOf(kiosk);
    expect(Value.Errors(ServiceCatalogue, k1.manifest.services).First()).toBeUndefined();
    const svc = k1.manifest.services!;
    expect(svc.matters.map((m) => m.id)).toContain(created.id);
    expect(svc.offices[0]!.nodeId).toBe(nodes.community.id);
    expect(svc.categories.map((c) => c.id)).toEqual([...new Set(svc.categories.map((c) => c.id))]);
    expect(svc.categories.every((c) => svc.matters.some((m) => m.categoryId === c.id))).toBe(true);
    const orders = svc.matters.map((m) => m.order);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    expect((await manifestOf(lobby)).manifest.services).toBeUndefined();

    const again = await manifestOf(kiosk);
    expect(again.version).toBe(k1.version);

    h.clock.advance(1000);
    const edit = await streetAdmin({
      method: 'PUT',
      url: API.adminMatter(created.id),
      payload: matterBody(nodes.street.id, { timeLimit: { zh: '3个工作日', en: '3 working days' } }),
    });
    expect(edit.statusCode).toBe(200);
    const k2 = await manifestOf(kiosk);
    expect(k2.version).toBe(k1.version + 1);
    expect(k2.manifest.services!.matters.find((m) => m.id === created.id)!.timeLimit.zh).toBe('3个工作日');
    expect(Date.parse(k2.manifest.services!.updatedAt)).toBeGreaterThan(Date.parse(svc.updatedAt));
    expect(await h.repo.services.listAudit('matter', created.id)).toMatchObject([
      { action: 'create' },
      { action: 'update' },
    ]);

    const del = await streetAdmin({ method: 'DELETE', url: API.adminMatter(created.id) });
    expect(del.statusCode).toBe(204);
    const k3 = await manifestOf(kiosk);
    expect(k3.manifest.services!.matters.map((m) => m.id)).not.toContain(created.id);
  });

  it('a kiosk in another branch does not get this branch’s matters or office', async () => {
    const far = new TestDevice();
    await far.enroll(h.app, (await h.token(other.community.id, 'kiosk')).token, 'kiosk');
    const local = await streetAdmin({
      method: 'POST',
      url: API.adminMatters,
      payload: matterBody(nodes.street.id),
    });
    const m = (await manifestOf(far)).manifest.services!;
    expect(m.matters.map((x) => x.id)).not.toContain((local.json() as MatterView).id);
    expect(m.offices[0]!.nodeId).toBe(other.community.id);
  });
});

describe('delivery to devices', () => {
  it('tells the kiosks under a changed matter to sync, and lists the offices a matter names', async () => {
    const sent: Array<{ ids: string[]; message: unknown }> = [];
    const notifier = {
      notify: (ids: Iterable<string>, message: unknown) => {
        sent.push({ ids: [...ids], message });
        return 0;
      },
      isOnline: () => false,
      lastSeen: () => undefined,
      disconnect: () => {},
    };
    const catalogue = new CatalogueService({
      repo: h.repo,
      hierarchy: h.app.services.hierarchy,
      notifier,
      now: h.clock.now,
    });
    const admin = (await h.repo.admins.findByUsername('admin'))!;
    const principal = { admin, node: (await h.repo.nodes.get(admin.nodeId))! };
    const neighbourOffice = await catalogue.createOffice(principal, officeBody(nodes.neighbour.id));
    const m = await catalogue.createMatter(
      principal,
      matterBody(nodes.street.id, { officeId: neighbourOffice.id }),
    );
    const last = sent.at(-1)!;
    expect(last.message).toMatchObject({ type: 'sync', topic: 'content' });
    expect(last.ids).toContain(kiosk.id);
    expect(last.ids).not.toContain(lobby.id);
    const services = (await manifestOf(kiosk)).manifest.services!;
    expect(services.offices.map((o) => o.nodeId)).toEqual([nodes.community.id, nodes.neighbour.id]);
    expect(services.matters.find((x) => x.id === m.id)!.officeId).toBe(neighbourOffice.id);
    const inUse = await h.admin({ method: 'DELETE', url: API.adminOffice(neighbourOffice.id) });
    expect(inUse.json().error.code).toBe(ErrorCode.CONFLICT);
  });
});
