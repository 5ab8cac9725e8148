import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A webhook receiver on 127.0.0.1 for tests: records every request and answers with the next status of
 * `statuses` (the last one repeats). `hold` delays answers (to keep an attempt under way).
 */
export async function startReceiver(statuses: number[] = [204], hold = 0) {
  const received: Received[] = [];
  const queue = [...statuses];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body, at: Date.now() });
      const status = queue.length > 1 ? queue.shift()! : queue[0]!;
      setTimeout(() => {
        if (status >= 300 && status < 400) res.setHeader('location', 'http://127.0.0.1:1/elsewhere');
        res.writeHead(status).end();
      }, hold);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Replaces what is answered from now on. */
    answer(next: number[]) {
      queue.splice(0, queue.length, ...next);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
