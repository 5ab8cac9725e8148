/**
 * Child process of the fanout-vs-mosquitto bench: holds N raw-socket receivers of one kind (Linli device
 * channels, MQTT subscribers, or bare WebSocket clients) and, on command, publishes and times delivery to all
 * of them. Publisher and receivers share this process's clock, so a round needs no cross-process timing; one
 * child per side, so both sides' receivers cost the same and neither side's sockets crowd the other's fds.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import Database from 'better-sqlite3';
import { API } from '../../protocol/api.js';
import { signCanonical } from '../../protocol/envelope.js';
import { newId } from '../../protocol/ids.js';
import { publicKeyToRaw } from '../../protocol/keys.js';
import { channelSigningInput } from '../../protocol/schemas/channel.js';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { percentile, round } from '../stats.js';
import { publishPacket, RawMqtt } from './raw-mqtt.js';
import { RawWs } from './raw-ws.js';

export type Setup =
  | {
      kind: 'linli';
      n: number;
      port: number;
      dbPath: string;
      nodeId: string;
      streetId: string;
      tokenId: string;
      password: string;
    }
  | { kind: 'mqtt'; n: number; port: number; topic: string }
  | { kind: 'ws'; n: number; port: number };

export interface RoundResult {
  received: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
  payloadBytes: number;
  noticeId?: string;
}

const PUSH_PREFIX = Buffer.from('{"type":"push"');
const TIMEOUT_MS = 30_000;

let n = 0;
let armed = false;
let t0 = 0;
let received = 0;
let arrivals: Float64Array = new Float64Array(0);
let lastPayload: Buffer | undefined;
let allIn: (() => void) | undefined;
const closers: Array<() => void> = [];
let publish: (() => Promise<string | undefined>) | undefined;

function arrive(i: number, payload: Buffer, at: number): void {
  if (!armed || arrivals[i]! > 0) return;
  arrivals[i] = at - t0;
  lastPayload = payload;
  if (++received === n) allIn?.();
}

async function inBatches(count: number, fn: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < count; i += 250) {
    await Promise.all(Array.from({ length: Math.min(250, count - i) }, (_, k) => fn(i + k)));
  }
}

async function setupLinli(s: Extract<Setup, { kind: 'linli' }>): Promise<void> {
  const devices = Array.from({ length: s.n }, () => ({
    id: newId('dev'),
    key: generateKeyPairSync('ed25519').privateKey as KeyObject,
  }));
  // Rows written directly (enrolling 10,000 devices over HTTP is not what is measured); every channel still
  // does the real signed-nonce handshake below.
  const db = new Database(s.dbPath);
  db.pragma('busy_timeout = 10000');
  const ins = db.prepare(
    `INSERT INTO devices (id, node_id, role, name, public_key, status, tags, token_id, enrolled_at)
     VALUES (?, ?, 'lobby', ?, ?, 'active', '[]', ?, ?)`,
  );
  db.transaction(() => {
    for (const d of devices) {
      ins.run(d.id, s.nodeId, d.id, publicKeyToRaw(createPublicKey(d.key)), s.tokenId, Date.now());
    }
  })();
  db.close();
  await inBatches(s.n, async (i) => {
    const d = devices[i]!;
    let welcomed: (() => void) | undefined;
    const done = new Promise<void>((r) => {
      welcomed = r;
    });
    let open = false;
    const ws = await RawWs.open(s.port, API.deviceChannel, (text, at, self) => {
      if (open) {
        if (text.subarray(0, PUSH_PREFIX.length).equals(PUSH_PREFIX)) arrive(i, text, at);
        return;
      }
      const msg = JSON.parse(text.toString()) as { type: string; nonce?: string };
      if (msg.type === 'challenge') {
        self.sendText(
          JSON.stringify({
            type: 'auth',
            deviceId: d.id,
            nonce: msg.nonce,
            sig: signCanonical(channelSigningInput(d.id, msg.nonce!), d.key),
          }),
        );
      } else if (msg.type === 'welcome') {
        open = true;
        welcomed!();
      }
    });
    closers.push(() => ws.socket.destroy());
    const timer = setTimeout(() => ws.socket.destroy(new Error(`handshake of ${d.id} timed out`)), 60_000);
    await done;
    clearTimeout(timer);
  });
  const admin = await AdminClient.login(`http://127.0.0.1:${s.port}`, 'admin', s.password);
  let k = 0;
  publish = async () => {
    const res = await admin.publishNotice({
      targets: { nodeIds: [s.streetId] },
      title: { zh: `燃气泄漏，请立即撤离 #${++k}` },
      body: { zh: '请按工作人员指引从最近的安全出口离开大楼。' },
      category: 'safety',
      priority: 'emergency',
      emergencyTtlSec: 600,
    });
    return res.notice.id;
  };
}

async function setupMqtt(s: Extract<Setup, { kind: 'mqtt' }>): Promise<void> {
  await inBatches(s.n, async (i) => {
    const c = await RawMqtt.open(s.port, `r${i}`, s.topic, (payload, at) => arrive(i, payload, at));
    closers.push(() => c.socket.destroy());
  });
  const pub = await RawMqtt.open(s.port, 'publisher', undefined, () => {});
  closers.push(() => pub.socket.destroy());
  publish = async () => {
    // Same payload size as Linli's push frame (set by the parent from the Linli round).
    pub.socket.write(publishPacket(s.topic, Buffer.alloc(payloadBytes, 0x61)));
    return undefined;
  };
}

async function setupWs(s: Extract<Setup, { kind: 'ws' }>): Promise<void> {
  await inBatches(s.n, async () => {
    const ws = await RawWs.open(s.port, '/', () => {});
    closers.push(() => ws.socket.destroy());
  });
}

let payloadBytes = 1024;

async function runRound(): Promise<RoundResult> {
  arrivals = new Float64Array(n);
  received = 0;
  lastPayload = undefined;
  const done = new Promise<void>((r) => {
    allIn = r;
  });
  armed = true;
  t0 = performance.now();
  const noticeId = await publish!();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, TIMEOUT_MS)))]);
  clearTimeout(timer);
  armed = false;
  const got = Array.from(arrivals).filter((x) => x > 0);
  const payload = lastPayload as Buffer | undefined;
  if (noticeId && payload && !payload.includes(noticeId))
    throw new Error('a push for another notice arrived');
  return {
    received,
    p50: round(percentile(got, 50), 1),
    p99: round(percentile(got, 99), 1),
    max: round(Math.max(...got), 1),
    min: round(Math.min(...got), 1),
    payloadBytes: payload?.length ?? 0,
    ...(noticeId ? { noticeId } : {}),
  };
}

type Command = { cmd: 'setup'; setup: Setup } | { cmd: 'round'; payloadBytes?: number } | { cmd: 'close' };

process.on('message', (m: Command) => {
  const reply = (v: unknown) => process.send!({ ok: true, value: v });
  const fail = (err: unknown) => process.send!({ ok: false, error: String((err as Error)?.stack ?? err) });
  if (m.cmd === 'setup') {
    n = m.setup.n;
    const start = performance.now();
    const s = m.setup;
    const p = s.kind === 'linli' ? setupLinli(s) : s.kind === 'mqtt' ? setupMqtt(s) : setupWs(s);
    p.then(() => reply({ connectMs: round(performance.now() - start, 0) }), fail);
  } else if (m.cmd === 'round') {
    if (m.payloadBytes) payloadBytes = m.payloadBytes;
    runRound().then(reply, fail);
  } else {
    for (const c of closers) c();
    reply(null);
    process.disconnect();
  }
});
