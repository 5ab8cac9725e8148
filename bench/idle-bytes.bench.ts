import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../control-plane/src/config.js';
import { ControlPlane } from '../control-plane/src/server.js';
import { DeviceApiClient } from '../kiosk/src/api-client.js';
import { DeviceChannel } from '../kiosk/src/channel/device-channel.js';
import { openContentState } from '../kiosk/src/content/content-state.js';
import { ContentSync } from '../kiosk/src/content/content-sync.js';
import { enrollDevice } from '../kiosk/src/enrollment/enroll-device.js';
import { loadIdentity } from '../kiosk/src/identity/identity.js';
import { silentLogger } from '../kiosk/src/logger.js';
import { stateLayout } from '../kiosk/src/state/state-layout.js';
import { AdminClient } from '../provisioning/src/admin-client.js';
import { checkImage } from '../signage/src/media/check-image.js';
import type { Benchmark } from './run.js';

/** A TCP proxy that counts payload bytes both ways (HTTP headers and WebSocket frames included). */
async function countingProxy(port: number): Promise<{ server: Server; port: number; bytes: () => number }> {
  let n = 0;
  const server = createServer((client) => {
    const up = createConnection(port, '127.0.0.1');
    client.on('data', (d) => {
      n += d.length;
      up.write(d);
    });
    up.on('data', (d) => {
      n += d.length;
      client.write(d);
    });
    const end = () => {
      client.destroy();
      up.destroy();
    };
    client.on('close', end);
    up.on('close', end);
    client.on('error', end);
    up.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, bytes: () => n };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Bytes an idle device costs per day, and what one notice change costs it, measured through a counting proxy
 * between the real device code (channel, TUF content sync) and a real control plane. The channel is measured
 * at a 5 s heartbeat and scaled to the default 30 s; polls at the default 30 min while the channel is up.
 */
export const benchmark: Benchmark = {
  name: 'idle-bytes',
  summary: 'bytes on the wire per idle device per day (channel + fallback polls), and for one notice change',
  async run(_args, emit) {
    const root = mkdtempSync(join(tmpdir(), 'linli-idle-'));
    const announced: string[] = [];
    const cp = new ControlPlane({
      config: loadConfig({ dataDir: join(root, 'cp'), port: 0, logLevel: 'silent', heartbeatSec: 5 }, {}),
      announce: (l) => announced.push(l),
    });
    const url = await cp.start();
    const proxy = await countingProxy(Number(new URL(url).port));
    const via = `http://127.0.0.1:${proxy.port}`;
    try {
      const password = /password: (\S+)/.exec(announced.join('\n'))![1]!;
      const admin = await AdminClient.login(url, 'admin', password);
      const [city] = await admin.listNodes();
      const d = await admin.createNode({ parentId: city!.id, name: '流量区' });
      const s = await admin.createNode({ parentId: d.id, name: '流量街道' });
      const c = await admin.createNode({ parentId: s.id, name: '流量社区' });
      await admin.publishNotice({
        targets: { nodeIds: [c.id] },
        title: { zh: '社区志愿者服务日' },
        body: { zh: '本周六上午九点，阳光社区邀请居民到中心广场参加志愿者服务。' },
      });
      const stateDir = join(root, 'device');
      await enrollDevice({
        serverUrl: via,
        token: (await admin.createToken({ nodeId: c.id, role: 'lobby' })).token,
        stateDir,
        role: 'lobby',
      });
      const identity = await loadIdentity(stateDir);
      const layout = stateLayout(stateDir);
      const api = new DeviceApiClient({ serverUrl: via, identity, log: silentLogger, retries: 0 });
      const sync = new ContentSync({
        api,
        serverUrl: via,
        deviceId: identity.deviceId,
        timeZone: 'Asia/Shanghai',
        metadataDir: layout.tuf,
        targetsDir: layout.targets,
        state: await openContentState(layout.contentState, silentLogger),
        log: silentLogger,
        pollIntervalMs: 86_400_000,
        pollIntervalOnlineMs: 86_400_000,
        online: () => true,
        checkImage: (f) => checkImage(f),
      });
      await sync.start();
      await sync.refresh();
      const channel = new DeviceChannel({
        serverUrl: via,
        identity,
        log: silentLogger,
        backoffBaseMs: 1000,
        backoffCapMs: 10_000,
        stableAfterMs: 60_000,
        handshakeTimeoutMs: 10_000,
        contentVersion: () => sync.manifestSha256?.slice(0, 16),
      });
      channel.on('sync', () => void sync.refresh());
      channel.start();
      while (channel.state !== 'open') await sleep(20);
      await sleep(500);

      // The channel, idle: heartbeats (ping/pong both ways) and status messages, over 6 heartbeats.
      const a = proxy.bytes();
      await sleep(30_000);
      const perHeartbeat = (proxy.bytes() - a) / 6;
      // One fallback poll with nothing new: the next root (404) and timestamp.json (304).
      const polls = 20;
      const b = proxy.bytes();
      for (let i = 0; i < polls; i++) await sync.refresh();
      const perPoll = (proxy.bytes() - b) / polls;
      // One notice change: the push, then timestamp, snapshot, targets and the manifest.
      const before = sync.stats.tuf.requests;
      const cbytes = proxy.bytes();
      await admin.publishNotice({
        targets: { nodeIds: [c.id] },
        title: { zh: '明日停水通知' },
        body: { zh: '因管道检修，明日上午九点至下午三点停水，请提前储水。' },
      });
      while (sync.notices().length < 2) await sleep(20);
      await sleep(300);
      const change = proxy.bytes() - cbytes;

      const heartbeatsPerDay = 86_400 / 30;
      const pollsPerDay = 86_400 / 1_800;
      const channelPerDay = perHeartbeat * heartbeatsPerDay;
      const pollsPerDayBytes = perPoll * pollsPerDay;
      emit({
        name: 'idle-bytes.per_day',
        value: Math.round(channelPerDay + pollsPerDayBytes),
        unit: 'bytes/day',
        channel: Math.round(channelPerDay),
        polls: Math.round(pollsPerDayBytes),
        perHeartbeat: Math.round(perHeartbeat),
        perPoll: Math.round(perPoll),
        heartbeatSec: 30,
        pollMin: 30,
      });
      emit({
        name: 'idle-bytes.notice_change',
        value: change,
        unit: 'bytes',
        requests: sync.stats.tuf.requests - before,
      });
      await channel.stop();
      await sync.stop();
      api.close();
    } finally {
      proxy.server.close();
      await cp.stop();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
