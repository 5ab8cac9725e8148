import { type Keyring, verifyEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { AppointmentSlip } from '../../../protocol/schemas/services.js';

export interface SlipExpectation {
  deviceId: string;
  /** A booking: the slip must be for the matter and slot the resident chose. */
  matterId?: string;
  slotStart?: string;
  /** A lookup or cancel by code: the slip must carry that code. */
  code?: string;
  /** A lookup by scanned URL: the slip's id must appear in it. */
  scanned?: string;
  status?: AppointmentSlip['status'];
}

/**
 * A slip is shown or printed only when the transaction key signed it and it answers what was asked: a
 * correctly signed slip for another slot, code or kiosk is refused like a forged one.
 */
export function verifySlip(envelope: unknown, keyring: Keyring, want: SlipExpectation): AppointmentSlip {
  let slip: AppointmentSlip;
  try {
    slip = verifyEnvelope<AppointmentSlip>(envelope, keyring, {
      type: 'linli.appointment/v1',
      schema: AppointmentSlip,
    });
  } catch (err) {
    // One code for the screen whatever failed (signature, key, type, shape); the cause stays in details.
    throw new LinliError(
      ErrorCode.SIGNATURE_INVALID,
      `预约凭条校验失败，未显示。The appointment slip failed verification (${(err as Error).message}); nothing was shown.`,
      { cause: (err as { code?: string }).code ?? 'unknown' },
      { cause: err },
    );
  }
  const refuse = (what: string) => {
    throw new LinliError(
      ErrorCode.SIGNATURE_INVALID,
      `预约凭条校验失败，未显示。The signed appointment slip does not match the request (${what}); nothing was shown.`,
      { appointmentId: slip.id, field: what },
    );
  };
  if (want.matterId && slip.matterId !== want.matterId) refuse('matterId');
  if (want.slotStart && Date.parse(slip.slotStart) !== Date.parse(want.slotStart)) refuse('slotStart');
  if (want.matterId && slip.deviceId && slip.deviceId !== want.deviceId) refuse('deviceId');
  if (want.code && slip.code !== want.code) refuse('code');
  if (want.scanned && !want.scanned.includes(slip.id) && want.scanned !== slip.verifyUrl) refuse('verifyUrl');
  if (want.status && slip.status !== want.status) refuse('status');
  return slip;
}
