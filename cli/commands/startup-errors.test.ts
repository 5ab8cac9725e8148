import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, LINLI_BIN, REPO_ROOT } from '../../tests/helpers/processes.js';

/*
 * What a new user sees when `linli control-plane` or `linli demo` cannot start: one coded line naming the
 * cause and what to do, never a stack trace or a regex. Each case spawns the real CLI.
 */

const root = mkdtempSync(join(tmpdir(), 'linli-startup-'));
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `case-${++n}`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function linli(args: string[], env: NodeJS.ProcessEnv = {}, uid?: number): Promise<Run> {
  const child = spawn(process.execPath, [LINLI_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LINLI_PORT: '', LINLI_DATA: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

const README_LINES = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').split('\n');

/**
 * Each line of `text` is in the README's start-up section, once this test's own port, folders and uid are
 * put back as the README writes them (8080, /home/me/linli/data, /srv/linli, uid 1000).
 */
function expectInReadme(text: string, subs: [string | RegExp, string][]): void {
  for (const raw of text.trim().split('\n')) {
    const line = subs.reduce((l, [a, b]) => l.replaceAll(a, b), raw);
    expect(README_LINES, `README.md should show: ${line}`).toContain(line);
  }
}

function expectNoStack(r: Run): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain('unexpected error');
  expect(r.code).toBe(1);
}

function occupy(port: number): Promise<Server> {
  const srv = createServer();
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

/** A port whose next three are free too (the demo's devices use them). */
async function demoPort(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p > 65_000) continue;
    const held: Server[] = [];
    try {
      for (let i = 1; i <= 3; i++) held.push(await occupy(p + i));
      return p;
    } catch {
      // one of the next three is taken: try another
    } finally {
      await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    }
  }
}

/** Root may write anywhere, so a chmod alone would not block it; a uid that chmod does block, if we can. */
const isRoot = process.getuid?.() === 0;
const OTHER_UID = 65_534;

describe('a port that is taken', () => {
  it('linli control-plane says which address, why, and what to do, before creating anything', async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    const data = fresh();
    try {
      const r = await linli(['control-plane', '--data', data, '--port', String(port)]);
      expectNoStack(r);
      expect(r.stderr).toContain(
        `linli: LINLI_ERR_LISTEN_FAILED: cannot listen on 127.0.0.1:${port} (EADDRINUSE): another process is using that port; stop it, or pass another --port / LINLI_PORT`,
      );
      // The check runs before the first start: no admin password scrolled past, nothing half-created.
      expect(r.stdout).not.toContain('First start');
      expect(existsSync(data)).toBe(false);
      expectInReadme(r.stderr, [[`127.0.0.1:${port}`, '127.0.0.1:8080']]);
    } finally {
      blocker.close();
    }
  });

  it("linli demo shows the control plane's own coded line, not the line it waited for", async () => {
    const port = await demoPort();
    const blocker = await occupy(port);
    const data = fresh();
    try {
      const r = await linli(['demo', '--data', data, '--port', String(port)]);
      expectNoStack(r);
      expect(r.stderr).toContain(
        `linli demo: control-plane could not start: LINLI_ERR_LISTEN_FAILED: cannot listen on 127.0.0.1:${port} (EADDRINUSE): another process is using that port; stop it, or pass another --port / LINLI_PORT`,
      );
      expect(r.stderr).toMatch(/\(full log: .*control-plane\.log\)/);
      expect(r.stderr).not.toContain('before printing');
      const subs: [string, string][] = [
        [data, '/home/me/linli/data'],
        [`127.0.0.1:${port}`, '127.0.0.1:8080'],
      ];
      expectInReadme(r.stdout, subs);
      expectInReadme(r.stderr, subs);
    } finally {
      blocker.close();
    }
  });

  it("linli demo names a device port that is taken as the demo's, with the demo's flag", async () => {
    const port = await demoPort();
    const blocker = await occupy(port + 2);
    try {
      const r = await linli(['demo', '--data', fresh(), '--port', String(port)]);
      expectNoStack(r);
      expect(r.stderr).toContain(
        `LINLI_ERR_LISTEN_FAILED: cannot listen on 127.0.0.1:${port + 2} (EADDRINUSE) for the demo's lobby screen (the demo uses ports ${port}–${port + 4})`,
      );
    } finally {
      blocker.close();
    }
  });
});

describe('a bad port value', () => {
  it.each([
    [
      ['control-plane', '--data', 'DATA'],
      { LINLI_PORT: 'abc' },
      'LINLI_PORT must be an integer 0–65535, got "abc"',
    ],
    [
      ['control-plane', '--data', 'DATA', '--port', '99999'],
      {},
      '--port must be an integer 0–65535, got "99999"',
    ],
    [
      ['control-plane', '--data', 'DATA', '--log-level', 'loud'],
      {},
      '--log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ],
    [
      ['control-plane', '--data', 'DATA'],
      { LINLI_AUTO_INIT_KEYS: 'maybe' },
      'LINLI_AUTO_INIT_KEYS must be true or false, got "maybe"',
    ],
    [
      ['demo', '--data', 'DATA'],
      { LINLI_PORT: 'abc' },
      'LINLI_PORT must be an integer 1–65532 (the demo also uses the next three), got "abc"',
    ],
    [
      ['demo', '--data', 'DATA', '--port', '8080.5'],
      {},
      '--port must be an integer 1–65532 (the demo also uses the next three), got "8080.5"',
    ],
    [['device', '--state', 'DATA', '--port', 'abc'], {}, '--port must be an integer 0–65535, got "abc"'],
  ])('%j with %j names the variable and the value', async (args, env, message) => {
    const data = fresh();
    const r = await linli(
      args.map((a) => (a === 'DATA' ? data : a)),
      env,
    );
    expectNoStack(r);
    expect(r.stderr).toContain(`LINLI_ERR_CONFIG_INVALID: ${message}`);
    expect(existsSync(data)).toBe(false);
    if ((env as Record<string, string>).LINLI_PORT === 'abc') expectInReadme(r.stderr, []);
  });
});

describe('a data dir this user cannot write', () => {
  it('under a regular file (ENOTDIR, which blocks root too): coded, naming the folder, no stack trace', async () => {
    const file = join(fresh(), 'a-file');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, 'not a folder');
    const r = await linli(['control-plane', '--data', join(file, 'data'), '--port', '0']);
    expectNoStack(r);
    expect(r.stderr).toContain(
      `linli: LINLI_ERR_DATA_DIR_UNWRITABLE: cannot use data dir ${join(file, 'data')} (ENOTDIR): ${file} is a file, not a folder; pass another folder with --data / LINLI_DATA`,
    );
    const demo = await linli(['demo', '--data', join(file, 'demo')]);
    expectNoStack(demo);
    expect(demo.stderr).toContain(
      `LINLI_ERR_DATA_DIR_UNWRITABLE: cannot use the demo data dir ${join(file, 'demo')} (ENOTDIR)`,
    );
  });

  it('the offline key folder beside it (the stack trace users saw): coded, naming the folder', async () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, 'a-file'), 'not a folder');
    const keys = join(dir, 'a-file', 'offline');
    const r = await linli(['control-plane', '--data', join(dir, 'data'), '--port', '0'], {
      LINLI_OFFLINE_KEYS: keys,
    });
    expectNoStack(r);
    expect(r.stderr).toContain(`LINLI_ERR_DATA_DIR_UNWRITABLE: cannot use the offline root key folder`);
    expect(r.stderr).toContain(keys);
    expect(r.stdout).not.toContain('First start');
  });

  it('inside a chmod 0500 folder (EACCES), run as a user the mode really blocks', async () => {
    const parent = fresh();
    mkdirSync(parent);
    if (isRoot) chownSync(parent, OTHER_UID, OTHER_UID);
    chmodSync(parent, 0o500);
    const uid = isRoot ? OTHER_UID : undefined;
    // The positive control: the mode really blocks this user, or the test would prove nothing.
    expect(
      spawnSync('touch', [join(parent, 'touched')], uid === undefined ? {} : { uid, gid: uid }).status,
    ).not.toBe(0);

    for (const [args, what] of [
      [['control-plane', '--data', join(parent, 'data'), '--port', '0'], 'data dir'],
      [['control-plane', '--data', join(parent, 'data'), '--reset-admin-password'], 'data dir'],
      [['demo', '--data', join(parent, 'data')], 'the demo data dir'],
    ] as const) {
      const r = await linli([...args], { HOME: parent }, uid);
      expectNoStack(r);
      expect(r.stderr).toContain(`LINLI_ERR_DATA_DIR_UNWRITABLE: cannot use ${what} ${args[2]} (EACCES)`);
      expect(r.stderr).toContain(`cannot create folders in ${parent}`);
      expectInReadme(r.stderr, [
        [parent, '/srv/linli'],
        [/uid \d+/g, 'uid 1000'],
      ]);
    }
  });
});
