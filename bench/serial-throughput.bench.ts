import { createReadStream, createWriteStream } from 'node:fs';
import { SerialTransport } from '../device-drivers/transports/serial-transport.js';
import { openPtyPair } from '../tests/contract/pty-pair.js';
import type { Benchmark } from './run.js';
import { round } from './stats.js';

const CHUNK = 4096;

/** Raw baseline: plain fs streams on a fresh socat pty pair, no serialport, no Transport. */
async function rawRun(total: number): Promise<number> {
  const pair = await openPtyPair();
  const out = createWriteStream(pair.host);
  const inp = createReadStream(pair.device, { highWaterMark: 64 * 1024 });
  // A read still pending when socat exits ends in EIO: expected at teardown, not a failure.
  inp.on('error', () => undefined);
  out.on('error', () => undefined);
  let got = 0;
  const t0 = performance.now();
  const done = new Promise<void>((resolve) =>
    inp.on('data', (c) => {
      got += c.length;
      if (got >= total) resolve();
    }),
  );
  const chunk = Buffer.alloc(CHUNK, 0x55);
  for (let sent = 0; sent < total; sent += CHUNK)
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  await done;
  const secs = (performance.now() - t0) / 1000;
  inp.destroy();
  out.destroy();
  await pair.close();
  return total / secs;
}

/** The same transfer through SerialTransport (serialport 13) on both ends of a fresh pty pair. */
async function transportRun(total: number): Promise<number> {
  const pair = await openPtyPair();
  const a = new SerialTransport({ path: pair.host, baudRate: 115200 });
  const b = new SerialTransport({ path: pair.device, baudRate: 115200 });
  await a.open();
  await b.open();
  let got = 0;
  const t0 = performance.now();
  const done = new Promise<void>((resolve) =>
    b.onData((c) => {
      got += c.length;
      if (got >= total) resolve();
    }),
  );
  const chunk = new Uint8Array(CHUNK).fill(0x55);
  for (let sent = 0; sent < total; sent += CHUNK) await a.write(chunk);
  await done;
  const secs = (performance.now() - t0) / 1000;
  await a.close();
  await b.close();
  await pair.close();
  return total / secs;
}

export const benchmark: Benchmark = {
  name: 'serial-throughput',
  summary: 'sustained bytes/s over a socat pty: SerialTransport vs raw fs streams on the same kind of pty',
  async run(args, emit) {
    const total = (Number(args[args.indexOf('--mib') + 1]) || 4) * 1024 * 1024;
    const rounds = 3;
    const raw: number[] = [];
    const ours: number[] = [];
    // Interleaved so machine noise hits both alike.
    for (let i = 0; i < rounds; i++) {
      raw.push(await rawRun(total));
      ours.push(await transportRun(total));
    }
    const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const value = med(ours);
    const baseline = med(raw);
    emit({
      name: 'serial-throughput',
      value: round(value, 0),
      unit: 'bytes/s',
      baseline: round(baseline, 0),
      ratio: round(value / baseline, 3),
      bytes: total,
      rounds,
    });
  },
};
