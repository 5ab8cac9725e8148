import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SEED_ACCOUNTS } from '../../control-plane/src/adapters/billers/seed-accounts.js';
import { formatFen } from '../../protocol/money.js';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { type Command, wantsHelp } from '../command.js';
import { DemoChild, runLinli } from '../demo/child.js';
import { DEMO_CARD_UID, demoDevices, isEnrolled, loadDemoState, setUpDemo } from '../demo/setup.js';

const HELP = `Usage: linli demo [--data DIR] [--port N]

Starts the whole system on loopback: a control plane with embedded storage, then a payment kiosk, a lobby
screen and an LED sign, each a separate \`linli device\` process talking to the control plane over real HTTP
and WebSocket. On the first run it creates a community (和平区 › 幸福街道 › 阳光社区), enrolls the three devices
with one-time enrollment tokens, and publishes a welcome notice. A second run reuses the data dir.

Options:
  --data DIR   data root (default ./data, or LINLI_DATA): control plane in DIR/control-plane,
               devices in DIR/devices/<name>, logs in DIR/logs
  --port N     control plane port (default 8080, or LINLI_PORT); the kiosk, lobby screen and LED sign
               listen on N+1, N+2 and N+3
  -h, --help   this text

Ctrl-C stops everything cleanly.
`;

export const command: Command = {
  name: 'demo',
  summary: 'start a control plane, enroll a kiosk, a lobby screen and an LED sign, and publish a notice',
  help: HELP,
  async run(argv) {
    if (wantsHelp(argv)) {
      process.stdout.write(HELP);
      return 0;
    }
    const { values } = parseArgs({
      args: argv,
      options: { data: { type: 'string' }, port: { type: 'string' } },
      strict: true,
    });
    const dataDir = resolve(values.data ?? process.env.LINLI_DATA ?? './data');
    const port = Number(values.port ?? process.env.LINLI_PORT ?? 8080);
    if (!Number.isInteger(port) || port < 1 || port > 65_532) {
      process.stderr.write(`linli demo: --port must be an integer between 1 and 65532, got ${values.port}\n`);
      return 2;
    }
    return runDemo(dataDir, port);
  },
};

async function runDemo(dataDir: string, port: number): Promise<number> {
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const serverUrl = `http://127.0.0.1:${port}`;
  const say = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const children: DemoChild[] = [];
  let adminToken: string | undefined;
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    await Promise.all([...children].reverse().map((c) => c.stop()));
  };

  try {
    say(`Linli demo — data in ${dataDir}, logs in ${logDir}`);
    const cp = new DemoChild(
      'control-plane',
      [
        'control-plane',
        '--data',
        join(dataDir, 'control-plane'),
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
      ],
      logDir,
    );
    children.push(cp);
    await cp.waitFor(/Control plane listening on (\S+)/);
    let password = cp.recentOutput.match(/created admin "admin" with password: (\S+)/)?.[1];

    const devices = demoDevices(dataDir);
    const statePath = join(dataDir, 'demo.json');
    const known = loadDemoState(statePath);
    const needsAdmin = devices.some((d) => !isEnrolled(d)) || !known.welcomeNoticeId || !known.cardId;
    if (needsAdmin) {
      if (!password) {
        // A re-run whose first run was interrupted: the only way in is a fresh password.
        const out = await runLinli(
          'reset-admin',
          ['control-plane', '--data', join(dataDir, 'control-plane'), '--reset-admin-password'],
          logDir,
        );
        password = out.match(/password: (\S+)/)?.[1];
      }
      const admin = await AdminClient.login(serverUrl, 'admin', password ?? '');
      await setUpDemo({ admin, serverUrl, statePath, devices, logDir, say });
      adminToken = admin.token;
    }

    const urls: Record<string, string> = {};
    // (set above when the demo logged in as admin to set things up)
    for (const [i, d] of devices.entries()) {
      const child = new DemoChild(
        d.name,
        ['device', '--state', d.stateDir, '--port', String(port + 1 + i)],
        logDir,
      );
      children.push(child);
      const m = await child.waitFor(/serving on (http:\/\/\S+)/);
      urls[d.name] = m[1]!;
    }

    printSummary({ serverUrl, password, urls, dataDir, say, adminToken });
    for (const c of children) {
      void c.exited.then((code) => {
        if (!stopping) {
          say(
            `\n${c.name} stopped unexpectedly (exit ${code}); last output:\n${c.recentOutput.slice(-1500)}`,
          );
          void stopAll().then(() => process.exit(1));
        }
      });
    }
    await new Promise<void>((resolveSignal) => {
      process.once('SIGINT', () => resolveSignal());
      process.once('SIGTERM', () => resolveSignal());
    });
    say('\nStopping…');
    await stopAll();
    say('Stopped.');
    return 0;
  } catch (err) {
    process.stderr.write(`linli demo: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll();
    return 1;
  }
}

/** Ready-to-paste lines: the lobby screen and the LED sign follow them within a second. */
function noticeHelp(o: {
  serverUrl: string;
  password: string | undefined;
  dataDir: string;
  say: (l: string) => void;
}): void {
  const state = loadDemoState(join(o.dataDir, 'demo.json'));
  const lobby = readDeviceId(join(o.dataDir, 'devices', 'lobby'));
  const led = readDeviceId(join(o.dataDir, 'devices', 'led'));
  const auth = `--server ${o.serverUrl} --password ${o.password ?? '<admin password>'}`;
  const { say } = o;
  say('Publish from the admin side and watch the lobby screen and the LED sign follow (signed, over TUF):');
  say(`  node bin/linli.js notice publish ${auth} --node ${state.communityId} \\`);
  say(
    "    --title '明日停水通知' --body '因管道检修，明日上午九点至下午三点停水，请提前储水。' --category utility --priority important",
  );
  say(
    'An emergency takes over every screen of the street at once; it lapses after --ttl seconds unless renewed:',
  );
  say(`  node bin/linli.js notice emergency ${auth} --node ${state.streetId} \\`);
  say("    --title '燃气泄漏，请立即撤离' --body '请按工作人员指引从最近的安全出口离开大楼。' --ttl 120");
  say('The same with curl (log in, then create with publish:true):');
  say(
    `  TOKEN=$(curl -s ${o.serverUrl}/api/v1/admin/login -H 'content-type: application/json' -d '{"username":"admin","password":"${o.password ?? '<admin password>'}"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')`,
  );
  say(
    `  curl -s ${o.serverUrl}/api/v1/admin/notices -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"targets":{"nodeIds":["${state.streetId}"]},"title":{"zh":"暴雨红色预警"},"body":{"zh":"请勿外出，远离低洼地带。"},"priority":"emergency","emergencyTtlSec":120,"publish":true}'`,
  );
  say('Then: who showed it, and when; what the screens show now:');
  say(`  node bin/linli.js notice list ${auth}`);
  say(`  node bin/linli.js notice plays <notice id> ${auth}`);
  say(`  node bin/linli.js notice screenshot ${lobby ?? '<lobby device id>'} ${auth} --out .`);
  say(`  node bin/linli.js notice screenshot ${led ?? '<led device id>'} ${auth} --out .`);
  say('');
}

function readDeviceId(stateDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(stateDir, 'identity.json'), 'utf8')) as { deviceId: string })
      .deviceId;
  } catch {
    return undefined;
  }
}

function printSummary(o: {
  serverUrl: string;
  password: string | undefined;
  urls: Record<string, string>;
  dataDir: string;
  say: (l: string) => void;
  adminToken: string | undefined;
}): void {
  const { say, urls } = o;
  const accounts = ['water', 'electricity', 'gas', 'property'].map((b) => {
    const a = SEED_ACCOUNTS.find((s) => s.billerId === b)!;
    return `${b} ${a.account} (￥${formatFen(a.bills[0]!.amountFen)})`;
  });
  say('');
  say('Linli is running. Open:');
  say(`  Admin console         ${o.serverUrl}/console   (log in with the admin password below)`);
  say(`  Admin API docs        ${o.serverUrl}/docs`);
  say(`  Lobby screen          ${urls.lobby}/screen`);
  say(`  Kiosk                 ${urls.kiosk}/kiosk`);
  say(`  LED sign (live)       ${urls.led}/led`);
  say(`  Receipt verification  ${o.serverUrl}/r/<receipt id>  (the QR on each printed receipt)`);
  say('');
  say(
    o.password
      ? `Admin login: admin / ${o.password}   (shown once; only its hash is stored)`
      : `Admin login: admin — the password was shown on the first run; get a new one with:\n  node bin/linli.js control-plane --data ${join(o.dataDir, 'control-plane')} --reset-admin-password`,
  );
  say(`Seeded accounts to pay: ${accounts.join(', ')}`);
  say(
    `Resident card: press "刷居民卡（演示）Tap resident card" on the kiosk page (card ${DEMO_CARD_UID}, 3 accounts)`,
  );
  say(
    'Pay by card terminal or by QR: for QR, open the "simulated wallet" link (or scan the code) and confirm',
  );
  say(`Printed receipts (ESC/POS bytes and PNG previews): ${join(o.dataDir, 'devices', 'kiosk', 'printer')}`);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const report = `${o.serverUrl}/api/v1/admin/reconciliation?date=${today}`;
  say('');
  say("Today's reconciliation report (JSON; add &format=csv for a spreadsheet):");
  if (o.adminToken) say(`  curl -H "Authorization: Bearer ${o.adminToken}" "${report}"`);
  else {
    say(
      `  curl -s -X POST -H 'content-type: application/json' -d '{"username":"admin","password":"<password>"}' ${o.serverUrl}/api/v1/admin/login`,
    );
    say(`  curl -H "Authorization: Bearer <token from the login answer>" "${report}"`);
    say(`  curl -H "Authorization: Bearer $TOKEN" "${report}"`);
  }
  say('');
  noticeHelp(o);
  say('Press Ctrl-C to stop.');
}
