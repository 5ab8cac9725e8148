/**
 * A separate OS process that books one slot many times through its own SQLite connection, for the storage
 * test that proves capacity holds across processes (real parallelism, not interleaved promises).
 * argv: dataDir officeId matterId slotStart capacity attempts. Prints "ready", waits for a line on stdin,
 * then prints one JSON line {ok, full}.
 */
import { createInterface } from 'node:readline';
import { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';

const [dataDir, officeId, matterId, slotStart, capacity, attempts] = process.argv.slice(2);
const repo = SqliteRepository.open(dataDir!);
const tag = `${process.pid}`;
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).once('line', async () => {
  let ok = 0;
  let full = 0;
  for (let i = 0; i < Number(attempts); i++) {
    const id = `apt_${tag}_${i}`;
    const res = await repo.appointments.book({
      id,
      officeId: officeId!,
      matterId: matterId!,
      deviceId: null,
      day: '2026-12-01',
      slotStart: Number(slotStart),
      slotEnd: Number(slotStart) + 1_800_000,
      capacity: Number(capacity),
      idempotencyKey: null,
      requestHash: null,
      createdAt: Date.now(),
      newCode: () => String(Math.floor(Math.random() * 1e8)).padStart(8, '0'),
      seal: (seq, code) => {
        const slip = { id, seq, code } as never;
        return {
          number: `A${String(seq).padStart(3, '0')}`,
          slip,
          envelope: { payload: slip, kid: 'k', sig: 's' },
        };
      },
    });
    if (res.ok) ok++;
    else full++;
  }
  await repo.close();
  process.stdout.write(`${JSON.stringify({ ok, full })}\n`);
});
