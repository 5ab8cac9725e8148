import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getSimulator } from '../../../device-drivers/index.js';
import { API } from '../../../protocol/api.js';
import type { AlertView, DeviceHealthResponse } from '../../../protocol/schemas/alerts-admin.js';
import { type RealControlPlane, startRealControlPlane } from '../../../tests/helpers/real-control-plane.js';
import { parseDeviceConfig } from '../config.js';
import { driverPeripherals } from '../driver-peripherals.js';
import type { Peripherals } from '../peripherals.js';
import { DeviceRuntime } from '../runtime.js';
import { enrolledDevice } from '../testing/enrolled-device.js';

/**
 * The device runtime with the drivers' simulators against the real control plane in process: the simulated
 * printer's faults travel as health reports over the channel and open and resolve alerts.
 */
let cp: RealControlPlane;
beforeAll(async () => {
  cp = await startRealControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

async function startKiosk() {
  const { stateDir, identity } = await enrolledDevice(cp, 'kiosk');
  const config = parseDeviceConfig({
    port: 0,
    logLevel: 'silent',
    channel: { backoffBaseMs: 20, backoffCapMs: 200 },
    http: { retries: 1, retryBaseMs: 1 },
  });
  let devices: Peripherals = {};
  const make = () =>
    new DeviceRuntime({
      stateDir,
      config,
      peripherals: async (role, layout) => {
        const opened = await driverPeripherals(config)(role, layout);
        devices = opened.devices;
        return opened;
      },
    });
  const k = {
    runtime: make(),
    url: '',
    deviceId: identity.deviceId,
    printer: () => devices.printer!,
    /** A new runtime on the same state dir (the device rebooted). */
    async restart() {
      await k.runtime.stop();
      k.runtime = make();
      k.url = (await k.runtime.start()).url;
    },
  };
  k.url = (await k.runtime.start()).url;
  return k;
}

const alertsOf = async (deviceId: string, query = ''): Promise<AlertView[]> => {
  const res = await cp.h.admin({ method: 'GET', url: `${API.alerts}${query}` });
  expect(res.statusCode).toBe(200);
  return (res.json() as { alerts: AlertView[] }).alerts.filter((a) => a.deviceId === deviceId);
};
const stateOf = async (deviceId: string, rule: string) =>
  (await alertsOf(deviceId)).find((a) => a.rule === rule && a.state !== 'resolved')?.state ?? 'none';
const healthOf = async (deviceId: string) =>
  (await cp.h.admin({ method: 'GET', url: API.deviceHealth(deviceId) })).json() as DeviceHealthResponse;
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const until = { timeout: 15_000, interval: 50 };

describe('health reports and alerts, device runtime ↔ control plane', () => {
  it('paper out opens an alert that an admin acknowledges and that resolves when paper is back', async () => {
    const k = await startKiosk();
    try {
      await vi.waitFor(async () => {
        const h = await healthOf(k.deviceId);
        expect(h.latest?.report.peripherals.printer).toEqual({
          present: true,
          online: true,
          paper: 'ok',
          coverOpen: false,
        });
        expect(h.latest?.report.peripherals.terminal).toEqual({ present: true, reachable: true });
        expect(h.latest?.report.diskFreeBytes).toBeGreaterThan(0);
        expect(typeof h.latest?.report.clockSkewMs).toBe('number');
      }, until);
      expect(await alertsOf(k.deviceId)).toEqual([]);

      await post(`${k.url}/kiosk/api/sim/printer`, { paper: 'near-end' });
      await vi.waitFor(async () => expect(await stateOf(k.deviceId, 'paper-low')).toBe('open'), until);

      await post(`${k.url}/kiosk/api/sim/printer`, { paper: 'out' });
      await vi.waitFor(async () => expect(await stateOf(k.deviceId, 'paper-out')).toBe('open'), until);
      // Out is not also low, and paper out is not "printer offline".
      expect(await stateOf(k.deviceId, 'paper-low')).toBe('none');
      expect(await stateOf(k.deviceId, 'printer-offline')).toBe('none');
      const open = (await alertsOf(k.deviceId)).find((a) => a.rule === 'paper-out')!;
      expect(open).toMatchObject({ severity: 'critical', deviceName: expect.any(String) });

      const ack = await cp.h.admin({ method: 'POST', url: API.alertAcknowledge(open.id), payload: {} });
      expect(ack.statusCode).toBe(200);
      expect(ack.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'admin' });

      await post(`${k.url}/kiosk/api/sim/printer`, { paper: 'ok' });
      await vi.waitFor(async () => expect(await stateOf(k.deviceId, 'paper-out')).toBe('none'), until);
      const resolved = (await alertsOf(k.deviceId, '?state=resolved')).find((a) => a.id === open.id)!;
      expect(resolved).toMatchObject({ state: 'resolved', resolvedBy: 'auto', acknowledgedBy: 'admin' });
      // Acknowledging a resolved alert is refused, and says so.
      const late = await cp.h.admin({ method: 'POST', url: API.alertAcknowledge(open.id), payload: {} });
      expect(late.statusCode).toBe(409);
      expect(late.json().error.code).toBe('LINLI_ERR_ALERT_ALREADY_RESOLVED');
      // The history holds the whole story, newest first.
      const papers = (await healthOf(k.deviceId)).history.map((e) => e.report.peripherals.printer?.paper);
      expect(papers.indexOf('ok')).toBeLessThan(papers.indexOf('out'));
      expect(papers.indexOf('out')).toBeLessThan(papers.indexOf('low'));
    } finally {
      await k.runtime.stop();
    }
  });

  it('an unplugged printer opens "printer offline"; plugged back in, it resolves', async () => {
    const k = await startKiosk();
    try {
      await vi.waitFor(async () => expect((await healthOf(k.deviceId)).latest).not.toBeNull(), until);
      const sim = getSimulator(k.printer())!;
      sim.link.unplug();
      await vi.waitFor(async () => expect(await stateOf(k.deviceId, 'printer-offline')).toBe('open'), until);
      expect((await healthOf(k.deviceId)).latest?.report.peripherals.printer).toMatchObject({
        online: false,
      });
      sim.link.replug();
      await vi.waitFor(async () => expect(await stateOf(k.deviceId, 'printer-offline')).toBe('none'), until);
      expect((await alertsOf(k.deviceId, '?rule=printer-offline'))[0]).toMatchObject({ state: 'resolved' });
    } finally {
      await k.runtime.stop();
    }
  });

  it('a device offline longer than the threshold is alerted by the sweep, and resolved when it is back', async () => {
    const k = await startKiosk();
    try {
      await vi.waitFor(async () => expect((await healthOf(k.deviceId)).online).toBe(true), until);
      const minutes = cp.h.config.alerts.offlineMinutes;
      // Connected but silent for longer than the bound (a quiet socket, presence held elsewhere): not offline.
      cp.h.clock.advance((minutes + 1) * 60_000);
      await cp.h.app.alerts.sweep();
      expect(await stateOf(k.deviceId, 'device-offline')).toBe('none');
      await k.runtime.stop();
      await vi.waitFor(async () => expect((await healthOf(k.deviceId)).online).toBe(false), until);
      cp.h.clock.advance((minutes - 1) * 60_000);
      await cp.h.app.alerts.sweep();
      expect(await stateOf(k.deviceId, 'device-offline')).toBe('none');
      cp.h.clock.advance(61_000);
      await cp.h.app.alerts.sweep();
      await cp.h.app.alerts.sweep(); // a second sweep (or instance) opens nothing new
      expect((await alertsOf(k.deviceId)).filter((a) => a.rule === 'device-offline')).toHaveLength(1);
      expect(await stateOf(k.deviceId, 'device-offline')).toBe('open');
      await k.restart();
      await vi.waitFor(async () => expect((await healthOf(k.deviceId)).online).toBe(true), until);
      await cp.h.app.alerts.sweep();
      expect(await stateOf(k.deviceId, 'device-offline')).toBe('none');
      expect((await alertsOf(k.deviceId, '?rule=device-offline'))[0]).toMatchObject({ state: 'resolved' });
    } finally {
      await k.runtime.stop();
    }
  });

  it('an emergency not acknowledged by a device in scope within the bound opens an alert; the kiosk that shows it acks', async () => {
    const k = await startKiosk();
    // A second kiosk of the same community that never runs: in scope, never acknowledges.
    const silent = await enrolledDevice(cp, 'kiosk');
    try {
      await vi.waitFor(async () => expect((await healthOf(k.deviceId)).online).toBe(true), until);
      const created = await cp.h.admin({
        method: 'POST',
        url: API.notices,
        payload: {
          title: { zh: '燃气泄漏，请立即撤离', en: 'Gas leak' },
          body: { zh: '请立即离开大楼。' },
          category: 'safety',
          priority: 'emergency',
          targets: { nodeIds: [cp.community.id] },
        },
      });
      expect(created.statusCode).toBe(201);
      const id = (created.json() as { notice: { id: string } }).notice.id;
      const up = await cp.h.admin({
        method: 'POST',
        url: API.noticeAction(id, 'emergency'),
        payload: { ttlSec: 600 },
      });
      expect(up.statusCode).toBe(200);
      // The running kiosk shows it and says so on the channel.
      const seq = (await cp.h.repo.health.liveEmergencies(cp.h.clock.now()))[0]!.seq;
      await vi.waitFor(async () => {
        const acks = await cp.h.repo.health.emergencyAcks([seq]);
        expect(acks.map((a) => a.deviceId)).toContain(k.deviceId);
      }, until);
      await cp.h.app.alerts.sweep();
      expect(await stateOf(silent.identity.deviceId, 'emergency-unacknowledged')).toBe('none'); // not due yet
      cp.h.clock.advance((cp.h.config.alerts.emergencyAckSec + 1) * 1000);
      await cp.h.app.alerts.sweep();
      expect(await stateOf(silent.identity.deviceId, 'emergency-unacknowledged')).toBe('open');
      expect(await stateOf(k.deviceId, 'emergency-unacknowledged')).toBe('none');
      const alert = (await alertsOf(silent.identity.deviceId)).find(
        (a) => a.rule === 'emergency-unacknowledged',
      )!;
      expect(alert.detail).toMatchObject({ emergencies: [{ seq, noticeId: id }] });
      // Withdrawn (no live emergency left): the alert clears.
      const off = await cp.h.admin({ method: 'POST', url: API.noticeAction(id, 'withdraw'), payload: {} });
      expect(off.statusCode).toBe(200);
      await cp.h.app.alerts.sweep();
      expect(await stateOf(silent.identity.deviceId, 'emergency-unacknowledged')).toBe('none');
    } finally {
      await k.runtime.stop();
    }
  });
});
