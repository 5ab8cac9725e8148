import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkWritableDir, probeListen } from '../../control-plane/src/startup-checks.js';
import { RESTART_EXIT_CODE } from '../../kiosk/src/restart-code.js';
import { LinliError } from '../../protocol/errors.js';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { type Command, parseFlags, wantsHelp } from '../command.js';
import { DemoChild, runLinli } from '../demo/child.js';
import { demoPrintout, kioskWords } from '../demo/printout.js';
import { demoDevices, isEnrolled, loadDemoState, setUpDemo } from '../demo/setup.js';
import { fromFlagOrEnv, parsePort } from '../port-value.js';

const HELP = `Usage: linli demo [--data DIR] [--port N]

Starts the whole system on loopback: a control plane with embedded storage, then a payment kiosk, a lobby
screen and an LED sign, each a separate \`linli device\` process talking to the control plane over real HTTP
and WebSocket. On the first run it creates a community (和平区 › 幸福街道 › 阳光社区), enrolls the three devices
with one-time enrollment tokens, and publishes a welcome notice. A second run reuses the data dir.

Options:
  --data DIR   data root (default ./data, or LINLI_DATA): control plane in DIR/control-plane,
               devices in DIR/devices/<name>, logs in DIR/logs
  --port N     control plane port (default 8080, or LINLI_PORT); the kiosk, lobby screen and LED sign
               listen on N+1, N+2 and N+3, Prometheus /metrics on 127.0.0.1:N+4 (LINLI_METRICS_PORT)
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
    const parsed = parseFlags('demo', argv, { data: { type: 'string' }, port: { type: 'string' } });
    if (typeof parsed === 'number') return parsed;
    const { values } = parsed;
    const dataDir = resolve(fromFlagOrEnv(values.data, '--data', 'LINLI_DATA')?.raw ?? './data');
    const portFrom = fromFlagOrEnv(values.port, '--port', 'LINLI_PORT');
    const port = portFrom
      ? parsePort(portFrom.raw, portFrom.label, {
          min: 1,
          max: 65_532,
          note: 'the demo also uses the next three',
        })
      : 8080;
    checkWritableDir(dataDir, 'the demo data dir', 'pass another folder with --data / LINLI_DATA');
    await probeDevicePorts(port);
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
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    await Promise.all([...children].reverse().map((c) => c.stop()));
  };

  // Prometheus metrics on a loopback listener after the devices' ports (what a trial's IT team scrapes).
  const metricsPort = port + 4;
  process.env.LINLI_METRICS_PORT ??= String(metricsPort);
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
    }

    const urls: Record<string, string> = {};
    for (const [i, d] of devices.entries()) {
      const child = new DemoChild(
        d.name,
        ['device', '--state', d.stateDir, '--port', String(port + 1 + i)],
        logDir,
        {
          // A remote `reboot` exits with this code; like systemd on a device, the demo starts it again.
          respawnOn: [RESTART_EXIT_CODE],
          onRespawn: () => say(`${d.name} restarted (remote reboot command)`),
        },
      );
      children.push(child);
      const m = await child.waitFor(/serving on (http:\/\/\S+)/);
      urls[d.name] = m[1]!;
    }

    for (const line of demoPrintout({ serverUrl, password, urls, dataDir, words: await kioskWords() }))
      say(line);
    say(
      `  Metrics (Prometheus)  http://127.0.0.1:${process.env.LINLI_METRICS_PORT}/metrics  (loopback only)`,
    );
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

/**
 * The kiosk, lobby screen and LED sign listen on port+1…port+3: checked before anything starts, so a taken
 * one is reported with the demo's own flag, not the device's.
 */
async function probeDevicePorts(port: number): Promise<void> {
  for (const [i, name] of ['kiosk', 'lobby screen', 'LED sign', 'metrics listener'].entries()) {
    const p = port + 1 + i;
    try {
      await probeListen('127.0.0.1', p);
    } catch (err) {
      if (!(err instanceof LinliError)) throw err;
      throw new LinliError(
        err.code,
        `cannot listen on 127.0.0.1:${p} (${String(err.details?.errno)}) for the demo's ${name} (the demo uses ports ${port}–${port + 4}): stop the process using it, or pass the demo another --port / LINLI_PORT`,
        { ...err.details },
      );
    }
  }
}
