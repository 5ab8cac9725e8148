import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { ContentManifest } from '../../../protocol/schemas/notice.js';
import type { NoticeActionResponse } from '../../../protocol/schemas/notice-admin.js';
import { hashedTargetName, manifestTarget } from '../../../protocol/tuf/device-view.js';
import { DEVICE_FIELD } from '../../../protocol/tuf/tuf-root.js';
import { ManifestBuilder } from '../services/notices/manifest-builder.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { TestDevice } from '../testing/test-device.js';
import { TufService } from './tuf-service.js';

let h: Harness;
let nodes: Awaited<ReturnType<Harness['community']>>;
let lobby: TestDevice;
let led: TestDevice;
let elsewhere: TestDevice;

beforeAll(async () => {
  h = await createHarness();
  nodes = await h.community('tuf');
  const other = await h.community('tufother');
  lobby = new TestDevice();
  await lobby.enroll(h.app, (await h.token(nodes.community.id, 'lobby')).token, 'lobby');
  led = new TestDevice();
  await led.enroll(h.app, (await h.token(nodes.community.id, 'led', { tags: ['east-gate'] })).token, 'led');
  elsewhere = new TestDevice();
  await elsewhere.enroll(h.app, (await h.token(other.community.id, 'lobby')).token, 'lobby');
});
afterAll(() => h.close());

const meta = (dev: TestDevice, file: string, headers: Record<string, string> = {}) =>
  dev.call(h.app, { method: 'GET', url: `${API.deviceTufMetadata}/${file}`, headers });

async function publish(payload: Record<string, unknown>): Promise<NoticeActionResponse> {
  const res = await h.admin({ method: 'POST', url: API.notices, payload: { publish: true, ...payload } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as NoticeActionResponse;
}

async function manifestOf(dev: TestDevice): Promise<ContentManifest> {
  const ts = JSON.parse((await meta(dev, 'timestamp.json')).body);
  const snap = JSON.parse((await meta(dev, `${ts.signed.meta['snapshot.json'].version}.snapshot.json`)).body);
  const targets = JSON.parse(
    (await meta(dev, `${snap.signed.meta['targets.json'].version}.targets.json`)).body,
  );
  const info = targets.signed.targets[manifestTarget(dev.id)];
  const res = await dev.call(h.app, {
    method: 'GET',
    url: `${API.deviceTufTargets}/${hashedTargetName(manifestTarget(dev.id), info.hashes.sha256)}`,
  });
  expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(info.hashes.sha256);
  expect(res.rawPayload.length).toBe(info.length);
  return JSON.parse(res.body) as ContentManifest;
}

describe("each device's own TUF repository view", () => {
  it('serves the root chain, and a timestamp that names the device, with ETag and 304', async () => {
    expect((await meta(lobby, '1.root.json')).body).toBe(h.app.tufKeys.roots[0]);
    expect((await meta(lobby, '2.root.json')).statusCode).toBe(404);
    const first = await meta(lobby, 'timestamp.json');
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body).signed[DEVICE_FIELD]).toBe(lobby.id);
    const again = await meta(lobby, 'timestamp.json', { 'if-none-match': first.headers.etag as string });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('signs a new version only when what the device plays changed, lazily, per device', async () => {
    const before = JSON.parse((await meta(lobby, 'timestamp.json')).body).signed.version;
    expect(JSON.parse((await meta(lobby, 'timestamp.json')).body).signed.version).toBe(before);
    const views = () => (h.repo.db.prepare('SELECT COUNT(*) AS n FROM tuf_views').get() as { n: number }).n;
    const viewsBefore = views();
    await publish({
      targets: { nodeIds: [nodes.street.id] },
      title: { zh: '街道通知' },
      body: { zh: '内容' },
    });
    // Publishing signed nothing per device: a view is signed when its device asks.
    expect(views()).toBe(viewsBefore);
    expect(JSON.parse((await meta(lobby, 'timestamp.json')).body).signed.version).toBe(before + 1);
    expect((await manifestOf(lobby)).notices.map((n) => n.title.zh)).toContain('街道通知');
    expect((await manifestOf(elsewhere)).notices.map((n) => n.title.zh)).not.toContain('街道通知');
  });

  it('filters by role and tag, and keeps one device from fetching another device’s manifest', async () => {
    await publish({
      targets: { nodeIds: [nodes.community.id], roles: ['led'], tags: ['east-gate'] },
      title: { zh: '东门LED' },
      body: { zh: 'x' },
    });
    expect((await manifestOf(led)).notices.map((n) => n.title.zh)).toContain('东门LED');
    expect((await manifestOf(lobby)).notices.map((n) => n.title.zh)).not.toContain('东门LED');
    const ts = JSON.parse((await meta(led, 'timestamp.json')).body);
    const snap = JSON.parse(
      (await meta(led, `${ts.signed.meta['snapshot.json'].version}.snapshot.json`)).body,
    );
    const targets = JSON.parse(
      (await meta(led, `${snap.signed.meta['targets.json'].version}.targets.json`)).body,
    );
    const sha = targets.signed.targets[manifestTarget(led.id)].hashes.sha256;
    const stolen = await lobby.call(h.app, {
      method: 'GET',
      url: `${API.deviceTufTargets}/${hashedTargetName(manifestTarget(led.id), sha)}`,
    });
    expect(stolen.json()).toMatchObject({ error: { code: ErrorCode.TARGET_MISSING } });
    // Someone else's snapshot version is simply not in this device's view.
    expect((await meta(lobby, `${snap.signed.version + 50}.snapshot.json`)).statusCode).toBe(404);
    const part = await led.call(h.app, {
      method: 'GET',
      url: `${API.deviceTufTargets}/${hashedTargetName(manifestTarget(led.id), sha)}`,
      headers: { range: 'bytes=10-' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toMatch(/^bytes 10-\d+\/\d+$/);
  });

  it('carries a live emergency with its seq and TTL, and drops it when the TTL lapses unrenewed', async () => {
    const res = await publish({
      targets: { nodeIds: [nodes.community.id] },
      title: { zh: '停电预警' },
      body: { zh: '今晚检修' },
      priority: 'emergency',
      emergencyTtlSec: 600,
    });
    const inManifest = (await manifestOf(lobby)).notices.find((n) => n.id === res.notice.id);
    expect(inManifest?.emergency).toEqual({ seq: res.notice.emergency!.seq, ttlSec: 600 });
    expect((await manifestOf(lobby)).emergencySeq).toBeGreaterThanOrEqual(res.notice.emergency!.seq);
    h.clock.advance(601_000);
    expect((await manifestOf(lobby)).notices.map((n) => n.id)).not.toContain(res.notice.id);
  });
  it('re-signs only the timestamp when half its lifetime has passed', async () => {
    const ts = JSON.parse((await meta(lobby, 'timestamp.json')).body).signed;
    h.clock.advance((h.config.tufTimestampTtlSec / 2 + 60) * 1000);
    const next = JSON.parse((await meta(lobby, 'timestamp.json')).body).signed;
    expect(next.version).toBe(ts.version + 1);
    expect(next.meta['snapshot.json'].version).toBe(ts.meta['snapshot.json'].version);
    expect(Date.parse(next.expires)).toBeGreaterThan(Date.parse(ts.expires));
  });

  it('two instances signing one device at once both serve the view that stands, never a refused one', async () => {
    // Past half the metadata lifetime: the next request re-signs targets, snapshot and timestamp.
    h.clock.advance(h.config.tufMetadataTtlSec * 1000);
    // Two control-plane instances: separate keyed locks, clocks 1 ms apart so their signed texts differ.
    const instance = (skew: number) =>
      new TufService({
        repo: h.repo,
        keys: h.app.tufKeys,
        manifests: new ManifestBuilder(h.repo, () => h.clock.now() + skew),
        now: () => h.clock.now() + skew,
        timestampTtlSec: h.config.tufTimestampTtlSec,
        metadataTtlSec: h.config.tufMetadataTtlSec,
      });
    const device = (await h.repo.devices.get(lobby.id))!;
    const [a, b] = await Promise.all([instance(0).view(device), instance(1).view(device)]);
    const stored = await h.repo.tufViews.get(lobby.id);
    expect(a).toEqual(stored);
    expect(b).toEqual(stored);
    expect((await meta(lobby, 'timestamp.json')).body).toBe(stored!.timestampText);
  });
});
