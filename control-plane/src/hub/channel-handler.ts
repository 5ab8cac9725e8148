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
import { DeviceHealth, EmergencyAck } from '../../../protocol/schemas/device-health.js';
import { isValid } from '../../../protocol/validate.js';
import type { Logger } from '../services/context.js';
import type { Repository } from '../storage/repository.js';
import type { DeviceHub } from './device-hub.js';
import { releaseUpgradeResponse, textFrame, writeFrame } from './ws-internals.js';

export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** A channel carries small control messages; anything bigger is not a Linli device. */
export const MAX_CHANNEL_MESSAGE_BYTES = 64 * 1024;

export interface ChannelDeps {
  hub: DeviceHub;
  repo: Repository;
  now: () => number;
  log: Logger;
  handshakeTimeoutMs?: number;
  /** Health reports and emergency acknowledgements (issue 12: the alert engine). */
  health?: {
    onHealth(deviceId: string, msg: DeviceHealth): Promise<void>;
    onEmergencyAck(deviceId: string, msg: EmergencyAck): Promise<void>;
  };
  /**
   * After the welcome went out on this instance (the one holding the socket): remote commands waiting for
   * the device are delivered here, after it has learnt the server clock from the welcome.
   */
  onWelcome?: (deviceId: string) => void;
}

/**
 * Listeners shared by every authenticated socket (`this` is the socket), made once per set of deps: after the
 * handshake a connection holds no closure of its own, only its entry in the hub.
 */
interface Shared {
  onMessage(this: WebSocket, data: RawData, isBinary: boolean): void;
  onClose(this: WebSocket, code: number): void;
  onError(this: WebSocket, err: Error): void;
}

const shared = new WeakMap<ChannelDeps, Shared>();

function sharedFor(deps: ChannelDeps): Shared {
  let s = shared.get(deps);
  if (!s) {
    s = {
      onMessage(data, isBinary) {
        const deviceId = deps.hub.deviceOf(this);
        if (deviceId === undefined) return;
        const msg = parse(data, isBinary);
        if (isValid(DeviceStatus, msg)) deps.hub.recordStatus(deviceId, msg);
        else if (isValid(DeviceHealth, msg)) {
          // Proof of life too; stored and evaluated without holding up the socket's next message.
          deps.hub.recordStatus(deviceId, undefined);
          deps.health?.onHealth(deviceId, msg).catch((err: unknown) => {
            deps.log.error({ err, deviceId }, 'could not store or evaluate a health report');
          });
        } else if (isValid(EmergencyAck, msg)) {
          deps.health?.onEmergencyAck(deviceId, msg).catch((err: unknown) => {
            deps.log.error({ err, deviceId }, 'could not store an emergency acknowledgement');
          });
        } else deps.log.warn({ deviceId }, 'ignored a malformed or unknown channel message');
      },
      onClose(code) {
        const deviceId = deps.hub.deviceOf(this);
        if (deviceId !== undefined) deps.hub.unregister(deviceId, this, code);
      },
      onError(err) {
        deps.log.warn({ err, deviceId: deps.hub.deviceOf(this) }, 'device channel error');
      },
    };
    shared.set(deps, s);
  }
  return s;
}

/**
 * One device channel. The server speaks first with a nonce; the device has a few seconds to answer with its
 * signature over it. Until then nothing else is sent or accepted, and a failed handshake is closed with 1008
 * and the LINLI_ERR code as reason, changing nothing stored. Pass the same deps object for every socket (the
 * route does): the post-handshake listeners are made once per deps.
 */
export function handleChannel(socket: WebSocket, deps: ChannelDeps): void {
  const nonce = randomBytes(32).toString('base64url');
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

  // Only the first message is the auth; anything sent before the welcome is ignored.
  const onHandshakeMessage = (data: RawData, isBinary: boolean): void => {
    if (settled || authenticating) return;
    authenticating = true;
    authenticate(parse(data, isBinary)).catch((err: unknown) => {
      deps.log.error({ err }, 'device channel handshake failed internally');
      fail(ErrorCode.INTERNAL, 'internal error');
    });
  };
  const onHandshakeClose = (): void => {
    clearTimeout(timer);
    settled = true;
  };
  // Whatever else listens for errors (the websocket plugin's listener keeps the HTTP request alive) goes: the
  // shared listener logs them, and a held connection then references nothing but itself and its hub entry.
  socket.removeAllListeners('error');
  releaseUpgradeResponse(socket);
  const s = sharedFor(deps);
  socket.on('error', s.onError);
  socket.on('message', onHandshakeMessage);
  socket.on('close', onHandshakeClose);

  const challenge: ServerChallenge = {
    type: 'challenge',
    nonce,
    serverTime: new Date(deps.now()).toISOString(),
  };
  sendOne(socket, challenge);

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
    // Where it sits, so a notice for its street reaches it from the hub's index without a storage read.
    const node = await deps.repo.nodes.get(device.nodeId);
    if (settled || socket.readyState !== socket.OPEN) return;
    settled = true;
    clearTimeout(timer);
    socket.off('message', onHandshakeMessage);
    socket.off('close', onHandshakeClose);
    const sessionId = deps.hub.register(
      device.id,
      socket,
      { ancestry: node?.ancestry ?? [device.nodeId], role: device.role, tags: device.tags },
      // What software it runs, for the online history (the schema bounds every string).
      msg.have?.runtime,
    );
    socket.on('message', s.onMessage);
    socket.on('close', s.onClose);
    const welcome: ServerWelcome = {
      type: 'welcome',
      deviceId: device.id,
      sessionId,
      serverTime: new Date(deps.now()).toISOString(),
      heartbeatSec: deps.hub.heartbeatSec,
    };
    sendOne(socket, welcome);
    deps.onWelcome?.(device.id);
  }
}

/** One message to one socket as a single write (ws would cork and writev a header and the payload). */
function sendOne(socket: WebSocket, message: ServerChallenge | ServerWelcome): void {
  const payload = Buffer.from(JSON.stringify(message));
  writeFrame(socket, textFrame(payload), payload);
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
