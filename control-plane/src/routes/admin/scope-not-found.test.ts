import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { newId } from '../../../../protocol/ids.js';
import type { NodeView } from '../../../../protocol/schemas/admin.js';
import type { CardView } from '../../../../protocol/schemas/card.js';
import type { NoticeActionResponse } from '../../../../protocol/schemas/notice-admin.js';
import type { SlipResponse } from '../../../../protocol/schemas/services.js';
import type { MatterListResponse, OfficeView } from '../../../../protocol/schemas/services-admin.js';
import { createHarness, type Harness, TestClock } from '../../testing/harness.js';
import { KioskFlow } from '../../testing/kiosk-flow.js';
import { type AdminInject, scopedAdmin } from '../../testing/scoped-admin.js';
import { officeBody } from '../../testing/service-fixtures.js';
import { TestDevice } from '../../testing/test-device.js';

/**
 * Issue 10, security 5: an admin of community A asking for community B's objects must get exactly what it
 * gets for an id that does not exist: the same status, code and message (the id aside), and no trace of B.
 */
let h: Harness;
/** Routes seen as the app registers them: every admin route with an :id must have a case below. */
const registered: string[] = [];
let adminA: AdminInject;
let a: NodeView;
let b: NodeView;
const theirs: Record<string, string> = {};

const noticeBody = (nodeId: string) => ({
  title: { zh: '停水通知' },
  body: { zh: '周三停水。' },
  targets: { nodeIds: [nodeId] },
});

/** A valid matter at A, naming an office (its own when omitted). */
const matterBody = (officeId?: string) => ({
  nodeId: a.id,
  categoryId: 'elderly',
  name: { zh: '慰问金申领', en: 'Gift money' },
  legalBasis: { zh: '办法', en: 'Rules' },
  covers: { zh: '老人', en: 'Elderly' },
  materials: [{ name: { zh: '居民身份证', en: 'ID card' }, copies: 1, original: true }],
  steps: [{ zh: '到社区服务站登记', en: 'Register at the office' }],
  timeLimit: { zh: '即时', en: 'At once' },
  fee: { zh: '免费', en: 'Free' },
  bookable: true,
  order: 5,
  ...(officeId ? { officeId } : {}),
});

beforeAll(async () => {
  // Monday 2026-11-30, 08:00 in Shanghai: the office books today.
  const clock = new TestClock();
  clock.current = Date.parse('2026-11-30T00:00:00.000Z');
  h = await createHarness({
    clock,
    onRoute: (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') registered.push(`${m} ${r.url}`);
    },
  });
  ({ community: a, neighbour: b } = await h.sunshine());
  adminA = await scopedAdmin(h, 'a.admin', 'admin', a.id);
  const made = async (res: Promise<{ statusCode: number; body: string; json(): unknown }>) => {
    const r = await res;
    if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
    return r.json();
  };
  theirs.node = b.id;
  theirs.notice = (
    (await made(
      h.admin({ method: 'POST', url: API.notices, payload: noticeBody(b.id) }),
    )) as NoticeActionResponse
  ).notice.id;
  theirs.token = (await h.token(b.id, 'kiosk')).id;
  const screen = new TestDevice();
  await screen.enroll(h.app, (await h.token(b.id, 'lobby')).token, 'lobby');
  theirs.device = screen.id;
  // A health alert of B's screen (issue 12).
  theirs.alert = (
    await h.repo.alerts.open({
      id: newId('alr'),
      rule: 'device-offline',
      subject: screen.id,
      nodeId: b.id,
      deviceId: screen.id,
      severity: 'critical',
      state: 'open',
      detail: {},
      openedAt: h.clock.now(),
      ackedAt: null,
      ackedBy: null,
      resolvedAt: null,
      resolvedBy: null,
    })
  ).alert.id;
  theirs.command = (
    (await made(
      h.admin({ method: 'POST', url: API.deviceCommands(screen.id), payload: { op: 'identify' } }),
    )) as { id: string }
  ).id;
  theirs.office = (
    (await made(h.admin({ method: 'POST', url: API.adminOffices, payload: officeBody(b.id) }))) as OfficeView
  ).id;
  theirs.card = (
    (await made(
      h.admin({
        method: 'POST',
        url: API.cards,
        payload: {
          nodeId: b.id,
          cardUid: 'CAFEBABE',
          accounts: [{ billerId: 'water', account: '1001000006' }],
        },
      }),
    )) as CardView
  ).id;
  // The seeded city-wide matters are owned above community A: outside its admin's subtree too.
  const { matters } = (await h.admin({ method: 'GET', url: API.adminMatters })).json() as MatterListResponse;
  theirs.matter = matters.find((m) => m.nodeId !== a.id)!.id;
  // A resident of B pays a bill and books an appointment at B's kiosk.
  const kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(b.id, 'kiosk')).token, 'kiosk');
  const flow = new KioskFlow(h, kiosk);
  const paid = await flow.pay('water', '1001000006');
  await flow.step(paid.payment.payload.id, 'close');
  theirs.payment = paid.payment.payload.id;
  const bookable = matters.find((m) => m.name.zh === '老年人优待证办理')!.id;
  const slip = await kiosk.call(h.app, {
    method: 'POST',
    url: API.deviceAppointments,
    headers: { 'idempotency-key': 'scope-test-booking-0001' },
    payload: { matterId: bookable, slotStart: '2026-11-30T01:00:00.000Z' },
  });
  if (slip.statusCode !== 201) throw new Error(`book: ${slip.statusCode} ${slip.body}`);
  theirs.appointment = ((slip.json() as SlipResponse).envelope as { payload: { id: string } }).payload.id;
  theirs.webhook = (
    (await made(
      h.admin({
        method: 'POST',
        url: API.nodeWebhooks(b.id),
        payload: { url: 'https://pager.example.org/b', events: ['alert.opened'] },
      }),
    )) as { id: string }
  ).id;
});
afterAll(() => h.close());

type Case = [
  kind: keyof typeof theirs | string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: (id: string) => string,
  body?: (id: string) => object,
  headers?: Record<string, string>,
];

const CASES: Case[] = [
  ['notice', 'GET', (id) => API.notice(id)],
  ['notice', 'PUT', (id) => API.notice(id), () => ({ ...noticeBody(a.id), revision: 1 })],
  ['notice', 'POST', (id) => API.noticeAction(id, 'submit'), () => ({})],
  ['notice', 'POST', (id) => API.noticeAction(id, 'approve'), () => ({ revision: 1 })],
  ['notice', 'POST', (id) => API.noticeAction(id, 'reject'), () => ({ reason: 'x' })],
  ['notice', 'POST', (id) => API.noticeAction(id, 'withdraw'), () => ({ reason: 'x' })],
  ['notice', 'POST', (id) => API.noticeAction(id, 'emergency'), () => ({})],
  ['notice', 'POST', (id) => API.noticeAction(id, 'renew'), () => ({})],
  ['notice', 'GET', (id) => API.noticePlays(id)],
  ['notice', 'GET', (id) => `${API.noticeAudit}?noticeId=${id}`],
  ['device', 'POST', (id) => API.deviceRevoke(id), () => ({})],
  ['device', 'GET', (id) => API.devicePlays(id)],
  ['device', 'GET', (id) => API.device(id)],
  ['device', 'GET', (id) => API.deviceSessions(id)],
  ['device', 'POST', (id) => API.deviceScreenshot(id), () => ({})],
  ['device', 'GET', (id) => API.deviceConfigAdmin(id)],
  ['device', 'PUT', (id) => API.deviceConfigAdmin(id), () => ({ 'screen.orientation': 'portrait' })],
  ['node', 'GET', (id) => API.nodeConfig(id)],
  ['node', 'PUT', (id) => API.nodeConfig(id), () => ({ 'log.level': 'debug' })],
  ['device', 'GET', (id) => API.deviceHealth(id)],
  ['alert', 'POST', (id) => API.alertAcknowledge(id), () => ({})],
  ['node', 'GET', (id) => `${API.alerts}?nodeId=${id}`],
  ['device', 'POST', (id) => API.deviceCommands(id), () => ({ op: 'identify' })],
  ['device', 'GET', (id) => API.deviceCommands(id)],
  ['command', 'GET', (id) => API.command(id)],
  ['token', 'POST', (id) => API.enrollmentTokenRevoke(id), () => ({})],
  ['card', 'POST', (id) => API.cardRevoke(id), () => ({})],
  ['payment', 'GET', (id) => API.adminPayment(id)],
  ['payment', 'POST', (id) => API.adminPaymentReprint(id), () => ({})],
  [
    'payment',
    'POST',
    (id) => API.adminPaymentRefunds(id),
    () => ({ amountFen: 100, reason: 'x' }),
    { 'idempotency-key': 'scope-test-refund-0001' },
  ],
  ['appointment', 'POST', (id) => API.adminAppointmentCancel(id), () => ({ reason: 'x' })],
  ['office', 'GET', (id) => API.adminOffice(id)],
  ['office', 'PUT', (id) => API.adminOffice(id), () => officeBody(a.id)],
  ['office', 'DELETE', (id) => API.adminOffice(id)],
  ['office', 'GET', (id) => `${API.adminAppointments}?officeId=${id}&date=2026-12-08`],
  ['matter', 'GET', (id) => API.adminMatter(id)],
  ['matter', 'PUT', (id) => API.adminMatter(id), () => matterBody()],
  ['matter', 'DELETE', (id) => API.adminMatter(id)],
  ['node', 'POST', () => API.nodes, (id) => ({ parentId: id, name: 'x' })],
  ['node', 'GET', (id) => `${API.nodes}?parentId=${id}`],
  ['node', 'GET', (id) => `${API.devices}?nodeId=${id}`],
  ['node', 'GET', (id) => `${API.cards}?nodeId=${id}`],
  ['node', 'GET', (id) => `${API.adminOffices}?nodeId=${id}`],
  ['node', 'GET', (id) => `${API.adminMatters}?nodeId=${id}`],
  ['node', 'GET', (id) => `${API.adminPayments}?nodeId=${id}`],
  ['node', 'POST', () => API.enrollmentTokens, (id) => ({ nodeId: id, role: 'kiosk' })],
  ['node', 'POST', () => API.admins, (id) => ({ username: 'intruder', role: 'staff', nodeId: id })],
  ['node', 'POST', () => API.notices, (id) => noticeBody(id)],
  ['node', 'POST', () => API.adminOffices, (id) => officeBody(id)],
  ['office', 'POST', () => API.adminMatters, (id) => matterBody(id)],
  ['node', 'GET', (id) => API.nodeWebhooks(id)],
  [
    'node',
    'POST',
    (id) => API.nodeWebhooks(id),
    () => ({ url: 'https://x.example.org/', events: ['alert.opened'] }),
  ],
  ['webhook', 'GET', (id) => API.webhook(id)],
  ['webhook', 'PATCH', (id) => API.webhook(id), () => ({ enabled: false })],
  ['webhook', 'DELETE', (id) => API.webhook(id)],
  ['webhook', 'GET', (id) => API.webhookDeliveries(id)],
  ['webhook', 'POST', (id) => API.webhookTest(id), () => ({})],
  ['webhook', 'POST', (id) => API.webhookRotateSecret(id), () => ({})],
];

/** Admin routes that name an object by id but need no scope case: categories are city-wide, not owned. */
const UNSCOPED = ['/api/v1/admin/service-categories/:id'];

describe("an admin asking for another community's objects", () => {
  it('has a case for every admin route that names an object by id', () => {
    const pattern = (c: Case) =>
      `${c[1]} ${c[2]('ROUTEPARAMID').replace('ROUTEPARAMID', ':id').split('?')[0]}`;
    const covered = new Set(CASES.map(pattern));
    const byId = registered.filter((r) => r.includes('/api/v1/admin/') && r.includes(':id'));
    expect(byId.length).toBeGreaterThan(20);
    const left = byId.filter((r) => !covered.has(r) && !UNSCOPED.some((u) => r.endsWith(` ${u}`)));
    expect(left).toEqual([]);
  });

  it('gets exactly the answer an unknown id gets: 404, same code and message, no trace of the owner', async () => {
    const wrong: string[] = [];
    for (const [kind, method, url, body, headers] of CASES) {
      const real = theirs[kind]!;
      const fake = newId(real.split('_')[0]!);
      const ask = (id: string) =>
        adminA({ method, url: url(id), headers: headers ?? {}, ...(body ? { payload: body(id) } : {}) });
      const [mine, unknown] = [await ask(real), await ask(fake)];
      const label = `${method} ${url('<id>')} (${kind})`;
      // A community admin is refused an emergency bypass before any lookup: the same answer for both ids.
      const levelRuleFirst = url('x').endsWith('/emergency');
      if (mine.statusCode !== (levelRuleFirst ? 403 : 404))
        wrong.push(`${label}: ${mine.statusCode} ${mine.body}`);
      if (
        mine.statusCode !== unknown.statusCode ||
        mine.body.replaceAll(real, '<id>') !== unknown.body.replaceAll(fake, '<id>')
      ) {
        wrong.push(`${label}: ${mine.body} ≠ ${unknown.body}`);
      }
      if (mine.body.includes(b.id) && kind !== 'node') wrong.push(`${label} names B's node: ${mine.body}`);
      if (mine.body.includes(b.name)) wrong.push(`${label} names B: ${mine.body}`);
    }
    expect(wrong).toEqual([]);
  });

  it('still works inside its own community (positive control)', async () => {
    const own = await adminA({ method: 'POST', url: API.notices, payload: noticeBody(a.id) });
    expect(own.statusCode).toBe(201);
    const id = (own.json() as NoticeActionResponse).notice.id;
    expect((await adminA({ method: 'GET', url: API.notice(id) })).statusCode).toBe(200);
    expect((await adminA({ method: 'GET', url: `${API.devices}?nodeId=${a.id}` })).statusCode).toBe(200);
  });
});
