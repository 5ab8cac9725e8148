import { randomBytes } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { verifyCanonical } from '../../../protocol/envelope.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { publicKeyFromRaw } from '../../../protocol/keys.js';
import {
  CloseCode,
  channelSigningInput,
  DeviceAuth,
  DeviceStatus,
  type ServerChallenge,
  type ServerWelcome,
} from '../../../protocol/schemas/channel.js';
import { isValid } from '../../../protocol/validate.js';
import type { Logger } from '../services/context.js';
import type { Repository } from '../storage/repository.js';
import type { DeviceHub } from './device-hub.js';

export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** A channel carries small control messages; anything bigger is not a Linli device. */
export const MAX_CHANNEL_MESSAGE_BYTES = 64 * 1024;

export interface ChannelDeps {
  hub: DeviceHub;
  repo: Repository;
  now: () => number;
  log: Logger;
  handshakeTimeoutMs?: number;
}

/**
 * One device channel. The server speaks first with a nonce; the device has a few seconds to answer with its
 * signature over it. Until then nothing else is sent or accepted, and a failed handshake is closed with 1008
 * and the LINLI_ERR code as reason, changing nothing stored.
 */
export function handleChannel(socket: WebSocket, deps: ChannelDeps): void {
  const nonce = randomBytes(32).toString('base64url');
  let deviceId: string | undefined;
  // settled: the handshake is over (accepted or refused); authenticating: the auth message is being checked.
  let settled = false;
  let authenticating = false;

  const fail = (code: string, why: string): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    deps.log.info({ code, why }, 'device channel handshake refused');
    socket.close(CloseCode.POLICY, code);
  };
  const timer = setTimeout(
    () => fail(ErrorCode.HANDSHAKE_FAILED, 'no auth in time'),
    deps.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
  );

  socket.on('message', (data: RawData, isBinary: boolean) => {
    const msg = parse(data, isBinary);
    if (!settled) {
      // Only the first message is the auth; anything sent before the welcome is ignored.
      if (!authenticating) {
        authenticating = true;
        authenticate(msg).catch((err: unknown) => {
          deps.log.error({ err }, 'device channel handshake failed internally');
          fail(ErrorCode.INTERNAL, 'internal error');
        });
      }
      return;
    }
    if (deviceId === undefined) return;
    if (isValid(DeviceStatus, msg)) {
      deps.hub.recordStatus(deviceId, msg);
    } else {
      deps.log.warn({ deviceId }, 'ignored a malformed or unknown channel message');
    }
  });
  socket.on('close', () => {
    clearTimeout(timer);
    settled = true;
    if (deviceId !== undefined) deps.hub.unregister(deviceId, socket);
  });
  socket.on('error', (err) => deps.log.warn({ err }, 'device channel error'));

  const challenge: ServerChallenge = {
    type: 'challenge',
    nonce,
    serverTime: new Date(deps.now()).toISOString(),
  };
  socket.send(JSON.stringify(challenge));

  async function authenticate(msg: unknown): Promise<void> {
    if (!isValid(DeviceAuth, msg))
      return fail(ErrorCode.HANDSHAKE_FAILED, 'first message is not a valid auth');
    if (msg.nonce !== nonce) return fail(ErrorCode.HANDSHAKE_FAILED, 'auth answers another nonce');
    const device = await deps.repo.devices.get(msg.deviceId);
    if (!device) return fail(ErrorCode.DEVICE_UNKNOWN, `no device ${msg.deviceId}`);
    if (
      !verifyCanonical(channelSigningInput(device.id, nonce), msg.sig, publicKeyFromRaw(device.publicKey))
    ) {
      return fail(ErrorCode.HANDSHAKE_FAILED, 'signature does not verify');
    }
    if (device.status !== 'active') return fail(ErrorCode.DEVICE_REVOKED, `device ${device.id} is revoked`);
    if (settled || socket.readyState !== socket.OPEN) return;
    settled = true;
    clearTimeout(timer);
    deviceId = device.id;
    const welcome: ServerWelcome = {
      type: 'welcome',
      deviceId: device.id,
      sessionId: deps.hub.register(device.id, socket),
      serverTime: new Date(deps.now()).toISOString(),
      heartbeatSec: deps.hub.heartbeatSec,
    };
    socket.send(JSON.stringify(welcome));
  }
}

function parse(data: RawData, isBinary: boolean): unknown {
  if (isBinary) return undefined;
  try {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
