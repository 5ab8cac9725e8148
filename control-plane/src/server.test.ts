import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { API } from '../../protocol/api.js';
import { ErrorCode } from '../../protocol/errors.js';
import { CloseCode } from '../../protocol/schemas/channel.js';
import { loadConfig } from './config.js';
import { ControlPlane } from './server.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const config = (extra: Record<string, unknown> = {}) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-server-'));
  dirs.push(dataDir);
  return loadConfig({ dataDir, port: 0, logLevel: 'silent', ...extra }, {});
};

describe('ControlPlane start/stop', () => {
  it('starts and stops idempotently, and fills in the public URL once the port is known', async () => {
    const cp = new ControlPlane({ config: config(), announce: () => undefined });
    const [a, b] = await Promise.all([cp.start(), cp.start()]);
    expect(a).toBe(b);
    expect(a).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cp.config.publicUrl).toBe(a);
    const health = await fetch(`${a}${API.healthz}`);
    expect(await health.json()).toMatchObject({ ok: true, storage: { engine: 'sqlite', ok: true } });
    await Promise.all([cp.stop(), cp.stop()]);
    await cp.stop();
    await expect(fetch(`${a}${API.healthz}`)).rejects.toThrow();
    // A stopped control plane can start again on the same data dir.
    const again = await cp.start();
    expect((await fetch(`${again}${API.healthz}`)).status).toBe(200);
    await cp.stop();
  });

  it('keeps an explicit public URL and tells channels "server restart" on stop', async () => {
    const cp = new ControlPlane({
      config: config({ publicUrl: 'https://k.example' }),
      announce: () => undefined,
    });
    const url = await cp.start();
    expect(cp.config.publicUrl).toBe('https://k.example');
    const ws = new WebSocket(`${url.replace('http', 'ws')}${API.deviceChannel}`);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('message', resolve));
    await cp.stop();
    expect(await closed).toBe(CloseCode.SERVER_RESTART);
  });

  it('explains a port that is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const cp = new ControlPlane({ config: config({ port }), announce: () => undefined });
    await expect(cp.start()).rejects.toMatchObject({
      code: ErrorCode.LISTEN_FAILED,
      message: `cannot listen on 127.0.0.1:${port} (EADDRINUSE): another process is using that port; stop it, or pass another --port / LINLI_PORT`,
      details: { field: 'port', errno: 'EADDRINUSE' },
    });
    blocker.close();
  });
});
