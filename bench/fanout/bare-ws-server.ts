/** The "bare ws" anchor: a `ws` server with default options that accepts and holds connections, nothing else. */
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2]);
const wss = new WebSocketServer({ host: '127.0.0.1', port });
wss.on('listening', () => process.stdout.write('listening\n'));
wss.on('connection', (ws) => ws.on('error', () => {}));
process.on('message', () => {
  process.send?.({ ok: true, value: null });
  wss.close();
  process.disconnect();
  process.exit(0);
});
