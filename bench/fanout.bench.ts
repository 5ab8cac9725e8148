import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { API } from '../protocol/api.js';
import { Keyring, signCanonical, verifyEnvelope } from '../protocol/envelope.js';
import { newId } from '../protocol/ids.js';
import { keyId, publicKeyToRaw } from '../protocol/keys.js';
import { channelSigningInput } from '../protocol/schemas/channel.js';
import { EmergencyAlert } from '../protocol/schemas/notice.js';
import { rootAnchor, verifyRootChain } from '../protocol/tuf/tuf-root.js';
import { AdminClient } from '../provisioning/src/admin-client.js';
import { freePort, LinliProcess } from '../tests/helpers/processes.js';
import type { Benchmark } from './run.js';
import { percentile, round } from './stats.js';

interface Client {
  id: string;
  key: KeyObject;
  ws?: WebSocket;
  raw?: string;
  at?: number;
}

/** CPU time (user + system) of a process, µs, from /proc (clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function handshake(url: string, c: Client, onPush: (c: Client, raw: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    c.ws = ws;
    const timer = setTimeout(() => reject(new Error(`handshake of ${c.id} timed out`)), 60_000);
    ws.on('message', (data) => {
      const text = data.toString();
      // Arrival is stamped before anything else is done with the message.
      if (text.includes('"kind":"emergency"')) return onPush(c, text);
      const msg = JSON.parse(text) as { type: string; nonce?: string };
      if (msg.type === 'challenge') {
        ws.send(
          JSON.stringify({
            type: 'auth',
            deviceId: c.id,
            nonce: msg.nonce,
            sig: signCanonical(channelSigningInput(c.id, msg.nonce!), c.key),
          }),
        );
      } else if (msg.type === 'welcome') {
        clearTimeout(timer);
        resolve();
      }
    });
    ws.on('error', reject);
  });
}

/**
 * Emergency fan-out: N lightweight devices hold real, authenticated channels to a control plane running in
 * its own process; an admin puts up an emergency for the street they are in; we time how long until every
 * device has it. Arrival is stamped on receipt, verification (the same Ed25519 check a device does) is timed
 * separately afterwards, so the shared benchmark process does not hide delivery behind verification.
 */
export const benchmark: Benchmark = {
  name: 'fanout',
  summary:
    'emergency push → N authenticated device channels: delivery p50/p99/max, verify_p99, server CPU per device',
  async run(args, emit) {
    const at = args.indexOf('--devices');
    const n = at >= 0 ? Number(args[at + 1]) : 1000;
    if (!Number.isInteger(n) || n < 1 || n > 18_000) throw new Error('--devices must be 1–18000 (fd limit)');
    const root = mkdtempSync(join(tmpdir(), 'linli-fanout-'));
    const port = await freePort();
    const cp = new LinliProcess('control-plane', [
      'control-plane',
      '--data',
      join(root, 'cp'),
      '--port',
      String(port),
      '--log-level',
      'warn',
    ]);
    try {
      const [, password] = await cp.waitFor(/created admin "admin" with password: (\S+)/);
      await cp.waitFor(/Control plane listening on/);
      const base = `http://127.0.0.1:${port}`;
      const admin = await AdminClient.login(base, 'admin', password!);
      const [city] = await admin.listNodes();
      const district = await admin.createNode({ parentId: city!.id, name: '压测区' });
      const street = await admin.createNode({ parentId: district.id, name: '压测街道' });
      const community = await admin.createNode({ parentId: street.id, name: '压测社区' });
      const token = await admin.createToken({ nodeId: community.id, role: 'lobby', maxUses: 1 });

      // The device rows are written directly (enrolling 10,000 devices over HTTP is not what is measured);
      // every channel still does the real signed-nonce handshake.
      const clients: Client[] = Array.from({ length: n }, () => ({
        id: newId('dev'),
        key: generateKeyPairSync('ed25519').privateKey,
      }));
      const db = new Database(join(root, 'cp', 'linli.sqlite'));
      db.pragma('busy_timeout = 10000');
      const ins = db.prepare(
        `INSERT INTO devices (id, node_id, role, name, public_key, status, tags, token_id, enrolled_at)
         VALUES (?, ?, 'lobby', ?, ?, 'active', '[]', ?, ?)`,
      );
      db.transaction(() => {
        for (const c of clients) {
          ins.run(c.id, community.id, c.id, publicKeyToRaw(createPublicKey(c.key)), token.id, Date.now());
        }
      })();
      db.close();

      let received = 0;
      let allIn: () => void = () => {};
      const done = new Promise<void>((r) => {
        allIn = r;
      });
      const onPush = (c: Client, raw: string) => {
        if (c.at !== undefined) return;
        c.at = performance.now();
        c.raw = raw;
        if (++received === n) allIn();
      };
      const url = `ws://127.0.0.1:${port}${API.deviceChannel}`;
      const connectStart = performance.now();
      for (let i = 0; i < n; i += 250) {
        await Promise.all(clients.slice(i, i + 250).map((c) => handshake(url, c, onPush)));
      }
      const connectMs = performance.now() - connectStart;

      const cpuBefore = cpuMicros(cp.child.pid!);
      const t0 = performance.now();
      const published = await admin.publishNotice({
        targets: { nodeIds: [street.id] },
        title: { zh: '燃气泄漏，请立即撤离' },
        body: { zh: '请按工作人员指引从最近的安全出口离开大楼。' },
        category: 'safety',
        priority: 'emergency',
        emergencyTtlSec: 600,
      });
      const answeredMs = performance.now() - t0;
      await Promise.race([
        done,
        new Promise((_, rej) => setTimeout(() => rej(new Error(`only ${received}/${n} arrived`)), 120_000)),
      ]);
      const cpuAfter = cpuMicros(cp.child.pid!);
      const latencies = clients.map((c) => c.at! - t0);

      // Each device verifies for real: keyset from the enrollment path (root chain → keyset key → keyset).
      const roots = [readFileSync(join(root, 'cp', 'tuf', 'roots', '1.root.json'), 'utf8')];
      const { keysetKey } = verifyRootChain(roots, rootAnchor(roots[0]!));
      const keyring = Keyring.fromKeyset(
        JSON.parse(readFileSync(join(root, 'cp', 'keys', 'keyset.json'), 'utf8')),
        {
          kid: keyId(keysetKey),
          uses: ['root'],
          publicKey: keysetKey,
        },
      ).keyring;
      // A device verifies one alert; the first verify in a process also compiles the payload schema, which a
      // running device did long before: warm that up once so the figure is the signature check itself.
      for (const c of clients.slice(0, 20)) {
        verifyEnvelope(JSON.parse(c.raw!).envelope, keyring, {
          type: 'linli.emergency/v1',
          schema: EmergencyAlert,
        });
      }
      const verifies: number[] = [];
      for (const c of clients) {
        const s = performance.now();
        const msg = JSON.parse(c.raw!) as { envelope: unknown };
        const alert = verifyEnvelope<EmergencyAlert>(msg.envelope, keyring, {
          type: 'linli.emergency/v1',
          schema: EmergencyAlert,
        });
        if (alert.noticeId !== published.notice.id) throw new Error('wrong alert');
        verifies.push(performance.now() - s);
      }
      for (const c of clients) c.ws?.terminate();

      emit({
        name: 'fanout.delivery',
        value: round(percentile(latencies, 99), 1),
        unit: 'ms',
        p50: round(percentile(latencies, 50), 1),
        p99: round(percentile(latencies, 99), 1),
        max: round(Math.max(...latencies), 1),
        min: round(Math.min(...latencies), 1),
        devices: n,
        answeredMs: round(answeredMs, 1),
        connectMs: round(connectMs, 0),
      });
      emit({
        name: 'fanout.verify_p99',
        value: round(percentile(verifies, 99), 3),
        unit: 'ms',
        p50: round(percentile(verifies, 50), 3),
        devices: n,
      });
      emit({
        name: 'fanout.cpu_us_per_device',
        value: round((cpuAfter - cpuBefore) / n, 1),
        unit: 'µs',
        devices: n,
      });
    } finally {
      await cp.stop();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
