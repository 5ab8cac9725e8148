import { signCanonical, signEnvelope } from '../../../../protocol/envelope.js';
import type { SigningKey } from '../../../../protocol/keys.js';
import type { Signed } from '../../../../protocol/schemas/common.js';
import type { AppointmentSlip } from '../../../../protocol/schemas/services.js';
import type { AppointmentRecord } from '../../storage/services-records.js';
import { iso } from '../context.js';

/** Length of the `s` tag in a slip's verification URL (as a receipt's: 22 base64url characters = 132 bits). */
export const SLIP_TAG_LENGTH = 22;

/**
 * Signs a new slip the way a receipt is signed: the `s` tag in `verifyUrl` is the start of the transaction
 * key's signature over the slip without the URL (a signature cannot cover itself), and the envelope then
 * covers the URL with its tag. The booked slip is stored, so the public page can check a scanned QR.
 */
export function sealSlip(
  base: Omit<AppointmentSlip, 'verifyUrl'>,
  publicUrl: string,
  key: SigningKey,
): { slip: AppointmentSlip; envelope: Signed<AppointmentSlip> } {
  const tag = signCanonical(base, key.privateKey).slice(0, SLIP_TAG_LENGTH);
  const slip: AppointmentSlip = {
    ...base,
    verifyUrl: `${publicUrl}/a/${encodeURIComponent(base.id)}?s=${tag}`,
  };
  return { slip, envelope: signEnvelope(slip, key) };
}

/** The slip as the appointment stands now: the booked slip with its current status. */
export function currentSlip(r: AppointmentRecord): AppointmentSlip {
  const { canceledAt: _c, ...booked } = r.slip;
  return {
    ...booked,
    status: r.status,
    ...(r.canceledAt !== null ? { canceledAt: iso(r.canceledAt) } : {}),
  };
}

/** Signed answer for the kiosk; unchanged state gives identical bytes (Ed25519 is deterministic). */
export function signedSlip(r: AppointmentRecord, key: SigningKey): Signed<AppointmentSlip> {
  return signEnvelope(currentSlip(r), key);
}

/** The `s` tag of a slip's own verifyUrl. */
export function slipTag(slip: AppointmentSlip): string | null {
  try {
    return new URL(slip.verifyUrl).searchParams.get('s');
  } catch {
    return null;
  }
}

/** Queue number of the n-th booking of an office-day: 1 → A001 … 999 → A999, 1000 → B001. */
export function queueNumber(seq: number): string | undefined {
  const letter = Math.floor((seq - 1) / 999);
  if (letter > 25) return undefined;
  return `${String.fromCharCode(65 + letter)}${String(((seq - 1) % 999) + 1).padStart(3, '0')}`;
}
