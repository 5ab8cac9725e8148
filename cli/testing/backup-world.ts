import { createHash } from 'node:crypto';
import { expect, vi } from 'vitest';
import { createHarness, type Harness, type HarnessOptions } from '../../control-plane/src/testing/harness.js';
import { KioskFlow } from '../../control-plane/src/testing/kiosk-flow.js';
import { TestDevice } from '../../control-plane/src/testing/test-device.js';
import { API } from '../../protocol/api.js';
import type { PaymentResponse } from '../../protocol/schemas/device-api.js';
import type { NoticeActionResponse } from '../../protocol/schemas/notice-admin.js';
import { hashedTargetName, manifestTarget } from '../../protocol/tuf/device-view.js';
import type { Command } from '../command.js';

/** Runs a command in process and returns its exit code and stdout. */
export async function cli(cmd: Command, argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  try {
    return { code: await cmd.run(argv), out };
  } finally {
    spy.mockRestore();
  }
}

/** What a lobby screen is served: its manifest through its TUF view (timestamp, snapshot, targets). */
export async function manifestOf(app: Harness['app'], dev: TestDevice): Promise<unknown> {
  const meta = async (f: string) => {
    const res = await dev.call(app, { method: 'GET', url: `${API.deviceTufMetadata}/${f}` });
    if (res.statusCode !== 200) throw new Error(`${f}: ${res.statusCode} ${res.body}`);
    return JSON.parse(res.body);
  };
  const ts = await meta('timestamp.json');
  const snap = await meta(`${ts.signed.meta['snapshot.json'].version}.snapshot.json`);
  const targets = await meta(`${snap.signed.meta['targets.json'].version}.targets.json`);
  const info = targets.signed.targets[manifestTarget(dev.id)];
  const res = await dev.call(app, {
    method: 'GET',
    url: `${API.deviceTufTargets}/${hashedTargetName(manifestTarget(dev.id), info.hashes.sha256)}`,
  });
  expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(info.hashes.sha256);
  return JSON.parse(res.body);
}

/** A control plane holding a published notice and a closed payment, with a lobby screen and a kiosk. */
export interface BackupWorld {
  h: Harness;
  lobby: TestDevice;
  flow: KioskFlow;
  notice: NoticeActionResponse;
  paid: PaymentResponse;
}

export async function backupWorld(opts: HarnessOptions): Promise<BackupWorld> {
  const h = await createHarness(opts);
  const { community } = await h.sunshine();
  const lobby = new TestDevice();
  await lobby.enroll(h.app, (await h.token(community.id, 'lobby')).token, 'lobby');
  const kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
  const flow = new KioskFlow(h, kiosk);
  const res = await h.admin({
    method: 'POST',
    url: API.notices,
    payload: {
      publish: true,
      title: { zh: '停水通知', en: 'Water cut' },
      body: { zh: '周三 9:00–15:00 停水，请提前储水。' },
      category: 'utility',
      targets: { nodeIds: [community.id] },
    },
  });
  expect(res.statusCode).toBe(201);
  const paid = await flow.pay('water', '1001000001');
  expect((await flow.step(paid.payment.payload.id, 'close')).statusCode).toBe(200);
  return { h, lobby, flow, notice: res.json() as NoticeActionResponse, paid };
}

/**
 * The restored control plane serves what the original did: the notice (admin API), the lobby's manifest
 * (TUF), the payment (admin and device API, signed envelope and receipt), the receipt page, and the
 * simulated biller's memory of the payment. Device sessions are the instance's, so each device
 * authenticates again, as a real one does when told its session is unknown.
 */
export async function expectSameService(w: BackupWorld, restored: Harness): Promise<void> {
  expect(restored.password).toBe(''); // not a first start: the city, keys and admin came back
  const login = await restored.app.inject({
    method: 'POST',
    url: API.login,
    payload: { username: 'admin', password: w.h.password },
  });
  expect(login.statusCode).toBe(200);
  const auth = { authorization: `Bearer ${(login.json() as { token: string }).token}` };

  const n = await restored.app.inject({ method: 'GET', url: API.notice(w.notice.notice.id), headers: auth });
  expect(n.statusCode).toBe(200);
  expect(n.json()).toEqual((await w.h.admin({ method: 'GET', url: API.notice(w.notice.notice.id) })).json());
  const before = await manifestOf(w.h.app, w.lobby);
  await w.lobby.session(restored.app);
  expect(await manifestOf(restored.app, w.lobby)).toEqual(before);

  const id = w.paid.payment.payload.id;
  const p = await restored.app.inject({ method: 'GET', url: API.adminPayment(id), headers: auth });
  expect(p.statusCode).toBe(200);
  expect(p.json()).toEqual((await w.h.admin({ method: 'GET', url: API.adminPayment(id) })).json());
  expect(p.json()).toMatchObject({ state: 'closed' });
  const original = (await w.flow.get(id)).json();
  await w.flow.kiosk.session(restored.app);
  const onDevice = await w.flow.kiosk.call(restored.app, { method: 'GET', url: API.devicePayment(id) });
  expect(onDevice.statusCode).toBe(200);
  expect(onDevice.json()).toEqual(original);
  const verify = new URL(w.paid.receipt!.payload.verifyUrl);
  const page = await restored.app.inject({ method: 'GET', url: `${verify.pathname}${verify.search}` });
  expect(page.statusCode).toBe(200);
  expect(await new KioskFlow(restored, w.flow.kiosk).bills('water', '1001000001')).toEqual([]);
}
