import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { Notice } from '../../../protocol/schemas/notice.js';
import { DeviceApiClient } from '../api-client.js';
import type { DeviceIdentity } from '../identity/identity.js';
import { Trust } from '../identity/trust.js';
import { silentLogger } from '../logger.js';
import { stateLayout } from '../state/state-layout.js';
import { captureLogger } from '../test-support/capture-logger.js';
import { ControlPlaneDouble } from '../test-support/control-plane-double.js';
import { enrolledDevice } from '../test-support/enrolled-device.js';
import { openNoticeStore } from './notice-store.js';
import { NoticeSync } from './notice-sync.js';

const cp = new ControlPlaneDouble();
let stateDir: string;
let identity: DeviceIdentity;

beforeAll(async () => {
  await cp.start();
  ({ stateDir, identity } = await enrolledDevice(cp, 'lobby'));
});
afterAll(async () => {
  await cp.stop();
});

async function makeSync(log = silentLogger) {
  const api = new DeviceApiClient({ serverUrl: cp.url, identity, log, retries: 0 });
  const sync = new NoticeSync({
    api,
    trust: new Trust(stateDir, identity),
    store: await openNoticeStore(stateLayout(stateDir).content, log),
    role: 'lobby',
    log,
    pollIntervalMs: 3_600_000,
  });
  sync.start();
  return sync;
}

describe('notice sync', () => {
  it('shows only verified notices; a tampered one is rejected with its code and never shown', async () => {
    const { log, records } = captureLogger();
    const sync = await makeSync(log);
    const good = cp.publishNotice('社区志愿者活动日');
    cp.publishTampered('假通知：请向此账户转账');
    const changes: string[][] = [];
    sync.on('change', (set) => changes.push(set.notices.map((n) => n.title.zh)));
    await sync.refresh();
    expect(sync.current().notices.map((n) => n.id)).toEqual([good.payload.id]);
    expect(changes).toEqual([['社区志愿者活动日']]);
    expect(JSON.stringify(sync.current())).not.toContain('假通知');
    const rejected = records().find((r) => r.code === ErrorCode.SIGNATURE_INVALID);
    expect(rejected).toMatchObject({ source: 'fetched' });
    await sync.stop();
  });

  it('uses ETag: an unchanged set costs a 304 and no change event', async () => {
    const sync = await makeSync();
    await sync.refresh();
    let changed = 0;
    sync.on('change', () => changed++);
    const before = cp.requests.length;
    await sync.refresh();
    expect(cp.requests.slice(before)).toEqual(['GET /api/v1/device/notices']);
    expect(changed).toBe(0);
    await sync.stop();
  });

  it('survives a restart offline: the stored set is re-verified and shown', async () => {
    const first = await makeSync();
    await first.refresh();
    const shown = first.current().notices.map((n) => n.id);
    await first.stop();
    const offline = new NoticeSync({
      api: { getNotices: async () => Promise.reject(new Error('offline')) },
      trust: new Trust(stateDir, identity),
      store: await openNoticeStore(stateLayout(stateDir).content, silentLogger),
      role: 'lobby',
      log: silentLogger,
      pollIntervalMs: 3_600_000,
    });
    offline.start();
    await offline.refresh();
    expect(offline.current().notices.map((n) => n.id)).toEqual(shown);
    await offline.stop();
  });

  it('refuses a notice edited on disk', async () => {
    const file = stateLayout(stateDir).content;
    const data = JSON.parse(await readFile(file, 'utf8'));
    data.envelopes[0].payload.title.zh = '磁盘上被改过的标题';
    await writeFile(file, JSON.stringify(data));
    const sync = new NoticeSync({
      api: { getNotices: async () => undefined },
      trust: new Trust(stateDir, identity),
      store: await openNoticeStore(file, silentLogger),
      role: 'lobby',
      log: silentLogger,
      pollIntervalMs: 3_600_000,
    });
    sync.start();
    expect(sync.current().notices.map((n) => n.title.zh)).not.toContain('磁盘上被改过的标题');
    await sync.stop();
  });

  it('keeps the last verified version when an update of the same notice fails verification', async () => {
    cp.notices = [];
    const v1 = cp.publishNotice('停水通知');
    const sync = await makeSync();
    await sync.refresh();
    const v2 = signEnvelope<Notice>(
      { ...v1.payload, version: 2, title: { zh: '停水时间改为周日' } },
      cp.content,
    );
    cp.notices = [{ ...v2, payload: { ...v2.payload, title: { zh: '被篡改的更新' } } }];
    cp.bump();
    await sync.refresh();
    expect(sync.current().notices.map((n) => [n.title.zh, n.version])).toEqual([['停水通知', 1]]);
    cp.notices = [v2];
    cp.bump();
    await sync.refresh();
    expect(sync.current().notices.map((n) => [n.title.zh, n.version])).toEqual([['停水时间改为周日', 2]]);
    await sync.stop();
  });

  it('drops notices targeted at other roles', async () => {
    cp.notices = [];
    cp.publishNotice('仅LED', { targets: { nodeIds: [cp.nodeId], roles: ['led'] } });
    const forAll = cp.publishNotice('所有设备');
    const sync = await makeSync();
    await sync.refresh();
    expect(sync.current().notices.map((n) => n.id)).toEqual([forAll.payload.id]);
    await sync.stop();
  });
});
