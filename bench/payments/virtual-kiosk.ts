import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { issueAuthorization } from '../../device-drivers/payment-terminal/sim/sim-acquirer-host.js';
import { API, IDEMPOTENCY_HEADER } from '../../protocol/api.js';
import { Keyring, signCanonical, verifyEnvelope } from '../../protocol/envelope.js';
import { keyId, publicKeyToRaw } from '../../protocol/keys.js';
import type { Bill } from '../../protocol/schemas/bill.js';
import type { Signed } from '../../protocol/schemas/common.js';
import type { PaymentResponse } from '../../protocol/schemas/device-api.js';
import {
  type EnrollResponse,
  enrollSigningInput,
  sessionSigningInput,
} from '../../protocol/schemas/enrollment.js';
import { Payment } from '../../protocol/schemas/payment.js';
import { Receipt } from '../../protocol/schemas/receipt.js';
import { parseToken } from '../../protocol/token.js';
import { verifyRootChain } from '../../protocol/tuf/tuf-root.js';

async function post<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * A kiosk as the control plane sees it, without peripherals: enrolls with its own key, holds a session, and
 * runs the device side of a payment over HTTP, verifying every signed answer as a real kiosk does.
 */
export class VirtualKiosk {
  readonly #key: KeyObject;
  readonly #publicKey: string;
  #deviceId = '';
  #token = '';
  ring = new Keyring();

  constructor(readonly base: string) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.#key = privateKey;
    this.#publicKey = publicKeyToRaw(publicKey);
  }

  async enroll(token: string): Promise<void> {
    const { nonce } = await post<{ nonce: string }>(`${this.base}${API.enrollChallenge}`, {});
    const signed = { token, role: 'kiosk' as const, publicKey: this.#publicKey, nonce };
    const res = await post<EnrollResponse>(`${this.base}${API.enroll}`, {
      ...signed,
      sig: signCanonical(enrollSigningInput(signed), this.#key),
    });
    this.#deviceId = res.deviceId;
    // As a real kiosk: the TUF root chain must match the hash pinned in the token, and the keyset must verify
    // against the keyset key that root certifies.
    const { keysetKey } = verifyRootChain(res.tufRoots, parseToken(token).rootHash);
    this.ring = Keyring.fromKeyset(res.keyset, {
      kid: keyId(keysetKey),
      uses: ['root'],
      publicKey: keysetKey,
    }).keyring;
    const c = await post<{ nonce: string }>(`${this.base}${API.deviceChallenge}`, {
      deviceId: this.#deviceId,
    });
    const s = await post<{ token: string }>(`${this.base}${API.deviceSession}`, {
      deviceId: this.#deviceId,
      nonce: c.nonce,
      sig: signCanonical(sessionSigningInput(this.#deviceId, c.nonce), this.#key),
    });
    this.#token = s.token;
  }

  #auth(): Record<string, string> {
    return { authorization: `Bearer ${this.#token}` };
  }

  /** Bill lookup → create (idempotency key) → present → terminal approval → receipt → close. */
  async pay(billerId: string, account: string): Promise<void> {
    const res = await fetch(`${this.base}${API.deviceBills}?billerId=${billerId}&account=${account}`, {
      headers: this.#auth(),
    });
    const { bills } = (await res.json()) as { bills: Signed<Bill>[] };
    const bill = verifyEnvelope<Bill>(bills[0], this.ring, { type: 'linli.bill/v1' });
    const key = randomBytes(18).toString('base64url');
    const created = await post<PaymentResponse>(
      `${this.base}${API.devicePayments}`,
      { billId: bill.id, amountFen: bill.amountFen, method: 'terminal' },
      { ...this.#auth(), [IDEMPOTENCY_HEADER]: key },
    );
    const id = verifyEnvelope<Payment>(created.payment, this.ring, { type: 'linli.payment/v1' }).id;
    const presented = await post<PaymentResponse>(
      `${this.base}${API.devicePaymentPresent(id)}`,
      {},
      this.#auth(),
    );
    const request = verifyEnvelope<Payment>(presented.payment, this.ring, { type: 'linli.payment/v1' });
    // The simulated terminal's part: its acquirer host authorizes for this payment and terminal request.
    const acquirerTransactionId = issueAuthorization({
      SaleTransactionID: id,
      AuthorizedAmount: bill.amountFen,
      Currency: 'CNY',
      ...(request.saleToAcquirerData ? { SaleToAcquirerData: request.saleToAcquirerData } : {}),
      ApprovalCode: '123456',
      TimeStamp: new Date().toISOString(),
    });
    const done = await post<PaymentResponse>(
      `${this.base}${API.devicePaymentAuthorization(id)}`,
      {
        terminal: {
          outcome: 'approved',
          amountFen: bill.amountFen,
          reference: id,
          authCode: '123456',
          maskedCard: '622202******1234',
          acquirerTransactionId,
        },
      },
      this.#auth(),
    );
    verifyEnvelope<Payment>(done.payment, this.ring, { type: 'linli.payment/v1', schema: Payment });
    verifyEnvelope<Receipt>(done.receipt, this.ring, { type: 'linli.receipt/v1', schema: Receipt });
    await post(`${this.base}${API.devicePaymentClose(id)}`, {}, this.#auth());
  }
}
