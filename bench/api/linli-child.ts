/**
 * The control plane for the api-throughput benchmark, as its own process, on a city-sized tree: 10 districts
 * × 5 streets × 6 communities (361 nodes) with 10 devices in each community (3,000 devices). The tree and the
 * devices are written straight into the store before any request (enrolling 3,000 devices over HTTP would take
 * the benchmark's whole time budget); one kiosk also gets a device session. Prints one JSON line with what the
 * load generator needs, then `listening`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '../../control-plane/src/config.js';
import { randomSecret, sha256B64 } from '../../control-plane/src/crypto/secrets.js';
import { ControlPlane } from '../../control-plane/src/server.js';
import type { DeviceRecord, NodeRecord } from '../../control-plane/src/storage/records.js';
import type { Repository } from '../../control-plane/src/storage/repository.js';
import { insertDevice } from '../../control-plane/src/storage/sqlite/sqlite-devices.js';
import type { SqliteRepository } from '../../control-plane/src/storage/sqlite/sqlite-repository.js';
import { newId } from '../../protocol/ids.js';
import { publicKeyToRaw } from '../../protocol/keys.js';

const [dataDir, port] = process.argv.slice(2);
let announced = '';
const cp = new ControlPlane({
  config: loadConfig({ dataDir, port: Number(port), logLevel: 'warn' }, {}),
  announce: (line) => {
    announced += `${line}\n`;
  },
});
const url = await cp.start();
const repo = cp.app!.repo as Repository;
const password = /password: (\S+)/.exec(announced)?.[1];
const [city] = await repo.nodes.listRoots();
const firstAdmin = await repo.admins.findByUsername('admin');
if (!city || !password || !firstAdmin)
  throw new Error(`no city or first password after start:\n${announced}`);

let t = Date.now();
async function child(parent: NodeRecord, level: NodeRecord['level'], name: string): Promise<NodeRecord> {
  const id = newId('node', t++);
  const node: NodeRecord = {
    id,
    parentId: parent.id,
    level,
    name,
    timezone: parent.timezone,
    ancestry: [...parent.ancestry, id],
    createdAt: t,
  };
  await repo.nodes.create(node);
  return node;
}

const communities: NodeRecord[] = [];
for (let d = 0; d < 10; d++) {
  const district = await child(city, 'district', `区${d}`);
  for (let s = 0; s < 5; s++) {
    const street = await child(district, 'street', `街道${d}-${s}`);
    for (let c = 0; c < 6; c++) communities.push(await child(street, 'community', `社区${d}-${s}-${c}`));
  }
}
const tokenId = newId('tok', t);
await repo.tokens.create({
  id: tokenId,
  secretHash: sha256B64(randomSecret()),
  nodeId: city.id,
  role: 'kiosk',
  maxUses: 1,
  uses: 0,
  expiresAt: t + 3_600_000,
  revokedAt: null,
  tags: [],
  createdBy: firstAdmin.id,
  createdAt: t,
});
const devices: DeviceRecord[] = [];
const roles = ['kiosk', 'lobby', 'led'] as const;
for (const community of communities) {
  for (let i = 0; i < 10; i++) {
    devices.push({
      id: newId('dev', t++),
      nodeId: community.id,
      role: roles[i % 3]!,
      name: `${community.name}-${i}`,
      publicKey: publicKeyToRaw(generateKeyPairSync('ed25519').publicKey),
      status: 'active',
      tags: ['lobby-a'],
      hardware: null,
      tokenId,
      enrolledAt: t,
      lastSeenAt: null,
      lastStatus: null,
      revokedAt: null,
    });
  }
}
const { db } = repo as SqliteRepository;
db.transaction(() => {
  for (const d of devices) insertDevice(db, d);
})();
// Written behind the hierarchy service's back: tell it, as another instance's signal would.
cp.app!.services.hierarchy.invalidate();
const kiosk = devices[0]!;
const deviceToken = `lds1.${randomSecret()}`;
await repo.devices.createSession({
  tokenHash: sha256B64(deviceToken),
  subjectId: kiosk.id,
  createdAt: Date.now(),
  expiresAt: Date.now() + 3_600_000,
});
process.stdout.write(
  `${JSON.stringify({ url, password, community: communities[137]!.id, deviceToken, nodes: 1 + 10 + 50 + communities.length, devices: devices.length })}\n`,
);
process.stdout.write(`listening ${url}\n`);
process.on('message', (msg) => {
  if (msg === 'stop') void cp.stop().then(() => process.exit(0));
});
