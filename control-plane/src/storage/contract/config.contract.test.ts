import { describe, expect, it } from 'vitest';
import type { ConfigReportRecord } from '../config-repository.js';
import { T0 } from './fixtures.js';
import { forEachStore, locationOf, openAt } from './stores.js';

const street = { kind: 'node', id: 'node_street' } as const;
const dev = { kind: 'device', id: 'dev_one' } as const;

function report(targetVersion: number, outcome: ConfigReportRecord['report']['outcome']) {
  return {
    targetVersion,
    etag: 'ab'.repeat(16),
    outcome,
    applied: [],
    pending: [],
    failed:
      outcome === 'partial'
        ? [{ key: 'audio.volume', code: 'LINLI_ERR_CONFIG_APPLY_FAILED', message: 'x' }]
        : [],
    current: { 'audio.volume': 40 },
    at: new Date(T0).toISOString(),
  };
}

forEachStore((open) => {
  describe('device config', () => {
    it('starts at revision 0 with nothing set', async () => {
      const repo = await open();
      expect(await repo.config.revision()).toBe(0);
      expect(await repo.config.getScope(street)).toEqual({ settings: [], revision: 0 });
      const snap = await repo.config.nodeSnapshot();
      expect(snap.revision).toBe(0);
      expect(snap.settings).toEqual([]);
      expect(snap.nodeRevisions.size).toBe(0);
      expect(snap.catalogueRevision).toBe(0);
    });

    it('a new catalogue hash takes the next revision as the catalogue revision; the same hash changes nothing', async () => {
      const repo = await open();
      await repo.config.applyPatch({ scope: street, set: { 'audio.volume': 1 }, clear: [], by: 'a', at: T0 });
      await repo.config.ensureCatalogue('hash-a');
      expect(await repo.config.revision()).toBe(2);
      expect((await repo.config.nodeSnapshot()).catalogueRevision).toBe(2);
      await repo.config.ensureCatalogue('hash-a');
      expect(await repo.config.revision()).toBe(2);
      await repo.config.applyPatch({ scope: street, set: { 'audio.volume': 2 }, clear: [], by: 'a', at: T0 });
      await repo.config.ensureCatalogue('hash-b');
      const snap = await repo.config.nodeSnapshot();
      expect([snap.revision, snap.catalogueRevision]).toEqual([4, 4]);
      // The settings rows keep their own revisions.
      expect(snap.nodeRevisions.get('node_street')).toBe(3);
    });

    it('sets values of every JSON shape on a scope with who and when, under one new revision', async () => {
      const repo = await open();
      const r = await repo.config.applyPatch({
        scope: street,
        set: {
          'idle.resetSec': 120,
          'ui.defaultLanguage': 'en',
          'voice.enabled': false,
          'payment.methods': ['qr'],
        },
        clear: [],
        by: 'adm_a',
        at: T0,
      });
      expect(r).toEqual({ changed: true, revision: 1 });
      const state = await repo.config.getScope(street);
      expect(state.revision).toBe(1);
      expect(state.settings).toEqual([
        { scope: street, key: 'idle.resetSec', value: 120, setBy: 'adm_a', setAt: T0, revision: 1 },
        { scope: street, key: 'payment.methods', value: ['qr'], setBy: 'adm_a', setAt: T0, revision: 1 },
        { scope: street, key: 'ui.defaultLanguage', value: 'en', setBy: 'adm_a', setAt: T0, revision: 1 },
        { scope: street, key: 'voice.enabled', value: false, setBy: 'adm_a', setAt: T0, revision: 1 },
      ]);
      // Another scope of the same id but another kind is separate.
      expect((await repo.config.getScope({ kind: 'device', id: 'node_street' })).settings).toEqual([]);
    });

    it('writes nothing and keeps the revision when the patch changes nothing', async () => {
      const repo = await open();
      await repo.config.applyPatch({
        scope: street,
        set: { 'audio.volume': 50 },
        clear: [],
        by: 'a',
        at: T0,
      });
      const same = await repo.config.applyPatch({
        scope: street,
        set: { 'audio.volume': 50 },
        clear: ['log.level'],
        by: 'b',
        at: T0 + 5,
      });
      expect(same).toEqual({ changed: false, revision: 1 });
      const [row] = (await repo.config.getScope(street)).settings;
      expect(row).toMatchObject({ setBy: 'a', setAt: T0, revision: 1 });
      // Positive control: a different value is a change.
      const diff = await repo.config.applyPatch({
        scope: street,
        set: { 'audio.volume': 51 },
        clear: [],
        by: 'b',
        at: T0 + 6,
      });
      expect(diff).toEqual({ changed: true, revision: 2 });
    });

    it('clearing a key removes it and still raises the scope revision (versions never go back)', async () => {
      const repo = await open();
      await repo.config.applyPatch({ scope: dev, set: { 'audio.volume': 10 }, clear: [], by: 'a', at: T0 });
      await repo.config.applyPatch({
        scope: street,
        set: { 'log.level': 'debug' },
        clear: [],
        by: 'a',
        at: T0,
      });
      const cleared = await repo.config.applyPatch({
        scope: dev,
        set: {},
        clear: ['audio.volume'],
        by: 'b',
        at: T0 + 1,
      });
      expect(cleared).toEqual({ changed: true, revision: 3 });
      expect(await repo.config.getScope(dev)).toEqual({ settings: [], revision: 3 });
      expect(await repo.config.revision()).toBe(3);
    });

    it('the node snapshot holds node settings only, with each node revision also after a clear', async () => {
      const repo = await open();
      await repo.config.applyPatch({
        scope: street,
        set: { 'audio.volume': 10 },
        clear: [],
        by: 'a',
        at: T0,
      });
      await repo.config.applyPatch({
        scope: { kind: 'node', id: 'node_city' },
        set: { 'log.level': 'warn' },
        clear: [],
        by: 'a',
        at: T0,
      });
      await repo.config.applyPatch({ scope: dev, set: { 'audio.volume': 99 }, clear: [], by: 'a', at: T0 });
      await repo.config.applyPatch({ scope: street, set: {}, clear: ['audio.volume'], by: 'a', at: T0 });
      const snap = await repo.config.nodeSnapshot();
      expect(snap.revision).toBe(4);
      expect(snap.settings.map((s) => [s.scope.id, s.key, s.value])).toEqual([
        ['node_city', 'log.level', 'warn'],
      ]);
      expect([...snap.nodeRevisions].sort()).toEqual([
        ['node_city', 2],
        ['node_street', 4],
      ]);
    });

    it('numbers concurrent writes from two handles without gaps or repeats, each scope ending at its last', async () => {
      const repo = await open();
      const other = await openAt(locationOf(repo));
      try {
        const results = await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            (i % 2 ? other : repo).config.applyPatch({
              scope: { kind: 'node', id: `node_${i % 4}` },
              set: { 'audio.volume': i },
              clear: [],
              by: 'a',
              at: T0 + i,
            }),
          ),
        );
        const revisions = results.map((r) => r.revision).sort((a, b) => a - b);
        expect(revisions).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
        const snap = await repo.config.nodeSnapshot();
        for (let n = 0; n < 4; n++) {
          const row = snap.settings.find((s) => s.scope.id === `node_${n}`)!;
          expect(snap.nodeRevisions.get(`node_${n}`)).toBe(row.revision);
          // The value stored is the one of the write that got that revision.
          expect(results[row.value as number]?.revision).toBe(row.revision);
        }
      } finally {
        await other.close();
      }
    });

    it('keeps the newest reports per device, newest first, and other devices untouched', async () => {
      const repo = await open();
      for (let v = 1; v <= 5; v++) {
        await repo.config.saveReport(
          { deviceId: 'dev_one', report: report(v, v === 5 ? 'partial' : 'applied'), receivedAt: T0 + v },
          3,
        );
      }
      await repo.config.saveReport({ deviceId: 'dev_two', report: report(9, 'refused'), receivedAt: T0 }, 3);
      const list = await repo.config.listReports('dev_one', 10);
      expect(list.map((r) => r.report.targetVersion)).toEqual([5, 4, 3]);
      expect(list[0]).toEqual({ deviceId: 'dev_one', report: report(5, 'partial'), receivedAt: T0 + 5 });
      expect((await repo.config.listReports('dev_one', 1)).map((r) => r.receivedAt)).toEqual([T0 + 5]);
      expect((await repo.config.listReports('dev_two', 10)).map((r) => r.report.outcome)).toEqual([
        'refused',
      ]);
      expect(await repo.config.listReports('dev_none', 10)).toEqual([]);
    });
  });
});
