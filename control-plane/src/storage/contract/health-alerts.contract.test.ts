import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../../../protocol/ids.js';
import type { DeviceHealthReport } from '../../../../protocol/schemas/device-health.js';
import { noticeContent, noticeRecord, seedWorld as seedContent } from '../../testing/content-fixtures.js';
import { createBill, idempotencyFor, paymentFor, seedWorld } from '../../testing/payment-fixtures.js';
import type { AlertRecord } from '../health-repository.js';
import type { Repository } from '../repository.js';
import { T0 } from './fixtures.js';
import { forEachStore } from './stores.js';

const report = (over: Partial<DeviceHealthReport> = {}): DeviceHealthReport => ({
  at: new Date(T0).toISOString(),
  runtimeVersion: '0.12.0',
  uptimeSec: 5,
  peripherals: { printer: { present: true, online: true, paper: 'ok', coverOpen: false } },
  diskFreeBytes: 1_000_000,
  diskTotalBytes: 2_000_000,
  clockSkewMs: -40,
  unknownPayments: 0,
  ...over,
});

const alert = (nodeId: string, deviceId: string | null, over: Partial<AlertRecord> = {}): AlertRecord => ({
  id: newId('alr', T0),
  rule: 'paper-out',
  subject: deviceId ?? `node:${nodeId}`,
  nodeId,
  deviceId,
  severity: 'critical',
  state: 'open',
  detail: { paper: 'out' },
  openedAt: T0,
  ackedAt: null,
  ackedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  ...over,
});

forEachStore((open) => {
  describe('HealthRepository and AlertRepository', () => {
    let repo: Repository;
    let w: Awaited<ReturnType<typeof seedWorld>>;
    beforeEach(async () => {
      repo = await open();
      w = await seedWorld(repo);
    });
    afterEach(() => repo.close());

    it('keeps the latest report per device and a history bounded by count and by age', async () => {
      expect(await repo.health.latest(w.deviceId)).toBeUndefined();
      const keep = { maxAgeMs: 10_000, maxPerDevice: 3 };
      for (let i = 0; i < 5; i++)
        await repo.health.record(w.deviceId, T0 + i, report({ uptimeSec: i }), keep);
      expect(await repo.health.latest(w.deviceId)).toEqual({
        deviceId: w.deviceId,
        receivedAt: T0 + 4,
        report: report({ uptimeSec: 4 }),
      });
      const h = await repo.health.history(w.deviceId, 10);
      expect(h.map((r) => r.report.uptimeSec)).toEqual([4, 3, 2]);
      expect(await repo.health.history(w.deviceId, 1)).toHaveLength(1);
      // 20 s later: the old rows are past the age bound and go with the next report.
      await repo.health.record(w.deviceId, T0 + 20_000, report({ uptimeSec: 25 }), keep);
      expect((await repo.health.history(w.deviceId, 10)).map((r) => r.report.uptimeSec)).toEqual([25]);
      await repo.health.record(w.deviceId, T0 + 20_001, report({ uptimeSec: 26 }), keep);
      expect(await repo.health.purge(T0 + 20_001)).toBe(1);
      expect((await repo.health.history(w.deviceId, 10)).map((r) => r.report.uptimeSec)).toEqual([26]);
    });

    it('opens one unresolved alert per rule and subject, even when opened concurrently', async () => {
      const [a, b] = await Promise.all([
        repo.alerts.open(alert(w.communityIds[0], w.deviceId)),
        repo.alerts.open(alert(w.communityIds[0], w.deviceId, { id: newId('alr', T0 + 1) })),
      ]);
      expect([a.opened, b.opened].sort()).toEqual([false, true]);
      expect(a.alert.id).toBe(b.alert.id);
      // Another rule, same device: its own alert.
      expect(
        (
          await repo.alerts.open(
            alert(w.communityIds[0], w.deviceId, { rule: 'paper-low', id: newId('alr', T0 + 2) }),
          )
        ).opened,
      ).toBe(true);
      const cur = await repo.alerts.current('paper-out', w.deviceId);
      expect(cur).toEqual(a.alert);
      expect(await repo.alerts.get(a.alert.id)).toEqual(a.alert);
      // Resolved: the next condition opens a fresh alert.
      const resolved = await repo.alerts.resolve(a.alert.id, 'auto', T0 + 10);
      expect(resolved).toMatchObject({ state: 'resolved', resolvedAt: T0 + 10, resolvedBy: 'auto' });
      expect(await repo.alerts.resolve(a.alert.id, 'auto', T0 + 11)).toBeUndefined();
      expect(await repo.alerts.current('paper-out', w.deviceId)).toBeUndefined();
      const again = await repo.alerts.open(
        alert(w.communityIds[0], w.deviceId, { id: newId('alr', T0 + 20), openedAt: T0 + 20 }),
      );
      expect(again.opened).toBe(true);
      expect(again.alert.id).not.toBe(a.alert.id);
    });

    it('acknowledges an open alert once (who and when), and resolves an acknowledged one', async () => {
      const { alert: a } = await repo.alerts.open(alert(w.communityIds[0], w.deviceId));
      const acked = await repo.alerts.acknowledge(a.id, w.adminId, T0 + 5);
      expect(acked).toMatchObject({ state: 'acknowledged', ackedAt: T0 + 5, ackedBy: w.adminId });
      expect(await repo.alerts.acknowledge(a.id, w.adminId, T0 + 6)).toBeUndefined();
      expect(await repo.alerts.acknowledge('alr_missing', w.adminId, T0 + 6)).toBeUndefined();
      // Still unresolved: no second alert for the same condition.
      expect(
        (await repo.alerts.open(alert(w.communityIds[0], w.deviceId, { id: newId('alr', T0 + 7) }))).opened,
      ).toBe(false);
      expect(await repo.alerts.resolve(a.id, 'auto', T0 + 8)).toMatchObject({
        state: 'resolved',
        ackedBy: w.adminId,
        resolvedBy: 'auto',
      });
      expect(await repo.alerts.unresolved(['paper-out'])).toEqual([]);
    });

    it('lists by owning nodes, state, rule and device: unresolved first, newest first', async () => {
      const [c1, c2] = w.communityIds;
      const old = (await repo.alerts.open(alert(c1, w.deviceId, { rule: 'paper-low', openedAt: T0 }))).alert;
      const newer = (
        await repo.alerts.open(
          alert(c1, w.deviceId, { id: newId('alr', T0 + 1), rule: 'printer-offline', openedAt: T0 + 1 }),
        )
      ).alert;
      const gone = (
        await repo.alerts.open(
          alert(c1, w.deviceId, { id: newId('alr', T0 + 2), rule: 'device-offline', openedAt: T0 + 2 }),
        )
      ).alert;
      await repo.alerts.resolve(gone.id, 'auto', T0 + 3);
      const other = (await repo.alerts.open(alert(c2, null, { id: newId('alr', T0 + 4), openedAt: T0 + 4 })))
        .alert;
      await repo.alerts.acknowledge(newer.id, w.adminId, T0 + 5);
      const ids = async (f: Partial<Parameters<Repository['alerts']['list']>[0]>) =>
        (await repo.alerts.list({ nodeIds: [c1], limit: 10, ...f })).map((a) => a.id);
      expect(await ids({})).toEqual([old.id, newer.id, gone.id]);
      expect(await ids({ state: 'resolved' })).toEqual([gone.id]);
      expect(await ids({ rule: 'paper-low' })).toEqual([old.id]);
      expect(await ids({ deviceId: w.deviceId, limit: 1 })).toEqual([old.id]);
      expect(await ids({ nodeIds: [c1, c2] })).toEqual([other.id, old.id, newer.id, gone.id]);
      expect(await ids({ nodeIds: [] })).toEqual([]);
      expect(
        (await repo.alerts.unresolved(['paper-low', 'printer-offline', 'paper-out'])).map((a) => a.id).sort(),
      ).toEqual([old.id, newer.id, other.id].sort());
    });

    it('stores emergency acks once and counts UNKNOWN payments per device since a time', async () => {
      await repo.health.recordEmergencyAck(w.deviceId, 7, T0);
      await repo.health.recordEmergencyAck(w.deviceId, 7, T0 + 1);
      await repo.health.recordEmergencyAck(w.deviceId, 8, T0 + 2);
      expect(await repo.health.emergencyAcks([7])).toEqual([{ deviceId: w.deviceId, seq: 7, at: T0 }]);
      expect(await repo.health.emergencyAcks([])).toEqual([]);
      expect(await repo.health.emergencyAcks([7, 8, 9])).toHaveLength(2);

      const bill = await createBill(repo, w);
      for (const at of [T0 + 10, T0 + 20, T0 + 30]) {
        const p = paymentFor(bill, { createdAt: at, updatedAt: at });
        await repo.payments.createWithIdempotency(p, idempotencyFor(p), 'device:x');
        await repo.payments.transition({ paymentId: p.id, from: 'created', to: 'unknown', at, actor: 's' });
      }
      expect(await repo.health.unknownPaymentCounts(T0 + 15)).toEqual([{ deviceId: w.deviceId, count: 2 }]);
      expect(await repo.health.unknownPaymentCounts(T0 + 31)).toEqual([]);
    });
  });

  describe('HealthRepository.liveEmergencies', () => {
    it('lists the emergencies shown now with their seq, times and envelope', async () => {
      const repo = await open();
      try {
        const cw = await seedContent(repo);
        const at = Date.now();
        const content = noticeContent([cw.nodeId]);
        const n = noticeRecord(cw, { status: 'published', content, published: content, publishedVersion: 1 });
        const issued = await repo.notices.create(n, [], {
          noticeId: n.id,
          action: 'show',
          ttlSec: 600,
          at,
          by: cw.adminId,
          liveUntil: at + 600_000,
          sign: (seq) => ({ payload: { noticeId: n.id, seq }, kid: 'k', sig: `sig-${seq}` }) as never,
        });
        expect(await repo.health.liveEmergencies(at + 1)).toEqual([
          {
            seq: issued!.seq,
            noticeId: n.id,
            issuedAt: at,
            liveUntil: at + 600_000,
            envelope: { payload: { noticeId: n.id, seq: issued!.seq }, kid: 'k', sig: `sig-${issued!.seq}` },
          },
        ]);
        expect(await repo.health.liveEmergencies(at + 600_000)).toEqual([]);
      } finally {
        await repo.close();
      }
    });
  });
});
