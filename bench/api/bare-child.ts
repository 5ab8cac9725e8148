/**
 * The anchor for the api-throughput benchmark: a bare Fastify server, as its own process, that answers each
 * route with the same JSON body the control plane gave for it (serialized per request, as a route does).
 * Bodies come from a JSON file of {path, body}; then it listens and prints `listening`.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const port = Number(process.argv[2]);
const routes = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as { path: string; body: unknown }[];
const app = Fastify({ logger: false });
for (const r of routes) app.get(r.path, async () => r.body);
await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`listening http://127.0.0.1:${port}\n`);
process.on('message', (msg) => {
  if (msg === 'stop') void app.close().then(() => process.exit(0));
});
