/**
 * A separate OS process creating commands for one device through its own store connection, for the contract
 * test proving seqs stay distinct and gapless across processes. argv: storeLocation(JSON) deviceId count.
 * Prints "ready", waits for a line on stdin, then prints the seqs it got as one JSON line.
 */
import { createInterface } from 'node:readline';
import { newId } from '../../../protocol/ids.js';
import { PgRepository } from '../storage/pg/pg-repository.js';
import { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';

type Location = { engine: 'sqlite'; dataDir: string } | { engine: 'postgres'; url: string; schema: string };

const [locationJson, deviceId, count] = process.argv.slice(2);
const loc = JSON.parse(locationJson!) as Location;
const repo =
  loc.engine === 'sqlite'
    ? SqliteRepository.open(loc.dataDir)
    : await PgRepository.open({ url: loc.url, schema: loc.schema, max: 4 });
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).once('line', async () => {
  const now = Date.now();
  // All in flight at once: on PostgreSQL several pooled connections of this process race too.
  const made = await Promise.all(
    Array.from({ length: Number(count) }, () =>
      repo.commands.create(
        {
          id: newId('cmd', now),
          deviceId: deviceId!,
          op: 'refresh-content',
          args: {},
          createdBy: `pid-${process.pid}`,
          issuedAt: now,
          expiresAt: now + 60_000,
        },
        (seq) => ({ payload: { seq }, kid: 'k', sig: 's' }),
      ),
    ),
  );
  await repo.close();
  process.stdout.write(`${JSON.stringify(made.map((c) => c.seq))}\n`);
});
