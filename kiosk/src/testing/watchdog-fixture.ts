/**
 * A process that runs the systemd Notifier and watchdog as `linli device` does, with switches for the test
 * (kiosk/src/system/notifier.test.ts): SIGUSR1 toggles "a runtime loop is unhealthy", SIGUSR2 blocks the
 * event loop for BLOCK_MS. It says what it does in STATUS= datagrams, so the listener sees the order.
 */
import { silentLogger } from '../logger.js';
import { createNotifier, watchdogUsec } from '../system/notifier.js';
import { SystemdWatchdog } from '../system/systemd-watchdog.js';

const notifier = await createNotifier(silentLogger);
let unhealthy = false;
const watchdog = new SystemdWatchdog({
  notifier,
  usec: watchdogUsec() ?? 1_000_000,
  check: () => ({ ok: !unhealthy, problems: unhealthy ? ['content sync: no cycle for 999 s'] : [] }),
  log: silentLogger,
});
process.on('SIGUSR1', () => {
  unhealthy = !unhealthy;
});
process.on('SIGUSR2', () => {
  notifier.status('fixture: blocking');
  const until = Date.now() + Number(process.env.BLOCK_MS ?? 2000);
  while (Date.now() < until) {
    // a wedged event loop: nothing else runs, no timer fires
  }
  notifier.status('fixture: unblocked');
});
process.on('SIGTERM', () => {
  watchdog.stop();
  notifier.stopping('stopping (SIGTERM)');
  notifier.close();
  process.exit(0);
});
notifier.ready('fixture ready');
watchdog.start();
