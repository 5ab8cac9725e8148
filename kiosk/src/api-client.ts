import { API, IDEMPOTENCY_HEADER } from '../../protocol/api.js';
import { signCanonical } from '../../protocol/envelope.js';
import { ErrorCode, isLinliError, LinliError } from '../../protocol/errors.js';
import type { BillQuery } from '../../protocol/schemas/bill.js';
import { CardBillsResponse } from '../../protocol/schemas/card.js';
import { type BillsResponse, PaymentResponse } from '../../protocol/schemas/device-api.js';
import {
  ChallengeResponse,
  DeviceSessionResponse,
  sessionSigningInput,
} from '../../protocol/schemas/enrollment.js';
import type { ConfigReport, SignedCommandResult } from '../../protocol/schemas/fleet.js';
import type { KeysetResponse } from '../../protocol/schemas/keyset.js';
import type { CreatePaymentRequest, TerminalResult } from '../../protocol/schemas/payment.js';
import { DeviceReprintsResponse } from '../../protocol/schemas/payment-admin.js';
import {
  type BookRequest,
  DaysResponse,
  SlipResponse,
  SlotsResponse,
} from '../../protocol/schemas/services.js';
import {
  type FaultReport,
  type ScreenshotUpload,
  type UploadPlaysRequest,
  UploadPlaysResponse,
} from '../../protocol/schemas/signage-device.js';
import { validate } from '../../protocol/validate.js';
import {
  type FetchFn,
  type HttpRequest,
  type HttpResponse,
  httpJson,
  isNetworkError,
} from './http/http-json.js';
import { fullJitterDelay, sleep } from './http/retry.js';
import type { DeviceIdentity } from './identity/identity.js';
import type { Logger } from './logger.js';

export interface ApiClientOptions {
  serverUrl: string;
  identity: DeviceIdentity;
  log: Logger;
  fetch?: FetchFn;
  timeoutMs?: number;
  /** Extra attempts after a network failure, for calls that are safe to repeat. */
  retries?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
}

interface CallOptions extends HttpRequest {
  /** Safe to send again after a network failure: GETs, and payment calls that carry their idempotency. */
  idempotent: boolean;
}

const REAUTH_CODES = new Set<string>([ErrorCode.UNAUTHORIZED, ErrorCode.SESSION_EXPIRED]);

/**
 * The device's HTTP client to the control plane. Authenticates with a signed server nonce traded for a
 * short-lived bearer token (no clock agreement), re-authenticates once on 401, maps error bodies to
 * LinliError, and retries network failures of idempotent calls with full-jitter backoff.
 */
export class DeviceApiClient {
  readonly serverUrl: string;
  readonly #opts: ApiClientOptions;
  #token: string | undefined;
  #login: Promise<string> | undefined;
  /** Stops retry loops when the runtime stops. */
  readonly #abort = new AbortController();

  constructor(opts: ApiClientOptions) {
    this.serverUrl = opts.serverUrl;
    this.#opts = opts;
  }

  close(): void {
    this.#abort.abort();
  }

  /** The current keyset envelope; the caller verifies it against the pinned root (Trust.acceptKeyset). */
  async getKeyset(): Promise<unknown> {
    const res = await this.#call<KeysetResponse>({ method: 'GET', path: API.deviceKeyset, idempotent: true });
    return (res.body as Partial<KeysetResponse> | undefined)?.keyset;
  }

  /**
   * The device's signed target state (remote configuration, issue 12), or `undefined` when it has not changed
   * since `etag` (304). The caller verifies the envelope (kiosk/src/fleet/config-target.ts).
   */
  async getDeviceConfig(etag?: string): Promise<{ envelope: unknown; etag?: string } | undefined> {
    const res = await this.#call<{ target?: unknown } | undefined>({
      method: 'GET',
      path: API.deviceConfig,
      headers: etag ? { 'if-none-match': `"${etag}"` } : {},
      idempotent: true,
    });
    if (res.status === 304) return undefined;
    const tag = res.headers.get('etag')?.replace(/^W\//, '').replaceAll('"', '');
    return { envelope: res.body?.target, ...(tag ? { etag: tag } : {}) };
  }

  /** What the device did with a target; the same report sent twice is harmless (the latest one counts). */
  async reportDeviceConfig(report: ConfigReport): Promise<void> {
    await this.#call<unknown>({
      method: 'POST',
      path: API.deviceConfigReport,
      body: report,
      idempotent: true,
    });
  }

  /**
   * A raw GET with the device's session (TUF metadata and targets): the caller reads the body as a stream and
   * checks status itself. Re-authenticates once on 401; network failures are LINLI_ERR_UNAVAILABLE.
   */
  async getRaw(path: string, headers: Record<string, string> = {}, timeoutMs?: number): Promise<Response> {
    const fetchFn = this.#opts.fetch ?? fetch;
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.#session();
      let res: Response;
      try {
        res = await fetchFn(new URL(path, this.serverUrl), {
          headers: { ...headers, authorization: `Bearer ${token}` },
          signal: AbortSignal.any([
            AbortSignal.timeout(timeoutMs ?? this.#opts.timeoutMs ?? 10_000),
            this.#abort.signal,
          ]),
        });
      } catch (cause) {
        throw new LinliError(
          ErrorCode.UNAVAILABLE,
          `cannot reach the control plane for ${path.split('?')[0]} (${(cause as Error).message})`,
          { network: true },
          { cause },
        );
      }
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel();
        this.#token = undefined;
        continue;
      }
      return res;
    }
    throw new LinliError(ErrorCode.UNAUTHORIZED, 'the control plane refused this device session twice');
  }

  uploadPlays(body: UploadPlaysRequest) {
    return this.#call<unknown>({ method: 'POST', path: API.devicePlaysUpload, body, idempotent: true }).then(
      (r) => validate(UploadPlaysResponse, r.body, 'plays upload response'),
    );
  }

  async reportFault(body: FaultReport): Promise<void> {
    await this.#call<unknown>({ method: 'POST', path: API.deviceFaults, body, idempotent: false });
  }

  async uploadScreenshot(requestId: string, body: ScreenshotUpload): Promise<void> {
    await this.#call<unknown>({
      method: 'POST',
      path: API.deviceScreenshotUpload(requestId),
      body,
      idempotent: true,
    });
  }

  /** A remote command's signed result; the server records the first one, so a re-post is harmless. */
  async postCommandResult(body: SignedCommandResult): Promise<void> {
    await this.#call<unknown>({ method: 'POST', path: API.deviceCommandResult, body, idempotent: true });
  }

  async getBills(query: BillQuery): Promise<BillsResponse> {
    const res = await this.#call<BillsResponse>({
      method: 'GET',
      path: API.deviceBills,
      query: { billerId: query.billerId, account: query.account },
      idempotent: true,
    });
    return res.body;
  }

  /** Same key, same body on every attempt: the control plane answers a repeat with the stored payment. */
  createPayment(idempotencyKey: string, body: CreatePaymentRequest): Promise<PaymentResponse> {
    return this.#payment({
      method: 'POST',
      path: API.devicePayments,
      body,
      headers: { [IDEMPOTENCY_HEADER]: idempotencyKey },
    });
  }

  getPayment(id: string): Promise<PaymentResponse> {
    return this.#payment({ method: 'GET', path: API.devicePayment(id) });
  }

  // The transitions below are repeatable: a repeat either returns the same result or a PAYMENT_STATE error,
  // which the payment flow resolves with getPayment, never by guessing.
  presentPayment(id: string): Promise<PaymentResponse> {
    return this.#payment({ method: 'POST', path: API.devicePaymentPresent(id), body: {} });
  }

  authorizePayment(id: string, terminal: TerminalResult): Promise<PaymentResponse> {
    return this.#payment({ method: 'POST', path: API.devicePaymentAuthorization(id), body: { terminal } });
  }

  closePayment(id: string): Promise<PaymentResponse> {
    return this.#payment({ method: 'POST', path: API.devicePaymentClose(id), body: {} });
  }

  cancelPayment(id: string): Promise<PaymentResponse> {
    return this.#payment({ method: 'POST', path: API.devicePaymentCancel(id), body: {} });
  }

  /** The terminal's answer was lost: the control plane records `unknown` until a status query resolves it. */
  reportUnknown(id: string, reason: string): Promise<PaymentResponse> {
    return this.#payment({ method: 'POST', path: API.devicePaymentUnknown(id), body: { reason } });
  }

  /** The accounts linked to a resident card read at this kiosk, with their signed bills (verified by the caller). */
  async cardBills(cardUid: string): Promise<CardBillsResponse> {
    const res = await this.#call<unknown>({
      method: 'POST',
      path: API.deviceCardBills,
      body: { cardUid },
      idempotent: true,
    });
    return validate(CardBillsResponse, res.body, 'card bills response');
  }

  /** Receipts staff asked this kiosk to print again. */
  async getReprints(): Promise<DeviceReprintsResponse> {
    const res = await this.#call<unknown>({ method: 'GET', path: API.deviceReprints, idempotent: true });
    return validate(DeviceReprintsResponse, res.body, 'reprints response');
  }

  async reprintDone(id: string, outcome: 'printed' | 'failed', error?: string): Promise<void> {
    await this.#call<unknown>({
      method: 'POST',
      path: API.deviceReprintDone(id),
      body: { outcome, ...(error ? { error: error.slice(0, 200) } : {}) },
      idempotent: true,
    });
  }

  // --- appointments (#6): live control-plane data; answers to book, lookup and cancel are signed slips.
  async appointmentDays(matterId: string): Promise<DaysResponse> {
    const res = await this.#call<unknown>({
      method: 'GET',
      path: API.deviceAppointmentDays,
      query: { matterId },
      idempotent: true,
    });
    return validate(DaysResponse, res.body, 'appointment days response');
  }

  async appointmentSlots(matterId: string, date: string): Promise<SlotsResponse> {
    const res = await this.#call<unknown>({
      method: 'GET',
      path: API.deviceAppointmentSlots,
      query: { matterId, date },
      idempotent: true,
    });
    return validate(SlotsResponse, res.body, 'appointment slots response');
  }

  /** Same key on every attempt: a booking whose answer was lost is answered again, never booked twice. */
  bookAppointment(idempotencyKey: string, body: BookRequest): Promise<SlipResponse> {
    return this.#slip({
      method: 'POST',
      path: API.deviceAppointments,
      body,
      headers: { [IDEMPOTENCY_HEADER]: idempotencyKey },
    });
  }

  lookupAppointment(code: string): Promise<SlipResponse> {
    return this.#slip({ method: 'POST', path: API.deviceAppointmentLookup, body: { code } });
  }

  /** Canceling twice answers the canceled slip (or APPOINTMENT_CLOSED): safe to repeat. */
  cancelAppointment(code: string): Promise<SlipResponse> {
    return this.#slip({ method: 'POST', path: API.deviceAppointmentCancel, body: { code } });
  }

  async #slip(req: HttpRequest): Promise<SlipResponse> {
    const res = await this.#call<unknown>({ ...req, idempotent: true });
    return validate(SlipResponse, res.body, `${req.method} ${req.path} response`);
  }

  async #payment(req: HttpRequest): Promise<PaymentResponse> {
    const res = await this.#call<unknown>({ ...req, idempotent: true });
    return validate(PaymentResponse, res.body, `${req.method} ${req.path} response`);
  }

  async #call<T>(req: CallOptions): Promise<HttpResponse<T>> {
    const { idempotent, ...http } = req;
    const retries = idempotent ? (this.#opts.retries ?? 3) : 0;
    let reauthed = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const token = await this.#session();
        return await httpJson<T>(
          this.serverUrl,
          {
            ...http,
            headers: { ...http.headers, authorization: `Bearer ${token}` },
            timeoutMs: this.#opts.timeoutMs ?? 10_000,
          },
          this.#opts.fetch,
        );
      } catch (err) {
        if (isLinliError(err) && REAUTH_CODES.has(err.code) && !reauthed) {
          reauthed = true;
          this.#token = undefined;
          attempt--;
          continue;
        }
        if (isNetworkError(err) && attempt < retries && !this.#abort.signal.aborted) {
          const delay = fullJitterDelay(
            attempt,
            this.#opts.retryBaseMs ?? 250,
            this.#opts.retryCapMs ?? 5_000,
          );
          this.#opts.log.warn(
            { code: (err as LinliError).code, path: req.path, attempt: attempt + 1, delayMs: delay },
            'control plane call failed on the network; retrying the same request',
          );
          await sleep(delay, this.#abort.signal);
          continue;
        }
        throw err;
      }
    }
  }

  /** One login at a time; callers share it. */
  #session(): Promise<string> {
    if (this.#token) return Promise.resolve(this.#token);
    this.#login ??= this.#authenticate().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  async #authenticate(): Promise<string> {
    const { deviceId, privateKey } = this.#opts.identity;
    const post = (path: string, body: unknown) =>
      httpJson<unknown>(
        this.serverUrl,
        { method: 'POST', path, body, timeoutMs: this.#opts.timeoutMs ?? 10_000 },
        this.#opts.fetch,
      );
    const challenge = validate(
      ChallengeResponse,
      (await post(API.deviceChallenge, { deviceId })).body,
      'device challenge',
    );
    const sig = signCanonical(sessionSigningInput(deviceId, challenge.nonce), privateKey);
    const session = validate(
      DeviceSessionResponse,
      (await post(API.deviceSession, { deviceId, nonce: challenge.nonce, sig })).body,
      'device session',
    );
    if (!session.token) {
      throw new LinliError(ErrorCode.HANDSHAKE_FAILED, 'control plane issued an empty session token');
    }
    this.#token = session.token;
    return session.token;
  }
}
