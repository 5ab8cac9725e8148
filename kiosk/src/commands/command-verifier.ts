import type { Keyring } from '../../../protocol/envelope.js';
import { verifyEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, isLinliError } from '../../../protocol/errors.js';
import { opAllowed } from '../../../protocol/schemas/commands.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import { Command } from '../../../protocol/schemas/fleet.js';

export interface VerifyContext {
  keyring: Keyring;
  deviceId: string;
  role: DeviceRole;
  /** The highest seq this device has run (0 when none). */
  highestSeq: number;
  /** The estimated server clock, ms. */
  serverNow: number;
}

export type Verdict =
  /** Signed by the fleet key, for us, new, in time, allowed: run it. */
  | { kind: 'run'; command: Command }
  /** Provably from the control plane but refused: answer with a signed `rejected` result and this code. */
  | { kind: 'reject'; command: Command; code: string; message: string }
  /** Nothing proves who sent it: log and drop, no answer. */
  | { kind: 'drop'; code: string; message: string };

/**
 * Pure check of a command envelope, in this order: the fleet key's signature over a valid `linli.command/v1`
 * payload (else drop), then our device id, a seq above the highest run (replay), the server-clock expiry, an
 * op our role runs (each a coded rejection).
 */
export function verifyCommand(envelope: unknown, ctx: VerifyContext): Verdict {
  let command: Command;
  try {
    command = verifyEnvelope<Command>(envelope, ctx.keyring, { type: 'linli.command/v1', schema: Command });
  } catch (err) {
    return {
      kind: 'drop',
      code: isLinliError(err) ? err.code : ErrorCode.ENVELOPE_MALFORMED,
      message: (err as Error).message,
    };
  }
  const reject = (code: string, message: string): Verdict => ({ kind: 'reject', command, code, message });
  if (command.deviceId !== ctx.deviceId) {
    return reject(
      ErrorCode.COMMAND_FOREIGN,
      `command ${command.id} is for device ${command.deviceId}, not this one`,
    );
  }
  if (command.seq <= ctx.highestSeq) {
    return reject(
      ErrorCode.COMMAND_REPLAY,
      `command seq ${command.seq} is not above ${ctx.highestSeq}, the highest this device has run (replay)`,
    );
  }
  const expires = Date.parse(command.expiresAt);
  if (!(expires > ctx.serverNow)) {
    return reject(
      ErrorCode.COMMAND_EXPIRED,
      `command ${command.id} expired at ${command.expiresAt} (server clock now ${new Date(ctx.serverNow).toISOString()})`,
    );
  }
  if (!opAllowed(ctx.role, command.op)) {
    return reject(ErrorCode.COMMAND_OP_NOT_ALLOWED, `a ${ctx.role} device does not run ${command.op}`);
  }
  return { kind: 'run', command };
}
