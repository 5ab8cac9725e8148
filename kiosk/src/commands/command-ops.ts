import { ErrorCode, isLinliError } from '../../../protocol/errors.js';
import { commandArgs } from '../../../protocol/schemas/commands.js';
import type { Command, CommandResult } from '../../../protocol/schemas/fleet.js';
import type { RoleUnit } from '../roles/role-unit.js';
import type { LiveSettings } from '../settings/live-settings.js';

/** What a command's run comes to; the unit signs it into a CommandResult. */
export type Outcome = Pick<CommandResult, 'status' | 'code' | 'message' | 'detail'>;

export interface OpTargets {
  role: () => RoleUnit | undefined;
  settings: LiveSettings;
  /** Content sync now (TUF refresh). */
  refreshContent: () => Promise<void>;
  /** Captures and uploads the screen for this command id (content/screenshot-command.ts). */
  screenshot: (commandId: string) => Promise<Outcome>;
  /** Asks the runtime to stop cleanly and exit with RESTART_EXIT_CODE, after the result is stored. */
  requestRestart: () => void;
  /** When this runtime started, on the estimated server clock (ms). */
  startedAt: () => number;
}

const done = (detail?: Outcome['detail']): Outcome => ({ status: 'done', ...(detail ? { detail } : {}) });

function failed(err: unknown, fallback: string = ErrorCode.COMMAND_FAILED): Outcome {
  const detail = isLinliError(err) ? detailOf(err.details) : undefined;
  return {
    status: 'failed',
    code: isLinliError(err) ? err.code : fallback,
    message: (err as Error).message.slice(0, 300),
    ...(detail ? { detail } : {}),
  };
}

/** The details of a coded error that fit a result's detail (strings, numbers, booleans). */
function detailOf(details: Readonly<Record<string, unknown>> | undefined): Outcome['detail'] | undefined {
  if (!details) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(details)) {
    if (k.length > 32) continue;
    if (typeof v === 'string') out[k] = v.slice(0, 200);
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const unsupported = (what: string): Outcome => ({
  status: 'failed',
  code: ErrorCode.COMMAND_OP_NOT_ALLOWED,
  message: `this device's ${what}`,
});

/** Runs one verified command. Never throws: every failure is an outcome with its code. */
export async function runOp(cmd: Command, t: OpTargets): Promise<Outcome> {
  let args: Record<string, number | string>;
  try {
    args = commandArgs(cmd.op, cmd.args);
  } catch (err) {
    return { ...failed(err), status: 'rejected' };
  }
  const role = t.role();
  try {
    switch (cmd.op) {
      case 'reboot':
        // Asked before this runtime started: that start already did it (no reboot loop from a queue of them).
        if (Date.parse(cmd.issuedAt) < t.startedAt())
          return done({ restarting: false, alreadyRestarted: true });
        t.requestRestart();
        return done({ restarting: true });
      case 'restart-browser':
        if (!role?.restartBrowser) return unsupported('role has no browser to restart');
        await role.restartBrowser();
        return done();
      case 'refresh-content':
        await t.refreshContent();
        return done();
      case 'reprint-last-receipt': {
        if (!role?.reprintLastReceipt) return unsupported('role has no receipt printer');
        const receiptId = await role.reprintLastReceipt();
        return done({ receiptId });
      }
      case 'screenshot':
        return await t.screenshot(cmd.id);
      case 'identify': {
        if (!role?.identify) return unsupported('role cannot identify itself');
        const seconds = Number(args.seconds);
        const notes = await role.identify(seconds);
        return done({ seconds, ...(notes ?? {}) });
      }
      case 'set-volume': {
        const level = Number(args.level);
        const forSec = Number(args.forSec);
        await t.settings.overlay('audio.volume', level, forSec * 1000);
        return done({ level, forSec });
      }
      case 'set-brightness': {
        const level = Number(args.level);
        const forSec = Number(args.forSec);
        // One band from midnight: the whole day at this level until the overlay ends.
        await t.settings.overlay('led.brightness', [{ from: '00:00', level }], forSec * 1000);
        return done({ level, forSec });
      }
    }
  } catch (err) {
    return failed(err);
  }
}
