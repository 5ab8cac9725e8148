import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ContentWorld,
  nextRevision,
  noticeContent,
  noticeRecord,
  seedWorld,
} from '../../testing/content-fixtures.js';
import type { Repository } from '../repository.js';
import type { NoticeRecord } from '../signage-records.js';
import type { EmergencyIssueInput } from '../signage-repository.js';
import { forEachStore } from './stores.js';

const emergency = (noticeId: string, by: string, at: number): EmergencyIssueInput => ({
  noticeId,
  action: 'show',
  ttlSec: 600,
  at,
  by,
  liveUntil: at + 600_000,
  sign: (seq) => ({ payload: { noticeId, seq }, kid: 'k', sig: `sig-${seq}` }) as never,
});

forEachStore((open) => {
  describe('NoticeRepository', () => {
    let repo: Repository;
    let w: ContentWorld;
    beforeEach(async () => {
      repo = await open();
      w = await seedWorld(repo);
    });
    // Closed after each test, not only at the end: a pool per test would otherwise pile up connections.
    afterEach(() => repo.close());

    const audit = (n: NoticeRecord, action: 'create' | 'edit', at = n.updatedAt) => ({
      at,
      noticeId: n.id,
      actorId: w.adminId,
      action,
      revision: n.revision,
      detail: { why: action },
    });

    it('stores a notice with its audit rows and reads it back as written', async () => {
      const n = noticeRecord(w);
      expect(await repo.notices.create(n, [audit(n, 'create')])).toBeUndefined();
      expect(await repo.notices.get(n.id)).toEqual(n);
      expect(await repo.notices.count()).toBe(1);
      const later = noticeRecord(w, {}, n.createdAt + 1);
      await repo.notices.create(later, []);
      expect((await repo.notices.list()).map((x) => x.id)).toEqual([later.id, n.id]);
      const rows = await repo.notices.listAudit({ noticeIds: [n.id], limit: 10 });
      expect(rows).toMatchObject([
        { noticeId: n.id, actorId: w.adminId, action: 'create', revision: 1, detail: { why: 'create' } },
      ]);
      expect(await repo.notices.get('ntc_missing')).toBeUndefined();
    });

    it('update is a compare-and-set: a stale revision, status or time writes nothing', async () => {
      const n = noticeRecord(w);
      await repo.notices.create(n, [audit(n, 'create')]);
      const next = nextRevision(n, n.updatedAt + 5, '新标题');
      const from = { revision: 1, status: n.status, updatedAt: n.updatedAt };
      for (const stale of [
        { ...from, revision: 2 },
        { ...from, status: 'pending' as const },
        { ...from, updatedAt: n.updatedAt - 1 },
      ]) {
        expect(await repo.notices.update(next, stale, [audit(next, 'edit')])).toEqual({ ok: false });
      }
      expect(await repo.notices.get(n.id)).toEqual(n);
      expect(await repo.notices.listAudit({ noticeIds: [n.id], limit: 10 })).toHaveLength(1);

      expect(await repo.notices.update(next, from, [audit(next, 'edit')])).toEqual({
        ok: true,
        issued: undefined,
      });
      expect(await repo.notices.get(n.id)).toEqual(next);
      // The same edit again is now stale.
      expect(await repo.notices.update(next, from, [audit(next, 'edit')])).toEqual({ ok: false });
      const rows = await repo.notices.listAudit({ noticeIds: [n.id], limit: 10 });
      expect(rows.map((r) => [r.action, r.revision])).toEqual([
        ['edit', 2],
        ['create', 1],
      ]);
      expect(rows[0]!.seq).toBeGreaterThan(rows[1]!.seq);
    });

    it('of many concurrent edits from the same revision exactly one is accepted', async () => {
      const n = noticeRecord(w);
      await repo.notices.create(n, []);
      const from = { revision: 1, status: n.status, updatedAt: n.updatedAt };
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => {
          const next = nextRevision(n, n.updatedAt + 1 + i, `edit ${i}`);
          return repo.notices.update(next, from, [audit(next, 'edit')]);
        }),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const stored = (await repo.notices.get(n.id))!;
      expect(stored.revision).toBe(2);
      expect(stored.publishedVersion).toBe(1);
      expect(await repo.notices.listAudit({ noticeIds: [n.id], limit: 20 })).toHaveLength(1);
    });

    it('lists published notices by target node, leaving out expired and withdrawn ones, and replaces targets', async () => {
      const now = Date.now();
      const published = (targets: string[], expiresAt: number, patch: Partial<NoticeRecord> = {}) => {
        const content = noticeContent(targets, 't', expiresAt);
        return noticeRecord(w, {
          status: 'published',
          content,
          published: content,
          publishedVersion: 1,
          ...patch,
        });
      };
      const a = published([w.nodeId, w.nodeId], now + 60_000);
      const b = published([w.otherNodeId], now + 60_000);
      const expired = published([w.nodeId], now - 1);
      const withdrawn = published([w.nodeId], now + 60_000, { status: 'withdrawn' });
      const draft = noticeRecord(w);
      for (const n of [a, b, expired, withdrawn, draft]) await repo.notices.create(n, []);
      const ids = (nodes: string[]) =>
        repo.notices.listPublishedForNodes(nodes, now).then((l) => l.map((n) => n.id));
      expect(await ids([w.nodeId])).toEqual([a.id]);
      expect(await ids([w.nodeId, w.otherNodeId])).toEqual([a.id, b.id].sort());
      expect(await ids([])).toEqual([]);
      // Re-targeted: a leaves nodeId for otherNodeId.
      const moved = { ...a, published: noticeContent([w.otherNodeId], 't', now + 60_000), revision: 2 };
      expect(
        (await repo.notices.update(moved, { revision: 1, status: a.status, updatedAt: a.updatedAt }, [])).ok,
      ).toBe(true);
      expect(await ids([w.nodeId])).toEqual([]);
      expect(await ids([w.otherNodeId])).toEqual([a.id, b.id].sort());
    });

    it('filters the audit log by notice and action, newest first, within the limit', async () => {
      const n = noticeRecord(w);
      const m = noticeRecord(w);
      await repo.notices.create(n, [audit(n, 'create'), audit(n, 'edit'), audit(n, 'edit')]);
      await repo.notices.create(m, [audit(m, 'create')]);
      expect(await repo.notices.listAudit({ noticeIds: [], limit: 10 })).toEqual([]);
      expect((await repo.notices.listAudit({ limit: 10 })).map((r) => r.noticeId)).toEqual([
        m.id,
        n.id,
        n.id,
        n.id,
      ]);
      expect(await repo.notices.listAudit({ action: 'edit', limit: 10 })).toHaveLength(2);
      expect(await repo.notices.listAudit({ noticeIds: [n.id], action: 'create', limit: 10 })).toHaveLength(
        1,
      );
      expect(await repo.notices.listAudit({ limit: 2 })).toHaveLength(2);
    });

    it('issues emergency seqs that only grow, marks the notice, and reports the highest per node', async () => {
      const at = Date.now();
      const content = noticeContent([w.nodeId]);
      const n = noticeRecord(w, { status: 'published', content, published: content, publishedVersion: 1 });
      const first = await repo.notices.create(n, [], emergency(n.id, w.adminId, at));
      expect(first).toMatchObject({
        noticeId: n.id,
        action: 'show',
        ttlSec: 600,
        issuedAt: at,
        issuedBy: w.adminId,
      });
      expect(first!.envelope).toEqual({
        payload: { noticeId: n.id, seq: first!.seq },
        kid: 'k',
        sig: `sig-${first!.seq}`,
      });
      const seqs = [first!.seq];
      for (let i = 0; i < 3; i++)
        seqs.push((await repo.notices.issueEmergency(emergency(n.id, w.adminId, at + i))).seq);
      // Concurrent issues for the same notice: all distinct.
      const racing = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          repo.notices.issueEmergency(emergency(n.id, w.adminId, at + 10 + i)),
        ),
      );
      const all = [...seqs, ...racing.map((r) => r.seq)];
      expect(new Set(all).size).toBe(all.length);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      const max = Math.max(...all);
      const stored = (await repo.notices.get(n.id))!;
      expect(stored.emergencySeq).toBe(max);
      expect(await repo.notices.maxEmergencySeqForNodes([w.nodeId])).toBe(max);
      expect(await repo.notices.maxEmergencySeqForNodes([w.otherNodeId])).toBe(0);
      expect(await repo.notices.maxEmergencySeqForNodes([])).toBe(0);

      const next = nextRevision(stored, at + 100, 'cancel');
      const res = await repo.notices.update(
        next,
        { revision: stored.revision, status: stored.status, updatedAt: stored.updatedAt },
        [],
        { ...emergency(n.id, w.adminId, at + 100), action: 'cancel', liveUntil: null },
      );
      expect(res.ok && res.issued!.seq).toBeGreaterThan(max);
      expect((await repo.notices.get(n.id))!.emergencyLiveUntil).toBeNull();
    });
  });
});
