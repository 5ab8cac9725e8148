import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { newId } from '../../../../protocol/ids.js';
import type { NodeView } from '../../../../protocol/schemas/admin.js';
import type { AlertView, DeviceHealthResponse } from '../../../../protocol/schemas/alerts-admin.js';
import type { DeviceHealth } from '../../../../protocol/schemas/device-health.js';
import type { AlertRecord, AlertState } from '../../storage/health-repository.js';
import { openChannel } from '../../testing/channel-client.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { type AdminInject, scopedAdmin } from '../../testing/scoped-admin.js';
import { TestDevice } from '../../testing/test-device.js';

let h: Harness;
let url: string;
let a: NodeView;
let b: NodeView;
let adminA: AdminInject;
let staffA: AdminInject;
const kioskA = new TestDevice();
const kioskB = new TestDevice();
const transitions: [string, AlertState | null, AlertState][] = [];

const health = (over: Partial<DeviceHealth> = {}): DeviceHealth => ({
  type: 'health',
  at: new Date().toISOString(),
  runtimeVersion: '0.12.0',
  uptimeSec: 60,
  peripherals: {
    printer: { present: true, online: true, paper: 'ok', coverOpen: false },
    terminal: { present: true, reachable: true },
  },
  diskFreeBytes: 5_000_000_000,
  diskTotalBytes: 16_000_000_000,
  clockSkewMs: 120,
  unknownPayments: 0,
  ...over,
});
const paperOut = health({
  peripherals: {
    printer: { present: true, online: true, paper: 'out', coverOpen: false },
    terminal: { present: true, reachable: true },
  },
});

beforeAll(async () => {
  h = await createHarness();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const address = h.app.server.address();
  url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}${API.deviceChannel}`;
  ({ community: a, neighbour: b } = await h.sunshine());
  adminA = await scopedAdmin(h, 'a.admin', 'admin', a.id);
  staffA = await scopedAdmin(h, 'a.staff', 'staff', a.id);
  await kioskA.enroll(h.app, (await h.token(a.id, 'kiosk')).token, 'kiosk');
  await kioskB.enroll(h.app, (await h.token(b.id, 'kiosk')).token, 'kiosk');
  h.app.alerts.on('transition', (alert, from, to) => transitions.push([alert.rule, from, to]));
});
afterAll(() => h.close());

const list = async (as: AdminInject, query = '') => {
  const res = await as({ method: 'GET', url: `${API.alerts}${query}` });
  return { status: res.statusCode, alerts: (res.json() as { alerts?: AlertView[] }).alerts ?? [], res };
};

describe('health over the channel and the alert routes', () => {
  it('stores a health report sent on the channel, ignores a malformed one, and opens an alert from it', async () => {
    const ch = await openChannel(url, kioskA);
    try {
      ch.ws.send(JSON.stringify({ ...health(), diskFreeBytes: -1 })); // out of bounds: ignored
      ch.ws.send(JSON.stringify({ ...health(), extra: 'x' })); // unknown field: ignored
      ch.ws.send(JSON.stringify(paperOut));
      await vi.waitFor(
        async () => {
          const r = await adminA({ method: 'GET', url: API.deviceHealth(kioskA.id) });
          const body = r.json() as DeviceHealthResponse;
          expect(body.latest?.report.peripherals.printer?.paper).toBe('out');
          expect(body.history).toHaveLength(1);
          expect(body.alerts.map((x) => [x.rule, x.state])).toEqual([['paper-out', 'open']]);
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(transitions).toContainEqual(['paper-out', null, 'open']);
    } finally {
      await ch.close();
    }
  });

  it('lists what the admin owns and below, never a neighbour’s; filters by state and rule', async () => {
    await h.app.alerts.onHealth(kioskB.id, paperOut);
    const mine = await list(adminA);
    expect(mine.status).toBe(200);
    expect(mine.alerts.map((x) => x.deviceId)).toEqual([kioskA.id]);
    const city = await list(h.admin);
    expect(city.alerts.map((x) => x.deviceId).sort()).toEqual([kioskA.id, kioskB.id].sort());
    expect((await list(h.admin, `?nodeId=${b.id}`)).alerts.map((x) => x.deviceId)).toEqual([kioskB.id]);
    expect((await list(adminA, '?rule=paper-low')).alerts).toEqual([]);
    expect((await list(adminA, '?state=open&rule=paper-out')).alerts).toHaveLength(1);
    // A node outside the subtree answers like an unknown one.
    const outside = await list(adminA, `?nodeId=${b.id}`);
    const unknown = await list(adminA, `?nodeId=${newId('node')}`);
    expect([outside.status, unknown.status]).toEqual([404, 404]);
    // Hostile query: an unknown rule or state is a 400 naming it.
    const bad = await adminA({ method: 'GET', url: `${API.alerts}?rule=everything` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('LINLI_ERR_BAD_REQUEST');
  });

  it('staff read but cannot acknowledge; an admin acknowledges in scope only (404 outside, like unknown)', async () => {
    const [mine] = (await list(adminA)).alerts;
    expect((await list(staffA)).alerts.map((x) => x.id)).toEqual([mine!.id]);
    const byStaff = await staffA({ method: 'POST', url: API.alertAcknowledge(mine!.id), payload: {} });
    expect(byStaff.statusCode).toBe(403);
    expect(byStaff.json().error).toMatchObject({ code: 'LINLI_ERR_FORBIDDEN' });

    const theirs = (await list(h.admin, `?nodeId=${b.id}`)).alerts[0]!;
    const outside = await adminA({ method: 'POST', url: API.alertAcknowledge(theirs.id), payload: {} });
    const fake = newId('alr');
    const unknown = await adminA({ method: 'POST', url: API.alertAcknowledge(fake), payload: {} });
    expect([outside.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(outside.body.replaceAll(theirs.id, '<id>')).toBe(unknown.body.replaceAll(fake, '<id>'));
    expect((await h.repo.alerts.get(theirs.id))?.state).toBe('open');

    const acked = await adminA({ method: 'POST', url: API.alertAcknowledge(mine!.id), payload: {} });
    expect(acked.statusCode).toBe(200);
    expect(acked.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'a.admin' });
    // Twice: the alert as it stands, no second transition.
    const before = transitions.length;
    const again = await adminA({ method: 'POST', url: API.alertAcknowledge(mine!.id), payload: {} });
    expect(again.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'a.admin' });
    expect(transitions.length).toBe(before);
    expect(transitions).toContainEqual(['paper-out', 'open', 'acknowledged']);
  });

  it("a device's health: in scope only, staff may read it", async () => {
    const theirs = await adminA({ method: 'GET', url: API.deviceHealth(kioskB.id) });
    const unknown = await adminA({ method: 'GET', url: API.deviceHealth(newId('dev')) });
    expect([theirs.statusCode, unknown.statusCode]).toEqual([404, 404]);
    const byStaff = await staffA({ method: 'GET', url: API.deviceHealth(kioskA.id) });
    expect(byStaff.statusCode).toBe(200);
    expect((byStaff.json() as DeviceHealthResponse).latest?.report.clockSkewMs).toBe(120);
  });

  it('repeated UNKNOWN payments: K in the window opens an alert, the window passing resolves it', async () => {
    const { unknownPayments: k, unknownWindowMinutes: win } = h.config.alerts;
    // The store's count is what the rule reads; it is contract-tested. Here: the rule around it.
    const counts = vi.spyOn(h.repo.health, 'unknownPaymentCounts');
    counts.mockResolvedValue([{ deviceId: kioskA.id, count: k - 1 }]);
    await h.app.alerts.sweep();
    expect((await list(adminA, '?rule=payment-unknown-repeated')).alerts).toEqual([]);
    counts.mockResolvedValue([{ deviceId: kioskA.id, count: k }]);
    await h.app.alerts.sweep();
    const [open] = (await list(adminA, '?rule=payment-unknown-repeated')).alerts;
    expect(open).toMatchObject({ state: 'open', detail: { count: k, threshold: k, windowMinutes: win } });
    expect(counts).toHaveBeenLastCalledWith(h.clock.now() - win * 60_000);
    counts.mockResolvedValue([]);
    await h.app.alerts.sweep();
    expect((await list(adminA, '?rule=payment-unknown-repeated')).alerts[0]).toMatchObject({
      id: open!.id,
      state: 'resolved',
      resolvedBy: 'auto',
    });
    counts.mockRestore();
  });

  it('two engines on one store evaluating at once open one alert and emit one transition', async () => {
    const { AlertEngine } = await import('../../services/alerts/alert-engine.js');
    const other = new AlertEngine({
      repo: h.repo,
      presence: h.app.cluster.notifier,
      thresholds: h.config.alerts,
      now: h.clock.now,
      log: h.app.log,
    });
    const seen: AlertRecord[] = [];
    other.on('transition', (x) => seen.push(x));
    const mark = transitions.length;
    const coverOpen = health({
      peripherals: { printer: { present: true, online: true, paper: 'ok', coverOpen: true } },
    });
    await Promise.all([h.app.alerts.onHealth(kioskA.id, coverOpen), other.onHealth(kioskA.id, coverOpen)]);
    const opened = [...transitions.slice(mark).filter((t) => t[0] === 'printer-cover-open'), ...seen];
    expect(opened).toHaveLength(1);
    expect((await list(adminA, '?rule=printer-cover-open')).alerts).toHaveLength(1);
    // Paper back at the same time: paper-out (acknowledged earlier) resolves once.
    expect((await list(adminA, '?rule=paper-out')).alerts[0]).toMatchObject({ state: 'resolved' });
  });

  it('a flood of reports from one device is coalesced: one in flight, the newest waiting, the rest dropped', async () => {
    const before = (await h.repo.health.history(kioskA.id, 1000)).length;
    const burst = Array.from({ length: 50 }, (_, i) => health({ uptimeSec: 10_000 + i }));
    await Promise.all(burst.map((m) => h.app.alerts.onHealth(kioskA.id, m)));
    const after = await h.repo.health.history(kioskA.id, 1000);
    expect(after.length - before).toBe(2);
    expect(after[0]!.report.uptimeSec).toBe(10_049);
    expect((await h.repo.health.latest(kioskA.id))?.report.uptimeSec).toBe(10_049);
  });

  it('a late acknowledgement clears the emergency alert; a revoked device’s alerts are resolved by the sweep', async () => {
    const created = await h.admin({
      method: 'POST',
      url: API.notices,
      payload: {
        title: { zh: '燃气泄漏' },
        body: { zh: '请立即撤离。' },
        category: 'safety',
        priority: 'emergency',
        targets: { nodeIds: [a.id] },
      },
    });
    const noticeId = (created.json() as { notice: { id: string } }).notice.id;
    const up = await h.admin({
      method: 'POST',
      url: API.noticeAction(noticeId, 'emergency'),
      payload: { ttlSec: 900 },
    });
    expect(up.statusCode).toBe(200);
    const seq = (await h.repo.health.liveEmergencies(h.clock.now()))[0]!.seq;
    h.clock.advance((h.config.alerts.emergencyAckSec + 1) * 1000);
    await h.app.alerts.sweep();
    const [open] = (await list(adminA, '?rule=emergency-unacknowledged')).alerts;
    expect(open).toMatchObject({
      deviceId: kioskA.id,
      state: 'open',
      detail: { emergencies: [{ seq, noticeId }] },
    });
    // B's kiosk is outside the emergency's targets: no alert.
    expect((await list(h.admin, `?nodeId=${b.id}&rule=emergency-unacknowledged`)).alerts).toEqual([]);
    await h.app.alerts.onEmergencyAck(kioskA.id, {
      type: 'emergency-ack',
      seq,
      noticeId,
      at: new Date().toISOString(),
    });
    expect((await h.repo.alerts.get(open!.id))?.state).toBe('resolved');

    const unresolvedOfB = async () =>
      (await list(h.admin, `?nodeId=${b.id}`)).alerts.filter((x) => x.state !== 'resolved').length;
    expect(await unresolvedOfB()).toBeGreaterThan(0);
    const revoke = await h.admin({ method: 'POST', url: API.deviceRevoke(kioskB.id), payload: {} });
    expect(revoke.statusCode).toBe(200);
    await h.app.alerts.sweep();
    expect(await unresolvedOfB()).toBe(0);
  });
});
