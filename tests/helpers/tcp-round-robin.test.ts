import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './processes.js';
import { TcpRoundRobin } from './tcp-round-robin.js';

/** A backend that answers every connection with its name. */
async function namedServer(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => s.end(name));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

async function ask(port: number): Promise<string> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: '127.0.0.1', port });
    let out = '';
    s.on('data', (d) => {
      out += d.toString();
    });
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}

describe('tcp round robin', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('alternates connections between backends and skips one that is down', async () => {
    const a = await namedServer('A');
    const b = await namedServer('B');
    const down = await freePort();
    const rr = new TcpRoundRobin([a.port, down, b.port]);
    const port = await rr.listen();
    cleanups.push(
      () => rr.close(),
      async () => void a.server.close(),
      async () => void b.server.close(),
    );
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await ask(port));
    // The turn that falls on the dead backend goes on to the next one.
    expect(answers).toEqual(['A', 'B', 'B', 'A', 'B', 'B']);
    expect(rr.routed).not.toContain(down);
  });
});
