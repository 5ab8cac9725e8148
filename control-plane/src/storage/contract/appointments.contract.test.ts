import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bookInput, type ContentWorld, seedOffice, seedWorld } from '../../testing/content-fixtures.js';
import type { Repository } from '../repository.js';
import { forEachStore } from './stores.js';

const slotStart = Date.parse('2026-12-01T01:00:00.000Z');

forEachStore((open) => {
  describe('AppointmentRepository', () => {
    let repo: Repository;
    let w: ContentWorld;
    let o: { officeId: string; matterId: string };
    beforeEach(async () => {
      repo = await open();
      w = await seedWorld(repo);
      o = await seedOffice(repo, w.nodeId);
    });
    // Closed after each test, not only at the end: a pool per test would otherwise pile up connections.
    afterEach(() => repo.close());

    const cancelAudit = (id: string) => ({
      at: 1,
      actor: 'admin:x',
      action: 'cancel' as const,
      entity: 'appointment' as const,
      entityId: id,
      detail: null,
    });

    it('books up to capacity with the day queue numbers in order, then refuses the slot as full', async () => {
      const slot = { ...o, slotStart, capacity: 2 };
      const a = await repo.appointments.book(bookInput(slot));
      const b = await repo.appointments.book(bookInput(slot));
      expect(await repo.appointments.book(bookInput(slot))).toEqual({ ok: false, reason: 'full' });
      // Another slot the same day continues the queue.
      const c = await repo.appointments.book(bookInput({ ...slot, slotStart: slotStart + 1_800_000 }));
      expect([a, b, c].map((r) => r.ok && [r.appointment.seq, r.appointment.number])).toEqual([
        [1, 'A001'],
        [2, 'A002'],
        [3, 'A003'],
      ]);
      const apt = a.ok ? a.appointment : undefined;
      expect(apt).toMatchObject({
        officeId: o.officeId,
        matterId: o.matterId,
        status: 'booked',
        day: '2026-12-01',
        slotStart,
      });
      expect(apt!.code).toMatch(/^\d{8}$/);
      expect(apt!.slip).toEqual({ id: apt!.id, seq: 1, code: apt!.code });
      expect(await repo.appointments.getAppointment(apt!.id)).toEqual(apt);
      expect(await repo.appointments.findByCode(apt!.code)).toEqual(apt);
      expect(await repo.appointments.countBooked(o.officeId, slotStart, slotStart + 3_600_000)).toEqual(
        new Map([
          [slotStart, 2],
          [slotStart + 1_800_000, 1],
        ]),
      );
      const listed = await repo.appointments.listAppointments(o.officeId, slotStart, slotStart + 3_600_000);
      expect(listed.map((x) => x.seq)).toEqual([1, 2, 3]);
      expect(await repo.appointments.listAppointments(o.officeId, slotStart, slotStart + 1)).toHaveLength(2);
      const audits = await repo.services.listAudit('appointment', apt!.id);
      expect(audits).toMatchObject([
        { action: 'create', actor: 'system', detail: { officeId: o.officeId, slotStart } },
      ]);
    });

    it('replays a booking with the same device and key instead of booking twice', async () => {
      const slot = { ...o, slotStart, capacity: 5 };
      const first = await repo.appointments.book(
        bookInput(slot, { deviceId: w.deviceId, idempotencyKey: 'k1', requestHash: 'h1' }),
      );
      expect(first.ok).toBe(true);
      const again = await repo.appointments.book(
        bookInput(slot, { deviceId: w.deviceId, idempotencyKey: 'k1', requestHash: 'h1' }),
      );
      expect(again).toEqual({ ok: false, reason: 'replay', existing: first.ok && first.appointment });
      expect(await repo.appointments.findByIdempotency(w.deviceId, 'k1')).toEqual(
        first.ok && first.appointment,
      );
      expect(await repo.appointments.findByIdempotency(w.deviceId, 'k2')).toBeUndefined();
      // Concurrent retries of one key: one booking.
      const racing = await Promise.all(
        Array.from({ length: 6 }, () =>
          repo.appointments.book(
            bookInput(slot, { deviceId: w.deviceId, idempotencyKey: 'k2', requestHash: 'h2' }),
          ),
        ),
      );
      expect(racing.filter((r) => r.ok)).toHaveLength(1);
      expect(racing.filter((r) => !r.ok && r.reason === 'replay')).toHaveLength(5);
      expect(await repo.appointments.countBooked(o.officeId, slotStart, slotStart + 1)).toEqual(
        new Map([[slotStart, 2]]),
      );
    });

    it('concurrent bookings of one slot never exceed its capacity', async () => {
      const slot = { ...o, slotStart, capacity: 3 };
      const results = await Promise.all(
        Array.from({ length: 10 }, () => repo.appointments.book(bookInput(slot))),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      expect(results.filter((r) => !r.ok && r.reason === 'full')).toHaveLength(7);
      const seqs = (await repo.appointments.listAppointments(o.officeId, 0, Number.MAX_SAFE_INTEGER)).map(
        (a) => a.seq,
      );
      expect(seqs).toEqual([1, 2, 3]);
    });

    it('draws another code while the one drawn belongs to an open booking', async () => {
      const slot = { ...o, slotStart, capacity: 5 };
      const first = await repo.appointments.book(bookInput(slot, { newCode: () => '11111111' }));
      const codes = ['11111111', '11111111', '22222222'];
      const second = await repo.appointments.book(bookInput(slot, { newCode: () => codes.shift()! }));
      expect(second.ok && second.appointment.code).toBe('22222222');
      expect(first.ok && first.appointment.code).toBe('11111111');
      await expect(repo.appointments.book(bookInput(slot, { newCode: () => '11111111' }))).rejects.toThrow(
        /free appointment code/,
      );
    });

    it('cancels once (compare-and-set), frees the seat and the code, and finds the newest holder of a code', async () => {
      const slot = { ...o, slotStart, capacity: 1 };
      const a = await repo.appointments.book(bookInput(slot, { newCode: () => '12345678' }));
      const id = a.ok ? a.appointment.id : '';
      expect(await repo.appointments.countOpenFrom(o.officeId, slotStart)).toBe(1);
      expect(await repo.appointments.countOpenFrom(o.officeId, slotStart + 1_800_000)).toBe(0);
      const both = await Promise.all([
        repo.appointments.cancel(id, 10, 'admin:x', cancelAudit(id)),
        repo.appointments.cancel(id, 11, 'admin:y', cancelAudit(id)),
      ]);
      expect(both.filter((r) => r !== undefined)).toHaveLength(1);
      const canceled = both.find((r) => r !== undefined)!;
      expect(canceled).toMatchObject({ id, status: 'canceled' });
      expect(canceled.canceledAt === 10 || canceled.canceledAt === 11).toBe(true);
      expect(await repo.appointments.cancel(id, 12, 'admin:z', cancelAudit(id))).toBeUndefined();
      expect((await repo.services.listAudit('appointment', id)).map((r) => r.action)).toEqual([
        'create',
        'cancel',
      ]);
      expect(await repo.appointments.countOpenFrom(o.officeId, 0)).toBe(0);
      expect(
        await repo.appointments.listAppointments(o.officeId, 0, Number.MAX_SAFE_INTEGER, 'booked'),
      ).toEqual([]);
      expect(
        await repo.appointments.listAppointments(o.officeId, 0, Number.MAX_SAFE_INTEGER, 'canceled'),
      ).toHaveLength(1);
      // The seat and the code are free again.
      const b = await repo.appointments.book(bookInput(slot, { newCode: () => '12345678' }));
      expect(b.ok && b.appointment.code).toBe('12345678');
      expect((await repo.appointments.findByCode('12345678'))?.id).toBe(b.ok && b.appointment.id);
      expect(await repo.appointments.findByCode('00000000')).toBeUndefined();
    });
  });
});
