import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../protocol/api.js';
import { createHarness, type Harness } from './testing/harness.js';

const SRC = import.meta.dirname;
const BIN = join(SRC, '..', '..', 'bin', 'linli.js');

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('GET /', () => {
  it('sends a person who types the address to the admin console', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/console');
    expect((await h.app.inject({ method: 'GET', url: '/console' })).statusCode).toBe(200);
  });
});

/** Files autoload would load: everything but tests and the routes' shared helpers (app.ts NOT_A_PLUGIN). */
function sources(dir: string): string[] {
  return readdirSync(join(SRC, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'common.ts')
    .map((f) => join(dir, f));
}

describe('the autoloaded layout', () => {
  it('gives every plugin and route module a default export (autoload skips the others silently)', async () => {
    const missing: string[] = [];
    let plugins = 0;
    for (const file of [...sources('plugins'), ...sources('routes')]) {
      const mod = (await import(join(SRC, file))) as Record<string, unknown>;
      const named = Object.entries(mod).filter(
        ([k, v]) => k !== 'default' && typeof v === 'function' && /(Routes|Plugin)$/.test(k),
      );
      if (named.length === 0 || mod.autoload === false) continue;
      plugins++;
      if (!named.some(([, v]) => v === mod.default)) missing.push(file);
    }
    expect(plugins).toBeGreaterThan(35);
    expect(missing).toEqual([]);
  });

  it('still documents every autoloaded route in the OpenAPI page (and hides GET /)', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([API.login, API.devices, API.deviceSession, API.healthz, API.enroll]),
    );
    expect(doc.paths['/']).toBeUndefined();
  });

  it('has one auth hook for the admin folder and one for the device folder', () => {
    for (const dir of ['routes/admin', 'routes/device']) {
      expect(readdirSync(join(SRC, dir)).filter((f) => /^autohooks\.ts$/.test(f))).toEqual(['autohooks.ts']);
    }
  });

  // Vitest is a runtime autoload recognises on its own; `node bin/linli.js` (tsx's register()) is not.
  it('loads under `node bin/linli.js control-plane`, outside Vitest', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'linli-layout-'));
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^VITEST|^FASTIFY_AUTOLOAD/.test(k)),
    );
    const child = spawn(process.execPath, [BIN, 'control-plane', '--data', dataDir, '--port', '0'], {
      env: { ...env, LINLI_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
          const m = /Control plane listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
      });
      const home = await fetch(`${url}/`, { redirect: 'manual' });
      expect([home.status, home.headers.get('location')]).toEqual([302, '/console']);
      const devices = await fetch(`${url}${API.devices}`);
      expect(devices.status).toBe(401);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(`${dataDir}-offline-keys`, { recursive: true, force: true });
    }
  }, 90_000);
});
