/**
 * Issue #6 against the real control plane (in process, real HTTP): the catalogue arrives signed in the
 * kiosk's manifest, and the kiosk books, prints, looks up and cancels appointments with verified slips. A
 * fetch wrapper between the kiosk and the control plane plays the network: down, an answer lost after the
 * booking was made, a slip altered on the way.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../control-plane/src/testing/harness.js';
import { API } from '../../protocol/api.js';
import { ErrorCode } from '../../protocol/errors.js';
import { eventually } from '../../tests/helpers/processes.js';
import { parseDeviceConfig } from './config.js';
import { driverPeripherals } from './driver-peripherals.js';
import { enrollDevice } from './enrollment/enroll-device.js';
import { silentLogger } from './logger.js';
import { DeviceRuntime } from './runtime.js';
import type { AppointmentView, BookResult } from './services/appointment-desk.js';
import type { MatterSummary } from './services/service-catalogue.js';
import { stateLayout } from './state/state-layout.js';

let h: Harness;
let runtime: DeviceRuntime;
let kiosk = '';
let stateDir = '';
let matterId = '';
const PHONE = '0571-8888 6666';

/** What the network between kiosk and control plane does to appointment calls. */
const net: {
  down: boolean;
  /** Process the next booking, then lose its answer (the kiosk retries with the same key). */
  loseNextBookAnswer: boolean;
  /** Rewrite slips on the way to the kiosk. */
  tamper: boolean;
  bookKeys: string[];
} = { down: false, loseNextBookAnswer: false, tamper: false, bookKeys: [] };

const wrappedFetch: typeof fetch = async (input, init) => {
  const url = new URL(String(input instanceof Request ? input.url : input));
  if (!url.pathname.startsWith('/api/v1/device/appointments')) return fetch(input, init);
  if (net.down) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
  const isBook = url.pathname === API.deviceAppointments && init?.method === 'POST';
  if (isBook) net.bookKeys.push(((init?.headers ?? {}) as Record<string, string>)['idempotency-key'] ?? '');
  const res = await fetch(input, init);
  if (isBook && net.loseNextBookAnswer) {
    net.loseNextBookAnswer = false;
    await res.arrayBuffer();
    throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
  }
  if (net.tamper && res.ok) {
    const body = (await res.json()) as { envelope: { payload: { number: string } } };
    body.envelope.payload.number = 'Z999';
    return new Response(JSON.stringify(body), {
      status: res.status,
      headers: { 'content-type': 'application/json' },
    });
  }
  return res;
};

const post = (path: string, body: unknown) =>
  fetch(`${kiosk}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const get = (path: string) => fetch(`${kiosk}${path}`);
type Err = { error: { code: string; message: string; details?: { phone?: string } } };

async function admin<T>(method: 'POST' | 'PUT', url: string, payload: unknown): Promise<T> {
  const res = await h.admin({ method, url, payload: payload as Record<string, unknown> });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

beforeAll(async () => {
  h = await createHarness();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const address = h.app.server.address();
  const serverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { community } = await h.community('幸福里');

  // The control plane seeds the city-wide catalogue at first start (老年人优待证办理 among it, handled at the
  // community office); the community opens its office for appointments.
  await admin('POST', API.adminOffices, {
    nodeId: community.id,
    name: { zh: '幸福里社区党群服务中心', en: 'Xingfuli Community Service Centre' },
    address: { zh: '幸福路 88 号一楼', en: '1F, 88 Xingfu Road' },
    hours: { zh: '每天 8:00–20:00', en: 'Daily 8:00–20:00' },
    phone: PHONE,
    timezone: 'Asia/Shanghai',
    slots: {
      weekdays: [1, 2, 3, 4, 5, 6, 7],
      windows: [{ start: '08:00', end: '20:00' }],
      slotMinutes: 30,
      capacityPerSlot: 3,
      daysAhead: 7,
      closedDates: [],
    },
  });
  stateDir = join(await mkdtemp(join(tmpdir(), 'linli-kiosk-apt-')), 'state');
  const token = await h.token(community.id, 'kiosk');
  await enrollDevice({ serverUrl, token: token.token, stateDir, role: 'kiosk' });
  const config = parseDeviceConfig({
    port: 0,
    logLevel: 'silent',
    channel: { backoffBaseMs: 20, backoffCapMs: 200 },
    content: { pollIntervalMs: 1_000, pollIntervalOnlineMs: 1_000 },
    http: { retries: 2, retryBaseMs: 1 },
  });
  runtime = new DeviceRuntime({
    stateDir,
    config,
    peripherals: driverPeripherals(config),
    log: silentLogger,
    fetch: wrappedFetch,
  });
  kiosk = (await runtime.start()).url;
  const list = await eventually(
    async () => {
      const res = await get('/kiosk/api/services');
      return res.status === 200 ? ((await res.json()) as { matters: MatterSummary[] }) : undefined;
    },
    20_000,
    'the signed catalogue on the kiosk',
  );
  matterId = list.matters.find((m) => m.name.zh === '老年人优待证办理')!.id;
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  await h?.close();
});

/** The first free slot in the next days. */
async function freeSlot(): Promise<string> {
  const days = (await (await get(`/kiosk/api/appointments/days?matterId=${matterId}`)).json()) as {
    office: { phone: string };
    days: { date: string; open: boolean; free: number }[];
  };
  expect(days.office.phone).toBe(PHONE);
  expect(days.days.length).toBeGreaterThan(0);
  for (const d of days.days.filter((x) => x.open && x.free > 0)) {
    const res = await get(`/kiosk/api/appointments/slots?matterId=${matterId}&date=${d.date}`);
    const { slots } = (await res.json()) as { slots: { start: string; free: number; label: string }[] };
    const s = slots.find((x) => x.free > 0 && Date.parse(x.start) > Date.now() + 60_000);
    if (s) return s.start;
  }
  throw new Error('no free slot in the next days');
}

describe('appointments at the kiosk against the real control plane (issue #6)', () => {
  it('serves the catalogue the control plane signed: pinyin search and the matter with its office', async () => {
    const found = (await (await get('/kiosk/api/services?q=lnr')).json()) as { matters: MatterSummary[] };
    expect(found.matters.map((m) => [m.name.zh, m.initials])).toEqual([['老年人优待证办理', 'LNRYDZBL']]);
    const detail = (await (await get(`/kiosk/api/services/${matterId}`)).json()) as {
      materials: unknown[];
      office: { phone: string; name: { zh: string } };
    };
    expect(detail.materials.length).toBeGreaterThanOrEqual(3);
    expect(detail.office).toMatchObject({ phone: PHONE, name: { zh: '幸福里社区党群服务中心' } });
    const settings = (await (await get('/kiosk/api/settings')).json()) as { communityName: string };
    expect(settings.communityName).toBe('幸福里社区');
  });

  it('books a slot, verifies and prints the slip; looks it up by code and by scanned URL; cancels it', async () => {
    const slotStart = await freeSlot();
    const res = await post('/kiosk/api/appointments', { matterId, slotStart });
    expect(res.status).toBe(200);
    const booked = (await res.json()) as BookResult;
    expect(booked.printed).toBe(true);
    const a = booked.appointment;
    expect(a).toMatchObject({ status: 'booked', matterId, matterName: { zh: '老年人优待证办理' } });
    expect(a.number).toMatch(/^[A-Z][0-9]{3}$/);
    expect(a.code).toMatch(/^[0-9]{8}$/);
    expect(Date.parse(a.slotStart)).toBe(Date.parse(slotStart));
    expect(a.office.phone).toBe(PHONE);

    const bin = await eventually(() =>
      readFile(join(stateLayout(stateDir).printer, `slip-${a.id}.bin`)).catch(() => undefined),
    );
    expect(bin.includes(iconv.encode(a.number, 'gbk'))).toBe(true);
    expect(bin.includes(iconv.encode(a.code, 'gbk'))).toBe(true);
    expect(bin.includes(iconv.encode('老年人优待证办理', 'gbk'))).toBe(true);
    expect(bin.includes(iconv.encode('近期一寸免冠彩色照片', 'gbk'))).toBe(true);
    expect(bin.includes(Buffer.from(a.verifyUrl, 'latin1'))).toBe(true);

    const qr = await get(a.qrImageUrl);
    expect(qr.headers.get('content-type')).toContain('image/svg+xml');
    expect(await qr.text()).toContain('<svg');

    const byCode = (await (
      await post('/kiosk/api/appointments/lookup', { code: a.code })
    ).json()) as AppointmentView;
    expect(byCode).toMatchObject({ id: a.id, status: 'booked' });
    const spaced = `${a.code.slice(0, 4)} ${a.code.slice(4)}`;
    expect(
      ((await (await post('/kiosk/api/appointments/lookup', { code: spaced })).json()) as AppointmentView).id,
    ).toBe(a.id);
    const byUrl = (await (
      await post('/kiosk/api/appointments/lookup', { code: a.verifyUrl })
    ).json()) as AppointmentView;
    expect(byUrl.id).toBe(a.id);

    const canceled = await post('/kiosk/api/appointments/cancel', { code: a.code });
    expect(canceled.status).toBe(200);
    expect(((await canceled.json()) as AppointmentView).status).toBe('canceled');
    const again = await post('/kiosk/api/appointments/cancel', { code: a.code });
    expect([409, 200]).toContain(again.status);
    if (again.status === 409)
      expect(((await again.json()) as Err).error.code).toBe(ErrorCode.APPOINTMENT_CLOSED);

    const bad = await post('/kiosk/api/appointments/lookup', { code: '12ab' });
    expect(bad.status).toBe(400);
    const none = await post('/kiosk/api/appointments/lookup', { code: '00000000' });
    expect(((await none.json()) as Err).error.code).toBe(ErrorCode.APPOINTMENT_NOT_FOUND);
  });

  it('books once when the answer is lost: the retry carries the same idempotency key', async () => {
    const slotStart = await freeSlot();
    net.bookKeys = [];
    net.loseNextBookAnswer = true;
    const res = await post('/kiosk/api/appointments', { matterId, slotStart });
    expect(res.status).toBe(200);
    const { appointment } = (await res.json()) as BookResult;
    expect(net.bookKeys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(net.bookKeys).size).toBe(1);
    const rows = h.repo.db
      .prepare("SELECT COUNT(*) AS n FROM appointments WHERE status = 'booked' AND slot_start = ?")
      .get(Date.parse(slotStart)) as { n: number };
    const byKey = h.repo.db
      .prepare('SELECT id FROM appointments WHERE idempotency_key = ?')
      .all(net.bookKeys[0]) as { id: string }[];
    expect(byKey.map((r) => r.id)).toEqual([appointment.id]);
    expect(rows.n).toBe(1);
    await post('/kiosk/api/appointments/cancel', { code: appointment.code });
  });

  it('paper out does not undo the booking: printed false, the QR on screen', async () => {
    const slotStart = await freeSlot();
    await post('/kiosk/api/sim/printer', { paper: 'out' });
    try {
      const res = await post('/kiosk/api/appointments', { matterId, slotStart });
      expect(res.status).toBe(200);
      const r = (await res.json()) as BookResult;
      expect(r.printed).toBe(false);
      expect(r.printError?.code).toBeTruthy();
      expect(r.appointment.status).toBe('booked');
      const looked = (await (
        await post('/kiosk/api/appointments/lookup', { code: r.appointment.code })
      ).json()) as AppointmentView;
      expect(looked.status).toBe('booked');
      expect((await get(r.appointment.qrImageUrl)).status).toBe(200);
      await post('/kiosk/api/appointments/cancel', { code: r.appointment.code });
    } finally {
      await post('/kiosk/api/sim/printer', { paper: 'ok' });
    }
  });

  it('offline: a clear 503 with the office phone; a tampered slip is refused', async () => {
    net.down = true;
    try {
      for (const res of [
        await get(`/kiosk/api/appointments/days?matterId=${matterId}`),
        await post('/kiosk/api/appointments', {
          matterId,
          slotStart: new Date(Date.now() + 86_400_000).toISOString(),
        }),
        await post('/kiosk/api/appointments/lookup', { code: '12345678' }),
      ]) {
        expect(res.status).toBe(503);
        const e = (await res.json()) as Err;
        expect(e.error.code).toBe(ErrorCode.UNAVAILABLE);
        expect(e.error.details?.phone).toBe(PHONE);
        expect(e.error.message).toContain(PHONE);
      }
    } finally {
      net.down = false;
    }

    const slotStart = await freeSlot();
    const { appointment } = (await (
      await post('/kiosk/api/appointments', { matterId, slotStart })
    ).json()) as BookResult;
    net.tamper = true;
    try {
      const res = await post('/kiosk/api/appointments/lookup', { code: appointment.code });
      expect(res.status).toBe(400);
      expect(((await res.json()) as Err).error.code).toBe(ErrorCode.SIGNATURE_INVALID);
    } finally {
      net.tamper = false;
    }
    await post('/kiosk/api/appointments/cancel', { code: appointment.code });
  });
});
