/**
 * Issue 11: two `linli control-plane` processes on one PostgreSQL schema behind a TCP round-robin proxy.
 * Devices split across them: a notice published on A reaches the devices connected to B; killing A makes its
 * devices offline within the lease timeout (not forever online); kill -9 of either instance during payments
 * leaves no double charge and every payment resolved (the chaos invariants).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropSchema,
  freshSchemaName,
  PG_TEST_URL,
  pgShouldRun,
} from '../../control-plane/src/storage/contract/pg-env.js';
import { type ChannelClient, openChannel } from '../../control-plane/src/testing/channel-client.js';
import { TestDevice } from '../../control-plane/src/testing/test-device.js';
import { API } from '../../protocol/api.js';
import { signCanonical } from '../../protocol/envelope.js';
import { enrollSigningInput } from '../../protocol/schemas/enrollment.js';
import {
  invariantsFrom,
  PAYMENT_ROWS_SQL,
  type PaymentRow,
  type SeenEntry,
} from '../helpers/chaos/chaos-checks.js';
import { type Kiosk, TwoInstanceWorld } from '../helpers/two-instance-world.js';

const schema = freshSchemaName('linli_two');
const runPg = await pgShouldRun('the two-instance system test');
const ROUNDS = Number(process.env.LINLI_TWO_INSTANCE_ROUNDS ?? 8);
const LEASE_TIMEOUT_MS = 6_250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function json<T>(url: string, init?: RequestInit, timeoutMs = 20_000): Promise<T> {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...init?.headers },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as T & { error?: { message: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body;
}

/** Enrolls a TestDevice over real HTTP (through the proxy, like a device). */
async function enrollOverHttp(url: string, token: string, role: 'lobby'): Promise<TestDevice> {
  const dev = new TestDevice();
  const { nonce } = await json<{ nonce: string }>(`${url}${API.enrollChallenge}`, {
    method: 'POST',
    body: '{}',
  });
  const signed = { token, role, publicKey: dev.publicKey, nonce };
  const res = await json<{ deviceId: string }>(`${url}${API.enroll}`, {
    method: 'POST',
    body: JSON.stringify({ ...signed, sig: signCanonical(enrollSigningInput(signed), dev.privateKey) }),
  });
  dev.id = res.deviceId;
  return dev;
}

describe.runIf(runPg)('two control-plane instances on one PostgreSQL', () => {
  let world: TwoInstanceWorld;

  beforeAll(async () => {
    world = new TwoInstanceWorld(PG_TEST_URL, schema, (l) => process.stderr.write(`[two] ${l}\n`));
    await world.setUp(200);
  }, 180_000);
  afterAll(async () => {
    await world?.tearDown();
    await dropSchema(schema);
  }, 60_000);

  it("delivers a notice published on A to the devices connected to B, and drops a dead instance's devices", async () => {
    const [a, b] = world.instances as [(typeof world.instances)[0], (typeof world.instances)[0]];
    const wsUrl = `${world.proxyUrl.replace('http', 'ws')}${API.deviceChannel}`;
    const devices: TestDevice[] = [];
    const channels: ChannelClient[] = [];
    for (let i = 0; i < 6; i++) {
      const token = await world.admin.createToken({ nodeId: world.communityId, role: 'lobby', maxUses: 1 });
      const dev = await enrollOverHttp(world.proxyUrl, token.token, 'lobby');
      devices.push(dev);
      channels.push(await openChannel(wsUrl, dev));
    }
    // The proxy split them: both instances hold some.
    const holders = async () =>
      world.sql<{ instance_id: string; n: number }>(
        'SELECT instance_id, COUNT(*)::int AS n FROM device_presence WHERE device_id = ANY($1) GROUP BY instance_id',
        [devices.map((d) => d.id)],
      );
    await expect
      .poll(async () => (await holders()).reduce((s, r) => s + r.n, 0), { timeout: 10_000 })
      .toBe(6);
    expect(await holders()).toHaveLength(2);

    const published = await json<{ notifiedDevices: number }>(`${a.url}${API.notices}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.admin.token}` },
      body: JSON.stringify({
        targets: { nodeIds: [world.communityId], roles: ['lobby'] },
        title: { zh: '停水通知' },
        body: { zh: '明天上午停水' },
        publish: true,
      }),
    });
    expect(published.notifiedDevices).toBe(6);
    for (const c of channels)
      expect(await c.next('sync', 10_000)).toMatchObject({ type: 'sync', topic: 'content' });

    // kill -9 A: its devices' channels die with it, and B counts them offline once A's lease runs out.
    // A started first, so its lease is the oldest.
    const onA = (
      await world.sql<{ device_id: string }>(
        `SELECT p.device_id FROM device_presence p JOIN cluster_instances i ON i.id = p.instance_id
          WHERE i.started_at = (SELECT MIN(started_at) FROM cluster_instances)`,
      )
    ).map((r) => r.device_id);
    expect(onA.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    await a.proc!.kill9();
    const online = async () => {
      const list = await json<{ devices: { id: string; online: boolean }[] }>(
        `${b.url}${API.devices}?nodeId=${world.communityId}`,
        { headers: { authorization: `Bearer ${world.admin.token}` } },
      );
      return list.devices.filter((d) => d.online && devices.some((x) => x.id === d.id)).map((d) => d.id);
    };
    await expect
      .poll(online, { timeout: LEASE_TIMEOUT_MS + 10_000, interval: 250 })
      .toHaveLength(6 - onA.length);
    const tookMs = Date.now() - killedAt;
    world.log(
      `A's ${onA.length} devices offline on B after ${tookMs} ms (lease timeout ${LEASE_TIMEOUT_MS} ms)`,
    );
    expect(tookMs).toBeLessThan(LEASE_TIMEOUT_MS + 5_000);
    for (const c of channels) c.ws.terminate();
    await world.start(a);
  }, 120_000);

  it('keeps money exactly-once when an instance is killed -9 during payments', async () => {
    await world.addKiosks(4);
    const BILLERS = ['water', 'electricity', 'gas', 'property'] as const;
    const BASE = { water: '5', electricity: '6', gas: '7', property: '8' } as const;
    let account = 0;
    const nextAccount = () => {
      const biller = BILLERS[account % 4]!;
      const n = Math.floor(account / 4);
      account++;
      return { billerId: biller, account: `${BASE[biller]}${String(n).padStart(9, '0')}` };
    };
    const seen = new Map<string, SeenEntry>();
    const snapshot = () => {
      for (const k of world.kiosks) {
        for (const e of world.journal(k).entries) {
          seen.set(e.key, {
            kiosk: k.index,
            key: e.key,
            step: e.step,
            method: e.request.method,
            ...(e.paymentId ? { paymentId: e.paymentId } : {}),
          });
        }
      }
    };
    const pay = async (k: Kiosk, round: number): Promise<void> => {
      const { bills } = await json<{ bills: { id: string }[] }>(`${k.url}/kiosk/api/bills`, {
        method: 'POST',
        body: JSON.stringify(nextAccount()),
      });
      const billId = bills[0]?.id;
      if (!billId) return;
      const qr = (round + k.index) % 3 === 0;
      if (!qr) {
        await json(`${k.url}/kiosk/api/sim/terminal`, { method: 'POST', body: '{"behaviour":"approve"}' });
      }
      const view = await json<{ key: string; status: string; qr?: { codeUrl: string } }>(
        `${k.url}/kiosk/api/payments`,
        { method: 'POST', body: JSON.stringify({ billId, method: qr ? 'qr' : 'terminal', wait: !qr }) },
        30_000,
      );
      if (qr && view.status === 'awaiting_scan' && view.qr) {
        for (let i = 0; i < 10; i++) {
          try {
            await json(`${view.qr.codeUrl}/confirm`, { method: 'POST', body: '{}' });
            break;
          } catch (err) {
            if (i === 9) world.log(`QR confirm failed: ${(err as Error).message}`);
            await sleep(300);
          }
        }
      }
    };
    const quiesce = async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (const k of world.kiosks) {
        for (;;) {
          const s = await json<{ busy: boolean }>(`${k.url}/kiosk/api/session`, undefined, 3_000).catch(
            () => ({ busy: true }),
          );
          if (!s.busy || Date.now() > deadline) break;
          await sleep(100);
        }
      }
    };

    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const flights = world.kiosks.map((k) => pay(k, round).catch(() => undefined));
      // Into the payments: lookup, authorization, capture or QR wait, whichever is under way.
      await sleep(150 + ((round * 137) % 500));
      const victim = world.instances[round % 2]!;
      await victim.proc!.kill9();
      kills++;
      await world.start(victim);
      await Promise.all(flights);
      await quiesce(60_000);
      snapshot();
    }
    await quiesce(90_000);

    // Either instance's recovery finishes what the kiosks no longer drive.
    const deadline = Date.now() + 60_000;
    let inv = invariantsFrom([], world.simDbFile, [], seen);
    for (;;) {
      snapshot();
      const payments = await world.sql<PaymentRow>(PAYMENT_ROWS_SQL);
      inv = invariantsFrom(
        payments,
        world.simDbFile,
        world.kiosks.map((k) => world.terminalLog(k)),
        seen,
      );
      if ((inv.nonTerminal === 0 && inv.disagreements.length === 0) || Date.now() > deadline) break;
      await sleep(500);
      await quiesce(10_000);
    }
    world.log(`${kills} kills, ${inv.payments} payments: ${JSON.stringify(inv.byState)}`);
    expect(kills).toBe(ROUNDS);
    expect(inv.payments).toBeGreaterThan(ROUNDS);
    expect(inv.doubleCaptures, 'double captures').toBe(0);
    expect(inv.lostCaptures, 'captured payments missing from the biller').toBe(0);
    expect(inv.nonTerminal, `non-terminal payments: ${JSON.stringify(inv.byState)}`).toBe(0);
    expect(inv.disagreements, 'journal vs control plane').toEqual([]);
    expect(inv.orphanAuthorizations, 'terminal approvals neither captured nor voided').toBe(0);
    expect(inv.orphanWalletPayments, 'wallet payments neither settled nor returned').toBe(0);
    expect(inv.byState.closed).toBeGreaterThan(0);
    // Both methods went through, QR included (the payer confirms on the wallet's page, via the proxy).
    const paidBy = await world.sql<{ method: string; n: number }>(
      "SELECT method, COUNT(*)::int AS n FROM payments WHERE state = 'closed' GROUP BY method ORDER BY method",
    );
    expect(paidBy.map((r) => r.method)).toEqual(['qr', 'terminal']);
  }, 600_000);
});
