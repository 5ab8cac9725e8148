import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { Keyring, verifyEnvelope } from '../../../../protocol/envelope.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import {
  AppointmentSlip,
  type DaysResponse,
  type SlotsResponse,
} from '../../../../protocol/schemas/services.js';
import type {
  AppointmentListResponse,
  MatterListResponse,
  OfficeView,
} from '../../../../protocol/schemas/services-admin.js';
import { createHarness, type Harness, TestClock } from '../../testing/harness.js';
import { scopedAdmin } from '../../testing/scoped-admin.js';
import { officeBody } from '../../testing/service-fixtures.js';
import { TestDevice } from '../../testing/test-device.js';

// Monday 2026-11-30, 08:00 in Shanghai.
const MONDAY_8AM = Date.parse('2026-11-30T00:00:00.000Z');
const clock = new TestClock();
clock.current = MONDAY_8AM;

let h: Harness;
let kiosk: TestDevice;
let ring: Keyring;
let office: OfficeView;
let matterId: string;
let notBookableId: string;
let keyN = 0;
const newKey = () => `apt-test-key-${String(++keyN).padStart(6, '0')}`;

const book = (body: unknown, key: string | null = newKey(), device = kiosk) =>
  device.call(h.app, {
    method: 'POST',
    url: API.deviceAppointments,
    payload: body as object,
    headers: key ? { 'idempotency-key': key } : {},
  });
const slip = (env: unknown) =>
  verifyEnvelope<AppointmentSlip>(env, ring, { type: 'linli.appointment/v1', schema: AppointmentSlip });
const at = (local: string) => new Date(Date.parse(`${local}:00+08:00`)).toISOString();

beforeAll(async () => {
  h = await createHarness({ clock });
  const nodes = await h.sunshine();
  kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(nodes.community.id, 'kiosk')).token, 'kiosk');
  const t = h.app.keys.transaction;
  ring = new Keyring([{ kid: t.kid, uses: ['transaction'], publicKey: t.publicKey }]);
  const res = await h.admin({
    method: 'POST',
    url: API.adminOffices,
    payload: officeBody(nodes.community.id, {
      slots: { ...officeBody('').slots, closedDates: ['2026-12-02'] },
    }),
  });
  office = res.json() as OfficeView;
  const { matters } = (await h.admin({ method: 'GET', url: API.adminMatters })).json() as MatterListResponse;
  matterId = matters.find((m) => m.name.zh === '老年人优待证办理')!.id;
  notBookableId = matters.find((m) => !m.bookable)!.id;
});
afterAll(() => h.close());

describe('days and slots', () => {
  it('lists the next 7 days in the office timezone with free places; weekends and closed dates shut', async () => {
    const res = await kiosk.call(h.app, {
      method: 'GET',
      url: API.deviceAppointmentDays,
      query: { matterId },
    });
    expect(res.statusCode).toBe(200);
    const { office: o, days } = res.json() as DaysResponse;
    expect(o.id).toBe(office.id);
    expect(days.map((d) => [d.date, d.weekday, d.open, d.free])).toEqual([
      ['2026-11-30', 1, true, 39],
      ['2026-12-01', 2, true, 39],
      ['2026-12-02', 3, false, 0],
      ['2026-12-03', 4, true, 39],
      ['2026-12-04', 5, true, 39],
      ['2026-12-05', 6, false, 0],
      ['2026-12-06', 7, false, 0],
    ]);
  });

  it('lists the slots still to come with labels in local time', async () => {
    clock.current = Date.parse('2026-11-30T10:10:00+08:00');
    const res = await kiosk.call(h.app, {
      method: 'GET',
      url: API.deviceAppointmentSlots,
      query: { matterId, date: '2026-11-30' },
    });
    const { slots } = res.json() as SlotsResponse;
    expect(slots[0]).toEqual({
      start: at('2026-11-30T10:30'),
      end: at('2026-11-30T11:00'),
      label: '2026-11-30 10:30–11:00',
      free: 3,
      capacity: 3,
    });
    expect(slots).toHaveLength(10);
    expect(slots.at(-1)!.label).toBe('2026-11-30 17:00–17:30');
    clock.current = MONDAY_8AM;
    const closed = await kiosk.call(h.app, {
      method: 'GET',
      url: API.deviceAppointmentSlots,
      query: { matterId, date: '2026-12-05' },
    });
    expect(closed.json().error).toMatchObject({
      code: ErrorCode.SLOT_CLOSED,
      details: { field: 'querystring/date' },
    });
  });

  it('refuses a lobby screen, an unknown matter and a matter that is not booked by appointment', async () => {
    const lobby = new TestDevice();
    await lobby.enroll(h.app, (await h.token(office.nodeId, 'lobby')).token, 'lobby');
    const byLobby = await lobby.call(h.app, {
      method: 'GET',
      url: API.deviceAppointmentDays,
      query: { matterId },
    });
    expect(byLobby.json().error.code).toBe(ErrorCode.DEVICE_ROLE);
    const unknown = await kiosk.call(h.app, {
      method: 'GET',
      url: API.deviceAppointmentDays,
      query: { matterId: 'svc_00000000000000000000000000' },
    });
    expect(unknown.json().error.code).toBe(ErrorCode.MATTER_NOT_FOUND);
    const walkIn = await book({ matterId: notBookableId, slotStart: at('2026-11-30T09:00') });
    expect(walkIn.json().error.code).toBe(ErrorCode.SLOT_CLOSED);
  });
});

describe('booking', () => {
  it('books a slot and answers with a slip signed by the transaction key', async () => {
    const res = await book({ matterId, slotStart: at('2026-11-30T09:00') });
    expect(res.statusCode).toBe(201);
    const s = slip(res.json().envelope);
    expect(s).toMatchObject({
      number: 'A001',
      status: 'booked',
      matterId,
      matterName: { zh: '老年人优待证办理' },
      officeId: office.id,
      officePhone: '021-5555 0101',
      slotStart: at('2026-11-30T09:00'),
      slotEnd: at('2026-11-30T09:30'),
      slotLabel: '2026-11-30 09:00–09:30',
      deviceId: kiosk.id,
    });
    expect(s.code).toMatch(/^[0-9]{8}$/);
    expect(s.verifyUrl).toMatch(new RegExp(`^${h.config.publicUrl}/a/${s.id}\\?s=[A-Za-z0-9_-]{22}$`));
  });

  it('is idempotent: the same key gives the same slip, another body under it is refused', async () => {
    const key = newKey();
    const body = { matterId, slotStart: at('2026-11-30T09:30') };
    const first = await book(body, key);
    const second = await book(body, key);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    const other = await book({ ...body, slotStart: at('2026-11-30T10:00') }, key);
    expect(other.json().error).toMatchObject({ code: ErrorCode.IDEMPOTENCY_KEY_REUSED });
    const missing = await book(body, null);
    expect(missing.json().error.code).toBe(ErrorCode.IDEMPOTENCY_KEY_MISSING);
    expect(slip(first.json().envelope).number).toBe('A002');
  });

  it('answers a concurrent retry with the same key with the same slip, booking once', async () => {
    const key = newKey();
    const body = { matterId, slotStart: at('2026-12-04T16:00') };
    const [a, b] = await Promise.all([book(body, key), book(body, key)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 201]);
    expect(a.json()).toEqual(b.json());
    const n = h.repo.db
      .prepare('SELECT COUNT(*) AS n FROM appointments WHERE idempotency_key = ?')
      .get(key) as { n: number };
    expect(n.n).toBe(1);
  });

  it('never exceeds capacityPerSlot under concurrent requests', async () => {
    const slotStart = at('2026-12-01T14:00');
    const results = await Promise.all(Array.from({ length: 12 }, () => book({ matterId, slotStart })));
    const ok = results.filter((r) => r.statusCode === 201);
    const full = results.filter((r) => r.statusCode === 409);
    expect(ok).toHaveLength(3);
    expect(full).toHaveLength(9);
    for (const r of full) expect(r.json().error.code).toBe(ErrorCode.SLOT_FULL);
    const numbers = ok.map((r) => slip(r.json().envelope).number).sort();
    expect(numbers).toEqual(['A001', 'A002', 'A003']);
    const codes = new Set(ok.map((r) => slip(r.json().envelope).code));
    expect(codes.size).toBe(3);
    const stored = h.repo.db
      .prepare("SELECT COUNT(*) AS n FROM appointments WHERE slot_start = ? AND status = 'booked'")
      .get(Date.parse(slotStart)) as { n: number };
    expect(stored.n).toBe(3);
    const days = (
      await kiosk.call(h.app, { method: 'GET', url: API.deviceAppointmentDays, query: { matterId } })
    ).json().days as DaysResponse['days'];
    expect(days[1]!.free).toBe(36);
  });

  it('refuses slots that are past, off the grid, on a closed day or beyond the booking window', async () => {
    clock.current = Date.parse('2026-11-30T10:10:00+08:00');
    const cases = [
      at('2026-11-30T10:00'),
      at('2026-11-30T10:15'),
      at('2026-12-02T09:00'),
      at('2026-12-07T09:00'),
    ];
    for (const slotStart of cases) {
      const res = await book({ matterId, slotStart });
      expect(res.json().error, slotStart).toMatchObject({
        code: ErrorCode.SLOT_CLOSED,
        details: { field: 'body/slotStart' },
      });
    }
    clock.current = MONDAY_8AM;
  });
});

describe('lookup, cancel and the public page', () => {
  it('finds an appointment by code and by the scanned slip URL; a wrong tag finds nothing', async () => {
    const s = slip((await book({ matterId, slotStart: at('2026-12-03T09:00') })).json().envelope);
    const byCode = await kiosk.call(h.app, {
      method: 'POST',
      url: API.deviceAppointmentLookup,
      payload: { code: s.code },
    });
    expect(slip(byCode.json().envelope)).toEqual(s);
    const byUrl = await kiosk.call(h.app, {
      method: 'POST',
      url: API.deviceAppointmentLookup,
      payload: { code: s.verifyUrl },
    });
    expect(slip(byUrl.json().envelope).id).toBe(s.id);
    const forged = s.verifyUrl.replace(/s=.{4}/, 's=AAAA');
    for (const code of [forged, '00000000', 'not a code']) {
      const res = await kiosk.call(h.app, {
        method: 'POST',
        url: API.deviceAppointmentLookup,
        payload: { code },
      });
      expect(res.json().error.code, code).toBe(ErrorCode.APPOINTMENT_NOT_FOUND);
    }
  });

  it('cancels a booked future appointment once; the slot is free again; past ones are closed', async () => {
    const slotStart = at('2026-12-03T14:00');
    const s = slip((await book({ matterId, slotStart })).json().envelope);
    const res = await kiosk.call(h.app, {
      method: 'POST',
      url: API.deviceAppointmentCancel,
      payload: { code: s.code },
    });
    expect(res.statusCode).toBe(200);
    const canceled = slip(res.json().envelope);
    expect(canceled).toMatchObject({
      id: s.id,
      status: 'canceled',
      number: s.number,
      verifyUrl: s.verifyUrl,
    });
    expect(canceled.canceledAt).toBeDefined();
    const again = await kiosk.call(h.app, {
      method: 'POST',
      url: API.deviceAppointmentCancel,
      payload: { code: s.code },
    });
    expect(again.json().error.code).toBe(ErrorCode.APPOINTMENT_CLOSED);
    const slots = (
      await kiosk.call(h.app, {
        method: 'GET',
        url: API.deviceAppointmentSlots,
        query: { matterId, date: '2026-12-03' },
      })
    ).json() as SlotsResponse;
    expect(slots.slots.find((x) => x.start === slotStart)!.free).toBe(3);

    const past = slip((await book({ matterId, slotStart: at('2026-11-30T11:00') })).json().envelope);
    clock.current = Date.parse('2026-11-30T11:05:00+08:00');
    const late = await kiosk.call(h.app, {
      method: 'POST',
      url: API.deviceAppointmentCancel,
      payload: { code: past.code },
    });
    expect(late.json().error.code).toBe(ErrorCode.APPOINTMENT_CLOSED);
    clock.current = MONDAY_8AM;
  });

  it('the slip page says genuine with the number and status, and refuses a wrong tag', async () => {
    const s = slip((await book({ matterId, slotStart: at('2026-12-04T09:00') })).json().envelope);
    const url = new URL(s.verifyUrl);
    const page = await h.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('预约真实有效');
    expect(page.body).toContain(s.number);
    expect(page.body).toContain('老年人优待证办理');
    expect(page.body).toContain('2026-12-04 09:00–09:30');
    expect(page.body.indexOf('预约真实有效')).toBeLessThan(page.body.indexOf('This appointment is genuine'));
    const json = await h.app.inject({
      method: 'GET',
      url: `${url.pathname}${url.search}`,
      headers: { accept: 'application/json' },
    });
    expect(json.json()).toMatchObject({ valid: true, appointment: { id: s.id, status: 'booked' } });
    const wrong = await h.app.inject({ method: 'GET', url: `${url.pathname}?s=${'A'.repeat(22)}` });
    expect(wrong.body).toContain('预约单无效');
    expect(wrong.body).not.toContain(s.code);
    const none = await h.app.inject({
      method: 'GET',
      url: API.appointmentPage('apt_00000000000000000000000000'),
    });
    expect(none.statusCode).toBe(404);
  });
});

describe('admin', () => {
  it('lists an office day and cancels within scope only', async () => {
    const list = await h.admin({
      method: 'GET',
      url: API.adminAppointments,
      query: { officeId: office.id, date: '2026-12-01' },
    });
    const day = list.json() as AppointmentListResponse;
    expect(day.appointments.map((a) => a.number)).toEqual(['A001', 'A002', 'A003']);
    const far = await h.community('远方');
    const outsider = await scopedAdmin(h, 'far-admin', 'admin', far.street.id);
    const id = day.appointments[0]!.id;
    const refusedList = await outsider({
      method: 'GET',
      url: API.adminAppointments,
      query: { officeId: office.id, date: '2026-12-01' },
    });
    expect(refusedList.json().error.code).toBe(ErrorCode.OFFICE_NOT_FOUND);
    const refused = await outsider({ method: 'POST', url: API.adminAppointmentCancel(id), payload: {} });
    expect(refused.json().error.code).toBe(ErrorCode.APPOINTMENT_NOT_FOUND);
    const ok = await h.admin({
      method: 'POST',
      url: API.adminAppointmentCancel(id),
      payload: { reason: '居民来电取消' },
    });
    expect(ok.json()).toMatchObject({ id, status: 'canceled' });
    expect(await h.repo.services.listAudit('appointment', id)).toMatchObject([
      { action: 'create' },
      { action: 'cancel', detail: { reason: '居民来电取消' } },
    ]);
    const busy = await h.admin({ method: 'DELETE', url: API.adminOffice(office.id) });
    expect(busy.json().error.code).toBe(ErrorCode.CONFLICT);
  });
});
