/**
 * Error codes shared by the control plane and device code. Every error that crosses the wire or reaches a
 * log carries one of these codes and a message that says what to do next.
 *
 * Append-only: a code, once shipped, keeps its meaning. Keep each section for its area.
 */
export const ErrorCode = {
  // --- generic request handling
  BAD_REQUEST: 'LINLI_ERR_BAD_REQUEST',
  MALFORMED_JSON: 'LINLI_ERR_MALFORMED_JSON',
  BODY_TOO_LARGE: 'LINLI_ERR_BODY_TOO_LARGE',
  UNAUTHORIZED: 'LINLI_ERR_UNAUTHORIZED',
  FORBIDDEN: 'LINLI_ERR_FORBIDDEN',
  NOT_FOUND: 'LINLI_ERR_NOT_FOUND',
  CONFLICT: 'LINLI_ERR_CONFLICT',
  RATE_LIMITED: 'LINLI_ERR_RATE_LIMITED',
  UNAVAILABLE: 'LINLI_ERR_UNAVAILABLE',
  INTERNAL: 'LINLI_ERR_INTERNAL',
  CONFIG_INVALID: 'LINLI_ERR_CONFIG_INVALID',

  // --- admins, hierarchy, scope
  LOGIN_FAILED: 'LINLI_ERR_LOGIN_FAILED',
  SESSION_EXPIRED: 'LINLI_ERR_SESSION_EXPIRED',
  SCOPE: 'LINLI_ERR_SCOPE',
  NODE_LEVEL: 'LINLI_ERR_NODE_LEVEL',
  NODE_NOT_FOUND: 'LINLI_ERR_NODE_NOT_FOUND',

  // --- enrollment and device identity
  TOKEN_INVALID: 'LINLI_ERR_TOKEN_INVALID',
  TOKEN_EXPIRED: 'LINLI_ERR_TOKEN_EXPIRED',
  TOKEN_USED_UP: 'LINLI_ERR_TOKEN_USED_UP',
  TOKEN_REVOKED: 'LINLI_ERR_TOKEN_REVOKED',
  TOKEN_ROLE_MISMATCH: 'LINLI_ERR_TOKEN_ROLE_MISMATCH',
  NONCE_INVALID: 'LINLI_ERR_NONCE_INVALID',
  ENROLL_SIGNATURE: 'LINLI_ERR_ENROLL_SIGNATURE',
  DEVICE_UNKNOWN: 'LINLI_ERR_DEVICE_UNKNOWN',
  DEVICE_REVOKED: 'LINLI_ERR_DEVICE_REVOKED',
  DEVICE_ROLE: 'LINLI_ERR_DEVICE_ROLE',
  HANDSHAKE_FAILED: 'LINLI_ERR_HANDSHAKE_FAILED',
  NOT_ENROLLED: 'LINLI_ERR_NOT_ENROLLED',
  ALREADY_ENROLLED: 'LINLI_ERR_ALREADY_ENROLLED',
  STATE_CORRUPT: 'LINLI_ERR_STATE_CORRUPT',

  // --- signatures and envelopes
  CANONICAL_JSON: 'LINLI_ERR_CANONICAL_JSON',
  ENVELOPE_MALFORMED: 'LINLI_ERR_ENVELOPE_MALFORMED',
  SIGNATURE_INVALID: 'LINLI_ERR_SIGNATURE_INVALID',
  KEY_UNKNOWN: 'LINLI_ERR_KEY_UNKNOWN',
  KEY_USE: 'LINLI_ERR_KEY_USE',
  KEY_INVALID: 'LINLI_ERR_KEY_INVALID',
  PAYLOAD_SCHEMA: 'LINLI_ERR_PAYLOAD_SCHEMA',
  PAYLOAD_TYPE: 'LINLI_ERR_PAYLOAD_TYPE',

  // --- notices and content (issue #4 extends)
  NOTICE_NOT_FOUND: 'LINLI_ERR_NOTICE_NOT_FOUND',
  NOTICE_INVALID: 'LINLI_ERR_NOTICE_INVALID',

  // --- bills and payments (issue #5 extends)
  BILLER_UNKNOWN: 'LINLI_ERR_BILLER_UNKNOWN',
  BILLER_UNAVAILABLE: 'LINLI_ERR_BILLER_UNAVAILABLE',
  ACCOUNT_NOT_FOUND: 'LINLI_ERR_ACCOUNT_NOT_FOUND',
  ACCOUNT_SCOPE: 'LINLI_ERR_ACCOUNT_SCOPE',
  BILL_NOT_FOUND: 'LINLI_ERR_BILL_NOT_FOUND',
  BILL_EXPIRED: 'LINLI_ERR_BILL_EXPIRED',
  BILL_ALREADY_PAID: 'LINLI_ERR_BILL_ALREADY_PAID',
  AMOUNT_INVALID: 'LINLI_ERR_AMOUNT_INVALID',
  AMOUNT_MISMATCH: 'LINLI_ERR_AMOUNT_MISMATCH',
  IDEMPOTENCY_KEY_MISSING: 'LINLI_ERR_IDEMPOTENCY_KEY_MISSING',
  IDEMPOTENCY_KEY_REUSED: 'LINLI_ERR_IDEMPOTENCY_KEY_REUSED',
  PAYMENT_NOT_FOUND: 'LINLI_ERR_PAYMENT_NOT_FOUND',
  PAYMENT_STATE: 'LINLI_ERR_PAYMENT_STATE',
  PAYMENT_DECLINED: 'LINLI_ERR_PAYMENT_DECLINED',
  PAYMENT_UNRESOLVED: 'LINLI_ERR_PAYMENT_UNRESOLVED',
  GATEWAY_ERROR: 'LINLI_ERR_GATEWAY_ERROR',
  RECEIPT_NOT_FOUND: 'LINLI_ERR_RECEIPT_NOT_FOUND',

  // --- kiosk UI and public-service information (issue #6 extends)
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const ALL_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ALL_CODES.has(value);
}

/** The HTTP status each code maps to when it leaves the control plane. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  LINLI_ERR_BAD_REQUEST: 400,
  LINLI_ERR_MALFORMED_JSON: 400,
  LINLI_ERR_BODY_TOO_LARGE: 413,
  LINLI_ERR_UNAUTHORIZED: 401,
  LINLI_ERR_FORBIDDEN: 403,
  LINLI_ERR_NOT_FOUND: 404,
  LINLI_ERR_CONFLICT: 409,
  LINLI_ERR_RATE_LIMITED: 429,
  LINLI_ERR_UNAVAILABLE: 503,
  LINLI_ERR_INTERNAL: 500,
  LINLI_ERR_CONFIG_INVALID: 500,
  LINLI_ERR_LOGIN_FAILED: 401,
  LINLI_ERR_SESSION_EXPIRED: 401,
  LINLI_ERR_SCOPE: 403,
  LINLI_ERR_NODE_LEVEL: 400,
  LINLI_ERR_NODE_NOT_FOUND: 404,
  LINLI_ERR_TOKEN_INVALID: 401,
  LINLI_ERR_TOKEN_EXPIRED: 401,
  LINLI_ERR_TOKEN_USED_UP: 401,
  LINLI_ERR_TOKEN_REVOKED: 401,
  LINLI_ERR_TOKEN_ROLE_MISMATCH: 403,
  LINLI_ERR_NONCE_INVALID: 401,
  LINLI_ERR_ENROLL_SIGNATURE: 401,
  LINLI_ERR_DEVICE_UNKNOWN: 401,
  LINLI_ERR_DEVICE_REVOKED: 403,
  LINLI_ERR_DEVICE_ROLE: 403,
  LINLI_ERR_HANDSHAKE_FAILED: 401,
  LINLI_ERR_NOT_ENROLLED: 400,
  LINLI_ERR_ALREADY_ENROLLED: 409,
  LINLI_ERR_STATE_CORRUPT: 500,
  LINLI_ERR_CANONICAL_JSON: 400,
  LINLI_ERR_ENVELOPE_MALFORMED: 400,
  LINLI_ERR_SIGNATURE_INVALID: 400,
  LINLI_ERR_KEY_UNKNOWN: 400,
  LINLI_ERR_KEY_USE: 400,
  LINLI_ERR_KEY_INVALID: 400,
  LINLI_ERR_PAYLOAD_SCHEMA: 400,
  LINLI_ERR_PAYLOAD_TYPE: 400,
  LINLI_ERR_NOTICE_NOT_FOUND: 404,
  LINLI_ERR_NOTICE_INVALID: 400,
  LINLI_ERR_BILLER_UNKNOWN: 404,
  LINLI_ERR_BILLER_UNAVAILABLE: 503,
  LINLI_ERR_ACCOUNT_NOT_FOUND: 404,
  LINLI_ERR_ACCOUNT_SCOPE: 403,
  LINLI_ERR_BILL_NOT_FOUND: 404,
  LINLI_ERR_BILL_EXPIRED: 410,
  LINLI_ERR_BILL_ALREADY_PAID: 409,
  LINLI_ERR_AMOUNT_INVALID: 400,
  LINLI_ERR_AMOUNT_MISMATCH: 409,
  LINLI_ERR_IDEMPOTENCY_KEY_MISSING: 400,
  LINLI_ERR_IDEMPOTENCY_KEY_REUSED: 422,
  LINLI_ERR_PAYMENT_NOT_FOUND: 404,
  LINLI_ERR_PAYMENT_STATE: 409,
  LINLI_ERR_PAYMENT_DECLINED: 402,
  LINLI_ERR_PAYMENT_UNRESOLVED: 409,
  LINLI_ERR_GATEWAY_ERROR: 502,
  LINLI_ERR_RECEIPT_NOT_FOUND: 404,
};

/**
 * An error with a stable code. `message` says what happened and what to do about it; `details` carries
 * machine-readable context (a field path, an expected value) and must never hold secrets.
 */
export class LinliError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LinliError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  toJSON(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Readonly<Record<string, unknown>> };
}

export function isLinliError(err: unknown, code?: ErrorCode): err is LinliError {
  return err instanceof LinliError && (code === undefined || err.code === code);
}

/** Rebuilds a LinliError from an HTTP error body; unknown shapes become LINLI_ERR_INTERNAL. */
export function errorFromBody(status: number, body: unknown): LinliError {
  const e = (body as ErrorBody | undefined)?.error;
  if (e && isErrorCode(e.code) && typeof e.message === 'string') {
    return new LinliError(e.code, e.message, e.details ? { ...e.details, status } : { status });
  }
  return new LinliError(ErrorCode.INTERNAL, `unexpected HTTP ${status} without a Linli error body`, {
    status,
  });
}
