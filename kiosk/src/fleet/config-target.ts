import { Type } from '@sinclair/typebox';
import { type Keyring, verifyEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import { TargetState } from '../../../protocol/schemas/fleet.js';
import { validate } from '../../../protocol/validate.js';

/** A target whose signature, type, device and version checked out; its settings are not checked yet. */
export interface SignedTarget {
  deviceId: string;
  version: number;
  etag: string;
  issuedAt: string;
  /** As received: the planner checks every value against its schema (and refuses the whole target). */
  settings: unknown;
}

/** TargetState with its settings left for the planner, so a bad value is reported by its key. */
const TargetHeader = Type.Object(
  { ...TargetState.properties, settings: Type.Unknown() },
  { additionalProperties: false },
);

export interface AcceptedFloor {
  version: number;
  etag: string;
}

/**
 * Verifies a served target: signed by a fleet key of the keyring (`linli.target-state/v1`), for this device,
 * and not older than what this device accepted (`floor`). The same version is accepted only with the same
 * etag: the control plane never signs two different targets under one version, so that is a replay of a
 * fork, refused. Throws a LinliError (signature codes from protocol/envelope.ts, CONFIG_TARGET_FOREIGN,
 * CONFIG_TARGET_STALE, PAYLOAD_SCHEMA); the caller reports it as `refused`.
 */
export function verifyTarget(
  envelope: unknown,
  keyring: Keyring,
  deviceId: string,
  floor: AcceptedFloor | undefined,
): SignedTarget {
  const payload = verifyEnvelope<Record<string, unknown>>(envelope, keyring, {
    type: 'linli.target-state/v1',
  });
  const t = validate(TargetHeader, payload, 'target state');
  if (t.deviceId !== deviceId) {
    throw new LinliError(
      ErrorCode.CONFIG_TARGET_FOREIGN,
      `target state is for device ${t.deviceId}, not this one (${deviceId}); refused`,
      { deviceId: t.deviceId },
    );
  }
  if (floor && (t.version < floor.version || (t.version === floor.version && t.etag !== floor.etag))) {
    throw new LinliError(
      ErrorCode.CONFIG_TARGET_STALE,
      `target state version ${t.version} is older than version ${floor.version} already accepted (a replay); kept the current configuration`,
      { got: t.version, have: floor.version },
    );
  }
  return {
    deviceId: t.deviceId,
    version: t.version,
    etag: t.etag,
    issuedAt: t.issuedAt,
    settings: t.settings,
  };
}

/** The version and etag a refused envelope claims, for its report (untrusted: only echoed back). */
export function claimedHeader(envelope: unknown): { version: number; etag: string } {
  const p = (envelope as { payload?: { version?: unknown; etag?: unknown } } | undefined)?.payload;
  const version = Number.isInteger(p?.version) && (p!.version as number) >= 0 ? (p!.version as number) : 0;
  const etag = typeof p?.etag === 'string' ? p.etag.slice(0, 64) : '';
  return { version, etag };
}

export function isUnknownKey(err: unknown): boolean {
  return isLinliError(err) && err.code === ErrorCode.KEY_UNKNOWN;
}
