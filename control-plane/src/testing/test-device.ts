import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { API } from '../../../protocol/api.js';
import { signCanonical } from '../../../protocol/envelope.js';
import { publicKeyToRaw } from '../../../protocol/keys.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import {
  type EnrollResponse,
  enrollSigningInput,
  sessionSigningInput,
} from '../../../protocol/schemas/enrollment.js';

/** A device as the tests play it: its own key pair, enrollment and session over inject(). */
export class TestDevice {
  readonly privateKey: KeyObject;
  readonly publicKey: string;
  id = '';
  enrolled: EnrollResponse | undefined;
  #session: string | undefined;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    this.publicKey = publicKeyToRaw(publicKey);
  }

  /** The enroll request body (signed over a fresh challenge) without sending it. */
  async enrollBody(
    app: FastifyInstance,
    token: string,
    role: DeviceRole,
    patch: Record<string, unknown> = {},
  ) {
    const challenge = await app.inject({ method: 'POST', url: API.enrollChallenge, payload: {} });
    const nonce = (challenge.json() as { nonce: string }).nonce;
    const signed = { token, role, publicKey: this.publicKey, nonce };
    return { ...signed, sig: signCanonical(enrollSigningInput(signed), this.privateKey), ...patch };
  }

  async enroll(app: FastifyInstance, token: string, role: DeviceRole): Promise<EnrollResponse> {
    const res = await app.inject({
      method: 'POST',
      url: API.enroll,
      payload: await this.enrollBody(app, token, role),
    });
    if (res.statusCode !== 201) throw new Error(`enroll failed: ${res.statusCode} ${res.body}`);
    this.enrolled = res.json() as EnrollResponse;
    this.id = this.enrolled.deviceId;
    return this.enrolled;
  }

  async session(app: FastifyInstance): Promise<string> {
    const c = await app.inject({ method: 'POST', url: API.deviceChallenge, payload: { deviceId: this.id } });
    if (c.statusCode !== 200) throw new Error(`challenge failed: ${c.body}`);
    const nonce = (c.json() as { nonce: string }).nonce;
    const sig = signCanonical(sessionSigningInput(this.id, nonce), this.privateKey);
    const s = await app.inject({
      method: 'POST',
      url: API.deviceSession,
      payload: { deviceId: this.id, nonce, sig },
    });
    if (s.statusCode !== 201) throw new Error(`session failed: ${s.body}`);
    this.#session = (s.json() as { token: string }).token;
    return this.#session;
  }

  /** inject() with this device's bearer token; like a device, it authenticates again when the session expired. */
  async call(app: FastifyInstance, opts: InjectOptions): Promise<LightMyRequestResponse> {
    const send = (token: string) =>
      app.inject({ ...opts, headers: { ...(opts.headers ?? {}), authorization: `Bearer ${token}` } });
    const res = await send(this.#session ?? (await this.session(app)));
    if (res.statusCode === 401 && res.json().error?.code === 'LINLI_ERR_SESSION_EXPIRED') {
      return send(await this.session(app));
    }
    return res;
  }
}
