import type { SimConfig } from '../config/schema.js';
import type { SimHandle } from '../sim-registry.js';

/** Roughly 9600 baud: what "slow link" means for a serial kiosk peripheral. */
const SLOW_BYTES_PER_SEC = 960;

/** Applies the faults named in a config to a freshly attached simulator (the demo's and tests' switchboard). */
export function applyFaults(handle: SimHandle, faults: SimConfig['faults']): void {
  for (const f of faults) {
    switch (f) {
      case 'paper-out':
        handle.printer?.setPaper('out');
        break;
      case 'paper-near-end':
        handle.printer?.setPaper('near-end');
        break;
      case 'cover-open':
        handle.printer?.openCover();
        break;
      case 'slow-link':
        handle.link.setSlow(SLOW_BYTES_PER_SEC);
        break;
      case 'garbage':
        // Line noise ahead of every status answer: drivers must report it and still understand the real reply.
        handle.printer?.defineBehaviour({
          name: 'garbage',
          onCommand: (sim, cmd) => {
            if (cmd.op === 'status') void sim.sendGarbage();
            return false;
          },
        });
        void handle.terminal?.sendGarbage();
        void handle.cardReader?.sendGarbage();
        break;
      case 'unplugged':
        handle.link.unplug();
        break;
      case 'decline':
        if (handle.terminal) handle.terminal.behaviour = 'decline';
        break;
      case 'terminal-timeout':
        if (handle.terminal) handle.terminal.behaviour = 'timeout';
        break;
      case 'lost-response':
        if (handle.terminal) handle.terminal.behaviour = 'lost-response';
        break;
      case 'led-nak':
        if (handle.led) handle.led.nakNext = Number.POSITIVE_INFINITY;
        break;
    }
  }
}
