import { describeConfig, loadDeviceConfig } from '../../kiosk/src/config.js';
import { driverPeripherals } from '../../kiosk/src/driver-peripherals.js';
import { createLogger } from '../../kiosk/src/logger.js';
import { RESTART_EXIT_CODE } from '../../kiosk/src/restart-code.js';
import { DeviceRuntime } from '../../kiosk/src/runtime.js';
import { stateLayout } from '../../kiosk/src/state/state-layout.js';
import { createNotifier, watchdogUsec } from '../../kiosk/src/system/notifier.js';
import { SystemdWatchdog } from '../../kiosk/src/system/systemd-watchdog.js';
import { type Command, parseFlags, usageError, wantsHelp } from '../command.js';
import { parsePort } from '../port-value.js';

const HELP = `Usage: linli device --state DIR [--port N] [--host H] [--server URL] [--log-level LEVEL]

Runs the device runtime from a state dir that \`linli enroll\` prepared. The role comes from the enrollment:
  lobby  the lobby screen: GET /screen (full-screen notices, live over /screen/ws), /screen/state.json
  led    the LED sign: GET /led/preview.png (scaled), /led/frame.png (1:1), /led/state.json; frames also go
         to the LED controller (simulated by default, output in <state>/led/)
  kiosk  the payment kiosk: GET /kiosk (page) and its local JSON API (bills by account or resident card,
         payments by card terminal or QR wallet, live events on /kiosk/api/events, session and idle-reset
         permission, reprints; see docs/kiosk-local-api.md); receipts print on the receipt printer
         (simulated by default: <state>/printer/<receiptId>.bin and .png)
Every role: GET /healthz.

It keeps a signed-challenge WebSocket channel to the control plane (reconnecting with full-jitter backoff),
fetches notices with ETag (and a fallback poll), shows only notices whose signature verifies, and keeps
showing the last verified content while offline. SIGINT or SIGTERM stops it cleanly.

Options:
  --state DIR          the enrolled state dir (required)
  --port N             local web server port (default 8090; 0 picks a free one)
  --host H             local web server address (default 127.0.0.1)
  --server URL         control plane URL, if it moved since enrollment
  --log-level LEVEL    fatal|error|warn|info|debug|trace|silent (default info)
  -h, --help           this text

Flags override <state>/device.json (optional), which overrides the defaults. All settings:
${describeConfig().join('\n')}

Under systemd (Type=notify, systemd/units/linli-device.service) it sends READY=1 once it serves, WATCHDOG=1
every WATCHDOG_USEC/2 while the event loop and its own loops are healthy (systemd/README.md), STATUS= lines,
and STOPPING=1 on SIGTERM. Without NOTIFY_SOCKET none of that happens.

When its local server listens, stdout says:
  Device <role> <deviceId> serving on http://127.0.0.1:<port>
Logs are JSON lines (pino) on stderr; rejected content is logged with its code (e.g. LINLI_ERR_SIGNATURE_INVALID).

Example:
  linli device --state /var/lib/linli --port 8090
`;

export const command: Command = {
  name: 'device',
  summary: 'run the device runtime (kiosk, lobby screen or LED sign) from an enrolled state dir',
  help: HELP,
  async run(argv: string[]): Promise<number> {
    if (wantsHelp(argv)) {
      process.stdout.write(HELP);
      return 0;
    }
    const parsed = parseFlags('device', argv, {
      state: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      server: { type: 'string' },
      'log-level': { type: 'string' },
    });
    if (typeof parsed === 'number') return parsed;
    const { values } = parsed;
    const stateDir = values.state;
    if (typeof stateDir !== 'string' || !stateDir) return usageError('device', '--state is required');
    const config = await loadDeviceConfig(stateLayout(stateDir).config, {
      ...(typeof values.port === 'string'
        ? { port: parsePort(values.port, '--port', { min: 0, max: 65_535 }) }
        : {}),
      ...(typeof values.host === 'string' ? { host: values.host } : {}),
      ...(typeof values.server === 'string' ? { serverUrl: values.server } : {}),
      ...(typeof values['log-level'] === 'string' ? { logLevel: values['log-level'] } : {}),
    });
    const log = createLogger(config.logLevel);
    const runtime = new DeviceRuntime({
      stateDir,
      config,
      peripherals: driverPeripherals(config, { log }),
      log,
    });
    const notifier = await createNotifier(log);
    let watchdog: SystemdWatchdog | undefined;

    let exitCode = 0;
    const stopped = new Promise<void>((resolve) => {
      // A verified remote `reboot`: stop cleanly, then exit with the code systemd (and the demo) restart on.
      runtime.once('restart', () => {
        log.info({ exitCode: RESTART_EXIT_CODE }, 'restarting on a remote reboot command');
        exitCode = RESTART_EXIT_CODE;
        watchdog?.stop();
        notifier.stopping('restarting on a remote reboot command');
        runtime.stop().then(resolve, (err: unknown) => {
          log.error({ err: (err as Error).message }, 'stop failed');
          resolve();
        });
      });
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals++;
        if (signals > 1) {
          log.warn({ sig }, 'second signal: exiting without waiting');
          process.exit(130);
        }
        log.info({ sig }, 'stopping');
        watchdog?.stop();
        notifier.stopping(`stopping (${sig})`);
        runtime.stop().then(resolve, (err: unknown) => {
          log.error({ err: (err as Error).message }, 'stop failed');
          resolve();
        });
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });

    notifier.status('starting');
    let info: Awaited<ReturnType<DeviceRuntime['start']>>;
    try {
      info = await runtime.start();
    } catch (err) {
      notifier.status(`start failed: ${(err as { code?: string }).code ?? ''} ${(err as Error).message}`);
      notifier.close();
      throw err;
    }
    process.stdout.write(`Device ${info.role} ${info.deviceId} serving on ${info.url}\n`);
    // READY=1 only now: the local server listens and the role runs (the screen has a page to open).
    notifier.ready(`${info.role} ${info.deviceId} serving on ${info.url}`);
    const usec = watchdogUsec();
    if (notifier.enabled && usec) {
      watchdog = new SystemdWatchdog({ notifier, usec, check: () => runtime.loops.check(), log });
      watchdog.start();
      log.info({ periodMs: watchdog.periodMs }, 'systemd: watchdog pings while healthy');
    }
    await stopped;
    notifier.close();
    return exitCode;
  },
};
