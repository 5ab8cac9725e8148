/**
 * A separate OS process that enrolls devices with one token through its own store connection, for the
 * contract test proving a token's maxUses holds across processes (real parallelism, not interleaved promises).
 * argv: storeLocation(JSON) tokenId attempts. Prints "ready", waits for a line on stdin, then prints one JSON
 * line {ok, usedUp, other}.
 */
import { createInterface } from 'node:readline';
import { newId } from '../../../protocol/ids.js';
import { PgRepository } from '../storage/pg/pg-repository.js';
import { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';

type Location = { engine: 'sqlite'; dataDir: string } | { engine: 'postgres'; url: string; schema: string };

const [locationJson, tokenId, attempts] = process.argv.slice(2);
const loc = JSON.parse(locationJson!) as Location;
const repo =
  loc.engine === 'sqlite'
    ? SqliteRepository.open(loc.dataDir)
    : await PgRepository.open({ url: loc.url, schema: loc.schema, max: 4 });
const token = await repo.tokens.get(tokenId!);
if (!token) throw new Error(`token ${tokenId} not found`);
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).once('line', async () => {
  const now = Date.now();
  // All attempts in flight at once: on PostgreSQL they run on several pooled connections of this process too.
  const results = await Promise.all(
    Array.from({ length: Number(attempts) }, () =>
      repo.tokens.consumeAndCreateDevice(
        tokenId!,
        {
          id: newId('dev', now),
          nodeId: token.nodeId,
          role: token.role,
          name: `kiosk ${process.pid}`,
          publicKey: newId('key', now),
          status: 'active',
          tags: token.tags,
          hardware: { hostname: `pid-${process.pid}` },
          tokenId: token.id,
          enrolledAt: now,
          lastSeenAt: null,
          lastStatus: null,
          revokedAt: null,
        },
        now,
      ),
    ),
  );
  await repo.close();
  const ok = results.filter((r) => r.ok).length;
  const usedUp = results.filter((r) => !r.ok && r.reason === 'used_up').length;
  process.stdout.write(`${JSON.stringify({ ok, usedUp, other: results.length - ok - usedUp })}\n`);
});
