import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'linli.js');
const dataDir = mkdtempSync(join(tmpdir(), 'linli-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs the control plane until it prints its URL; resolves with the stdout lines so far. */
function startProcess(): Promise<{ child: ChildProcess; lines: string[]; url: string }> {
  const child = spawn(
    process.execPath,
    [BIN, 'control-plane', '--data', dataDir, '--port', '0', '--log-level', 'warn'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d) => {
      buf += String(d);
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        const m = /^Control plane listening on (http:\/\/\S+)$/.exec(line);
        if (m?.[1]) resolve({ child, lines, url: m[1] });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('linli control-plane', () => {
  it('prints the first-start password once, serves, and exits cleanly on SIGTERM', async () => {
    const first = await startProcess();
    expect(first.lines[0]).toMatch(
      /^First start: created admin "admin" with password: \S+ \(shown once; only its hash is stored\)$/,
    );
    const password = /password: (\S+)/.exec(first.lines[0]!)?.[1];
    // What README.md shows of a first start, with this run's password and URL put back as it writes them.
    await new Promise((r) => setTimeout(r, 200));
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const shown = first.lines
      .slice(0, 4)
      .map((l) => l.replace(password!, '<password>').replaceAll(first.url, 'http://127.0.0.1:8080'));
    expect(shown).toHaveLength(4);
    expect(readme).toContain(`$ node bin/linli.js control-plane --data ./data\n${shown.join('\n')}\n\`\`\``);
    const login = await fetch(`${first.url}/api/v1/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    expect(await stop(first.child)).toBe(0);

    const second = await startProcess();
    expect(second.lines.some((l) => l.startsWith('First start'))).toBe(false);
    expect(await stop(second.child)).toBe(0);

    const reset = spawnSync(
      process.execPath,
      [BIN, 'control-plane', '--data', dataDir, '--reset-admin-password'],
      {
        encoding: 'utf8',
      },
    );
    expect(reset.status).toBe(0);
    expect(reset.stdout).toMatch(/^Reset: admin "admin" now has password: \S+ \(shown once/);
  });

  it('has --help and refuses bad flags with a coded message', () => {
    const help = spawnSync(process.execPath, [BIN, 'control-plane', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--reset-admin-password');
    expect(help.stdout).toContain('LINLI_PORT');
    const bad = spawnSync(process.execPath, [BIN, 'control-plane', '--port', 'many'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('LINLI_ERR_CONFIG_INVALID');
    const unknown = spawnSync(process.execPath, [BIN, 'control-plane', '--colour'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
  });
});
