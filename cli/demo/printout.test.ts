import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../control-plane/src/config.js';
import { ControlPlane } from '../../control-plane/src/server.js';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { REPO_ROOT } from '../../tests/helpers/processes.js';
import { demoPrintout, kioskWords } from './printout.js';

/** Async: the control plane under test runs in this process, so a sync spawn would block it. */
async function bash(script: string): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 25_000,
    });
    return { status: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { status: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

/** The shell lines of the printout: indented lines that run something. */
const commands = (lines: string[]): string[] =>
  lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => /^ {2}(TOKEN=|curl |node )/.test(l))
    .map((l) => l.trim());

/** `$NAME` uses in a shell line, and `NAME=` assignments at its start. */
const uses = (line: string): string[] => [...line.matchAll(/\$([A-Z_][A-Z0-9_]*)\b/g)].map((m) => m[1]!);
const assigns = (line: string): string[] => [...line.matchAll(/^([A-Z_][A-Z0-9_]*)=/g)].map((m) => m[1]!);

const base = mkdtempSync(join(tmpdir(), 'linli-printout-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the demo printout', () => {
  it("names the kiosk's card button with the words the kiosk page shows (same constant)", async () => {
    const words = await kioskWords();
    const text = demoPrintout({ serverUrl: 'http://x', password: 'p', urls: {}, dataDir: base, words }).join(
      '\n',
    );
    const label = words.demoCard;
    expect(label?.[0]).toBe('演示：刷示范居民卡');
    expect(text).toContain(`"${label![0]}" (${label![1]})`);
    // The screen it is on, named the same way.
    expect(text).toContain(`"${words.payTitle![0]}" (${words.payTitle![1]})`);
    expect(text).not.toContain('刷居民卡（演示）');
  });

  it.each([
    ['first run (password known)', 'secret-pw'],
    ['later run (password not shown again)', undefined],
  ])('%s: every variable a shell line uses is set by an earlier line', async (_, password) => {
    const lines = demoPrintout({
      serverUrl: 'http://127.0.0.1:8080',
      password,
      urls: {},
      dataDir: base,
      words: await kioskWords(),
    });
    const cmds = commands(lines);
    expect(cmds.filter((c) => c.includes('$TOKEN')).length).toBeGreaterThanOrEqual(2);
    const defined = new Set<string>();
    for (const c of cmds) {
      for (const v of uses(c)) expect(defined, `${v} is used before it is set in: ${c}`).toContain(v);
      for (const v of assigns(c)) defined.add(v);
    }
  });
});

describe('the printed curl lines, pasted into a shell against a real control plane', () => {
  let cp: ControlPlane;
  let url: string;
  let password = '';
  const dataDir = join(base, 'demo');

  beforeAll(async () => {
    const cfg = loadConfig({ dataDir: join(dataDir, 'control-plane'), port: 0, logLevel: 'silent' }, {});
    cp = new ControlPlane({
      config: cfg,
      announce: (line) => {
        password = /password: (\S+)/.exec(line)?.[1] ?? password;
      },
    });
    url = await cp.start();
    // What the demo's set-up leaves in demo.json: the nodes the printed lines target.
    const admin = await AdminClient.login(url, 'admin', password);
    const [city] = await admin.listNodes();
    const district = await admin.createNode({ parentId: city!.id, name: '和平区', level: 'district' });
    const street = await admin.createNode({ parentId: district.id, name: '幸福街道', level: 'street' });
    const community = await admin.createNode({ parentId: street.id, name: '阳光社区', level: 'community' });
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      join(dataDir, 'demo.json'),
      JSON.stringify({ streetId: street.id, communityId: community.id, districtId: district.id }),
    );
  });
  afterAll(() => cp.stop());

  it('log in, fetch the reconciliation report and publish an emergency, as printed', async () => {
    const lines = demoPrintout({ serverUrl: url, password, urls: {}, dataDir, words: await kioskWords() });
    const curls = commands(lines).filter((c) => c.startsWith('TOKEN=') || c.startsWith('curl '));
    expect(curls).toHaveLength(3);
    // One shell, as a user pastes them; each answer on its own line for the checks below.
    const script = ['set -eu', ...curls.map((c) => (c.startsWith('curl ') ? `${c}; echo` : c))].join('\n');
    const run = await bash(script);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const [report, created] = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(report).not.toHaveProperty('error');
    expect(report).toHaveProperty('date');
    expect(created).not.toHaveProperty('error');
    expect(created).toMatchObject({ notice: { status: 'published' } });
    const { streetId } = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { streetId: string };
    expect(JSON.stringify(created)).toContain(streetId);
  });

  it('the printed `linli notice emergency` line, given --ttl abc, names the flag and the value', async () => {
    const lines = demoPrintout({ serverUrl: url, password, urls: {}, dataDir, words: await kioskWords() });
    const at = lines.findIndex((l) => l.startsWith('  node bin/linli.js notice emergency'));
    const cmd = `${lines[at]!.trim().replace(/\\$/, '')} ${lines[at + 1]!.trim().replace('--ttl 120', '--ttl abc')}`;
    const run = await bash(cmd);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'linli: LINLI_ERR_BAD_REQUEST: --ttl must be a number of seconds, got "abc"',
    );
  });

  it('the printed `linli notice list` line runs', async () => {
    const lines = demoPrintout({ serverUrl: url, password, urls: {}, dataDir, words: await kioskWords() });
    const list = commands(lines).find((c) => c.startsWith('node bin/linli.js notice list'))!;
    const run = await bash(list);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('暴雨红色预警');
  });
});
