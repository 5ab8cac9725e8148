import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../../../protocol/keys.js';
import type { ServerMessage } from '../../../../protocol/schemas/channel.js';
import type { DeviceNotifier } from '../../hub/device-hub.js';
import { addAdmin, addNode, addToken, deviceFor, T0 } from '../../storage/contract/fixtures.js';
import { forEachStore, locationOf, openAt } from '../../storage/contract/stores.js';
import type { Repository } from '../../storage/repository.js';
import type { AdminPrincipal } from '../context.js';
import { HierarchyService } from '../hierarchy.js';
import { ConfigService } from './config-service.js';

/** Records what was sent; every device counts as connected. */
class RecordingNotifier implements DeviceNotifier {
  readonly sent: { ids: string[]; message: ServerMessage }[] = [];
  notify(ids: Iterable<string>, message: ServerMessage): number {
    const list = [...ids];
    this.sent.push({ ids: list, message });
    return list.length;
  }
  isOnline() {
    return true;
  }
  lastSeen() {
    return undefined;
  }
  disconnect() {}
}

const fleet = generateSigningKey('fleet');
const quiet = { info() {}, warn() {}, error() {} };

function service(repo: Repository, notifier = new RecordingNotifier()) {
  const hierarchy = new HierarchyService(repo, () => T0);
  return {
    notifier,
    config: new ConfigService({ repo, hierarchy, notifier, keys: { fleet }, now: () => T0, log: quiet }),
  };
}

async function world(repo: Repository) {
  const city = await addNode(repo, '市');
  const district = await addNode(repo, '区', city);
  const street = await addNode(repo, '街道', district);
  const community = await addNode(repo, '社区', street);
  const admin = await addAdmin(repo, city, 'cfg');
  const token = await addToken(repo, community, admin, { maxUses: 5 });
  const kiosk = deviceFor(token, { name: 'k', publicKey: 'k'.repeat(43) });
  const consumed = await repo.tokens.consumeAndCreateDevice(token.id, kiosk, T0);
  if (!consumed.ok) throw new Error(consumed.reason);
  const principal: AdminPrincipal = { admin, node: city };
  return { city, street, community, kiosk: consumed.device, principal };
}

forEachStore((open) => {
  describe('ConfigService', () => {
    it('another instance sees a write at once (revision-checked cache), version and etag move', async () => {
      const repo = await open();
      const other = await openAt(locationOf(repo));
      try {
        const w = await world(repo);
        const a = service(repo);
        const b = service(other);
        const first = await a.config.target(w.kiosk);
        expect((await b.config.target(w.kiosk)).payload.etag).toBe(first.payload.etag);
        // Cached: the same signed object while nothing changed.
        expect(await a.config.target(w.kiosk)).toBe(first);

        await b.config.putNodeConfig(w.principal, w.street.id, { 'idle.resetSec': 200 });
        const seen = await a.config.target(w.kiosk);
        expect(seen.payload.settings['idle.resetSec']).toBe(200);
        expect(seen.payload.version).toBeGreaterThan(first.payload.version);
        // The node view on A is fresh too.
        const node = await a.config.nodeConfig(w.principal, w.community.id);
        expect(node.settings.find((s) => s.key === 'idle.resetSec')?.inherited.value).toBe(200);

        // A write elsewhere (another scope) changes the revision but not this device's settings: same bytes.
        const elsewhere = await addNode(repo, '别处', w.city);
        await b.config.putNodeConfig(w.principal, elsewhere.id, { 'audio.volume': 1 });
        expect(await a.config.target(w.kiosk)).toBe(seen);

        // A clear on B: A serves a higher version again.
        await b.config.putNodeConfig(w.principal, w.street.id, { 'idle.resetSec': null });
        const cleared = await a.config.target(w.kiosk);
        // Set nowhere any more: left out, so the device goes back to its own value.
        expect(cleared.payload.settings['idle.resetSec']).toBeUndefined();
        expect(cleared.payload.version).toBeGreaterThan(seen.payload.version);
        expect(cleared.payload.etag).toBe(first.payload.etag);
      } finally {
        await other.close();
      }
    });

    it('a release with another catalogue raises the version of every device once', async () => {
      const repo = await open();
      const w = await world(repo);
      const before = await service(repo).config.target(w.kiosk);
      // Another release recorded a different catalogue (e.g. an older one during a rolling upgrade).
      await repo.config.ensureCatalogue('another-release');
      const restarted = service(repo);
      const after = await restarted.config.target(w.kiosk);
      expect(after.payload.version).toBeGreaterThan(before.payload.version);
      expect(after.payload.etag).toBe(before.payload.etag);
      // The same release again: nothing moves.
      expect((await service(repo).config.target(w.kiosk)).payload.version).toBe(after.payload.version);
    });

    it('tells the devices under the node to sync only when something changed', async () => {
      const repo = await open();
      const w = await world(repo);
      const { config, notifier } = service(repo);
      await config.putNodeConfig(w.principal, w.street.id, { 'audio.volume': 12 });
      // Without an in-memory index the notifier gets the stored active devices of the subtree.
      expect(notifier.sent).toEqual([
        { ids: [w.kiosk.id], message: { type: 'sync', topic: 'config', spreadMs: 3 } },
      ]);
      await config.putNodeConfig(w.principal, w.street.id, { 'audio.volume': 12 });
      await config.putNodeConfig(w.principal, w.street.id, {});
      expect(notifier.sent).toHaveLength(1);
      await config.putDeviceConfig(w.principal, w.kiosk.id, { 'audio.volume': 13 });
      expect(notifier.sent).toHaveLength(2);
      expect(notifier.sent[1]?.ids).toEqual([w.kiosk.id]);
    });
  });
});
