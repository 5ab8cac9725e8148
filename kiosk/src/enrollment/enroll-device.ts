import { generateKeyPairSync } from 'node:crypto';
import { access, chmod, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { API } from '../../../protocol/api.js';
import { Keyring, signCanonical } from '../../../protocol/envelope.js';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import { exportPrivateKeyPem, publicKeyToRaw } from '../../../protocol/keys.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import {
  ChallengeResponse,
  type EnrollRequest,
  EnrollResponse,
  enrollSigningInput,
} from '../../../protocol/schemas/enrollment.js';
import { parseToken } from '../../../protocol/token.js';
import { verifyRootChain } from '../../../protocol/tuf/tuf-root.js';
import { validate } from '../../../protocol/validate.js';
import { pinRoot } from '../content/content-sync.js';
import { type FetchFn, httpJson } from '../http/http-json.js';
import { type IdentityFile, rootVerifyKey, saveIdentity } from '../identity/identity.js';
import { fsyncDir, writeFileDurable } from '../state/durable-file.js';
import { stateLayout } from '../state/state-layout.js';
import { hardwareInfo } from './hardware-info.js';
import { hasOpenPayments } from './open-payments.js';

export interface EnrollOptions {
  serverUrl: string;
  token: string;
  stateDir: string;
  role: DeviceRole;
  name?: string;
  /** Replace an existing enrollment (new key, new device id). Refused while payments are open. */
  force?: boolean;
  fetch?: FetchFn;
  timeoutMs?: number;
}

/**
 * Enrolls this device: pins the TUF root anchor carried in the token (the hash of 1.root.json), generates the
 * device key here (the private key never leaves the state dir), proves possession over a server nonce, and
 * accepts the answer only if the root chain starts at that exact file and every later root is signed by a
 * threshold of the one before, and the keyset is signed by the key the newest root certifies. identity.json
 * is written last: a failure at any step leaves the state dir not enrolled.
 */
export async function enrollDevice(opts: EnrollOptions): Promise<IdentityFile> {
  const serverUrl = normaliseServerUrl(opts.serverUrl);
  const token = parseToken(opts.token);
  const tokenText = opts.token.trim();
  const paths = stateLayout(opts.stateDir);

  await prepareStateDir(opts.stateDir);
  const replacing = await exists(paths.identity);
  if (replacing) {
    if (!opts.force) {
      throw new LinliError(
        ErrorCode.ALREADY_ENROLLED,
        `${opts.stateDir} already holds an enrolled device; use another --state dir, or --force to replace it (the old device id stops working)`,
        { stateDir: opts.stateDir },
      );
    }
    if (await hasOpenPayments(paths.payments)) {
      throw new LinliError(
        ErrorCode.ALREADY_ENROLLED,
        `${opts.stateDir} has open payments that only this device identity can resolve; run \`linli device\` until they are closed, then re-enroll`,
        { stateDir: opts.stateDir },
      );
    }
  }

  const http = (path: string, body: unknown) =>
    httpJson<unknown>(
      serverUrl,
      { method: 'POST', path, body, timeoutMs: opts.timeoutMs ?? 15_000 },
      opts.fetch,
    );

  const challenge = validate(
    ChallengeResponse,
    (await http(API.enrollChallenge, {})).body,
    'enroll challenge',
  );

  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyRaw = publicKeyToRaw(publicKey);
  const signed = { token: tokenText, role: opts.role, publicKey: publicKeyRaw, nonce: challenge.nonce };
  const request: EnrollRequest = {
    ...signed,
    ...(opts.name ? { name: opts.name } : {}),
    hardware: await hardwareInfo(),
    sig: signCanonical(enrollSigningInput(signed), privateKey),
  };

  if (replacing) {
    // The old identity is kept aside (not deleted) before its key is replaced, so the dir is never left
    // holding an identity whose key file does not match.
    await rename(
      paths.identity,
      `${paths.identity}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    );
    await fsyncDir(opts.stateDir);
  }
  // The key is on disk before the server learns it, so a crash after registration cannot orphan a device.
  await writeFileDurable(paths.deviceKey, exportPrivateKeyPem(privateKey), { mode: 0o600 });
  await chmod(paths.deviceKey, 0o600);

  let response: EnrollResponse;
  try {
    response = validate(EnrollResponse, (await http(API.enroll, request)).body, 'enroll response');
  } catch (err) {
    throw explainEnrollError(err, opts.role);
  }
  if (response.role !== opts.role) {
    throw new LinliError(
      ErrorCode.TOKEN_ROLE_MISMATCH,
      `the control plane enrolled this device as ${response.role}, not ${opts.role}; ask for a ${opts.role} token`,
      { expected: opts.role, got: response.role },
    );
  }
  let keysetKey: string;
  let latestRoot: string;
  try {
    const roots = verifyRootChain(response.tufRoots, token.rootHash);
    keysetKey = publicKeyToRaw(roots.keysetKey);
    latestRoot = roots.latestText;
  } catch (err) {
    throw new LinliError(
      isLinliError(err) ? err.code : ErrorCode.TUF_ROOT,
      `${isLinliError(err) ? err.message : String(err)}. Nothing was saved as enrolled.`,
      { serverUrl },
    );
  }
  try {
    Keyring.fromKeyset(response.keyset, rootVerifyKey(keysetKey));
  } catch (err) {
    throw new LinliError(
      isLinliError(err) ? err.code : ErrorCode.SIGNATURE_INVALID,
      `the keyset from ${serverUrl} is not signed by the key its TUF root certifies (${isLinliError(err) ? err.message : String(err)}); ` +
        'this is the wrong server or the token was altered. Nothing was saved as enrolled.',
      { serverUrl },
    );
  }

  const identity: IdentityFile = {
    format: 1,
    deviceId: response.deviceId,
    role: response.role,
    ...(opts.name ? { name: opts.name } : {}),
    node: response.node,
    tags: response.tags,
    serverUrl,
    tufRootHash: token.rootHash,
    rootKey: keysetKey,
    publicKey: publicKeyRaw,
    keyset: response.keyset,
    enrolledAt: new Date().toISOString(),
  };
  // The TUF client starts from the root verified here; content and metadata from a previous identity go.
  await rm(paths.tuf, { recursive: true, force: true });
  await rm(join(opts.stateDir, 'content'), { recursive: true, force: true });
  await pinRoot(paths.tuf, latestRoot);
  await saveIdentity(opts.stateDir, identity);
  return identity;
}

function normaliseServerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `--server ${JSON.stringify(raw)} is not a URL; pass the control plane's base URL, e.g. http://127.0.0.1:8080`,
      { field: 'server' },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `--server must be http:// or https://, got ${url.protocol}`,
      {
        field: 'server',
      },
    );
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** The state dir is private to the runtime's user: it holds the device's private key. */
async function prepareStateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await stat(dir);
  if (!st.isDirectory()) {
    throw new LinliError(ErrorCode.CONFIG_INVALID, `--state ${dir} is not a directory`, { field: 'state' });
  }
  await chmod(dir, 0o700);
}

function explainEnrollError(err: unknown, role: DeviceRole): unknown {
  if (isLinliError(err, ErrorCode.TOKEN_ROLE_MISMATCH)) {
    return new LinliError(
      err.code,
      `this token is for another device role than --role ${role}: ${err.message}`,
      err.details ? { ...err.details } : undefined,
    );
  }
  return err;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
