/**
 * Child process of the reconnect-storm bench: N devices, each with the device runtime's own channel
 * (kiosk/src/channel/device-channel.ts: its handshake, its full-jitter backoff with production defaults), so
 * what is measured is how the real fleet comes back, not a benchmark's idea of it.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import Database from 'better-sqlite3';
import { DeviceChannel } from '../../kiosk/src/channel/device-channel.js';
import type { DeviceIdentity } from '../../kiosk/src/identity/identity.js';
import { silentLogger } from '../../kiosk/src/logger.js';
import { newId } from '../../protocol/ids.js';
import { publicKeyToRaw } from '../../protocol/keys.js';

export interface StormSetup {
  n: number;
  port: number;
  dbPath: string;
  nodeId: string;
  tokenId: string;
  backoffBaseMs: number;
  backoffCapMs: number;
}

export interface StormCounts {
  open: number;
  /** Reconnects scheduled since the last `mark` (the server is back); the two below are attempts begun after it. */
  retries: number;
  refusedByPolicy: number;
  handshakeFailures: number;
  /** Failed attempts by the close code the channel saw (1006: no close frame — refused, reset or timed out). */
  failuresByClose: Record<string, number>;
}

const channels: DeviceChannel[] = [];
let retries = 0;
let refusedByPolicy = 0;
let handshakeFailures = 0;
let open = 0;
const failuresByClose: Record<string, number> = {};
let markAt = Number.POSITIVE_INFINITY;
const wasOpen = new Set<DeviceChannel>();
const connectingAt = new Map<DeviceChannel, number>();

async function setup(s: StormSetup): Promise<number> {
  const devices = Array.from({ length: s.n }, () => ({
    id: newId('dev'),
    key: generateKeyPairSync('ed25519').privateKey as KeyObject,
  }));
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
  const start = performance.now();
  for (const d of devices) {
    const ch = new DeviceChannel({
      serverUrl: `http://127.0.0.1:${s.port}`,
      // The channel reads only these two; the rest of an identity (trust root, keyring) is for content.
      identity: { deviceId: d.id, privateKey: d.key } as unknown as DeviceIdentity,
      log: silentLogger,
      backoffBaseMs: s.backoffBaseMs,
      backoffCapMs: s.backoffCapMs,
      stableAfterMs: 60_000,
      handshakeTimeoutMs: 10_000,
      contentVersion: () => undefined,
    });
    ch.on('state', (st) => {
      if (st === 'connecting') connectingAt.set(ch, performance.now());
      if (st === 'open') {
        if (!wasOpen.has(ch)) {
          wasOpen.add(ch);
          open++;
        }
      } else if (wasOpen.delete(ch)) open--;
    });
    ch.on('retry', (r) => {
      retries++;
      // Only attempts begun after the server was back count: one refused while it was down is expected.
      if ((connectingAt.get(ch) ?? 0) < markAt) return;
      if (r.code) refusedByPolicy++;
      else handshakeFailures++;
      const k = String(r.closeCode);
      failuresByClose[k] = (failuresByClose[k] ?? 0) + 1;
    });
    channels.push(ch);
  }
  // The first connect is paced (it is not what is measured): batches of 200.
  for (let i = 0; i < channels.length; i += 200) {
    const batch = channels.slice(i, i + 200);
    for (const ch of batch) ch.start();
    const deadline = Date.now() + 60_000;
    while (batch.some((ch) => ch.state !== 'open')) {
      if (Date.now() > deadline) throw new Error('initial connect did not finish in 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return Math.round(performance.now() - start);
}

type Command = { cmd: 'setup'; setup: StormSetup } | { cmd: 'counts' } | { cmd: 'mark' } | { cmd: 'close' };

process.on('message', (m: Command) => {
  const reply = (v: unknown) => process.send!({ ok: true, value: v });
  const fail = (err: unknown) => process.send!({ ok: false, error: String((err as Error)?.stack ?? err) });
  if (m.cmd === 'setup') setup(m.setup).then(reply, fail);
  else if (m.cmd === 'counts')
    reply({ open, retries, refusedByPolicy, handshakeFailures, failuresByClose } satisfies StormCounts);
  else if (m.cmd === 'mark') {
    markAt = performance.now();
    retries = 0;
    refusedByPolicy = 0;
    handshakeFailures = 0;
    reply(null);
  } else {
    Promise.all(channels.map((c) => c.stop())).then(() => {
      reply(null);
      process.disconnect();
    }, fail);
  }
});
