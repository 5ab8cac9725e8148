import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { API } from '../../../protocol/api.js';
import { signCanonical } from '../../../protocol/envelope.js';
import {
  CloseCode,
  channelSigningInput,
  type DeviceAuth,
  type DeviceMessage,
  type DeviceRuntime,
  type DeviceStatus,
  ServerChallenge,
  ServerCommand,
  ServerPush,
  ServerSync,
  ServerWelcome,
} from '../../../protocol/schemas/channel.js';
import { isValid } from '../../../protocol/validate.js';
import type { DeviceIdentity } from '../identity/identity.js';
import type { Logger } from '../logger.js';
import { ReconnectBackoff } from './reconnect-backoff.js';

export interface ChannelOptions {
  serverUrl: string;
  identity: DeviceIdentity;
  log: Logger;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** The attempt counter resets only after a connection stayed up this long. */
  stableAfterMs: number;
  /** The server must challenge and welcome within this time, or the socket is dropped. */
  handshakeTimeoutMs: number;
  /** Reported to the server in `auth.have` and status messages. */
  contentVersion: () => string | undefined;
  /** What software this is (`auth.have.runtime`), for the console's device page; absent: not told. */
  runtime?: () => DeviceRuntime | undefined;
  random?: () => number;
  /** See BackoffOptions: the retry window after the server announced a restart (defaults 30 s, 8 tries). */
  restartCapMs?: number;
  restartAttempts?: number;
}

/** `replaced`: the server closed this connection because another one with the same identity took over. */
export type ChannelState = 'stopped' | 'connecting' | 'open' | 'waiting' | 'replaced';

export interface ChannelEvents {
  welcome: [ServerWelcome];
  sync: [ServerSync];
  push: [ServerPush];
  command: [ServerCommand];
  state: [ChannelState];
  /** A scheduled reconnect: the delay and why (for logs and tests). */
  retry: [{ delayMs: number; code?: string; closeCode: number }];
}

/**
 * The device's WebSocket channel. The server speaks first with a nonce; the device answers with its
 * signature over channelSigningInput, so no clock agreement is needed. Pushes only say "something changed";
 * the device fetches and verifies content itself, so the channel carries no authority.
 */
export class DeviceChannel extends EventEmitter<ChannelEvents> {
  readonly #opts: ChannelOptions;
  readonly #backoff: ReconnectBackoff;
  #state: ChannelState = 'stopped';
  #ws: WebSocket | undefined;
  #timers = new Set<NodeJS.Timeout>();
  #heartbeat: NodeJS.Timeout | undefined;
  /** The server said it is restarting (1012) and has not welcomed us since: retry on the restart window. */
  #restarting = false;

  constructor(opts: ChannelOptions) {
    super();
    this.#opts = opts;
    this.#backoff = new ReconnectBackoff({
      baseMs: opts.backoffBaseMs,
      capMs: opts.backoffCapMs,
      ...(opts.random ? { random: opts.random } : {}),
      ...(opts.restartCapMs !== undefined ? { restartCapMs: opts.restartCapMs } : {}),
      ...(opts.restartAttempts !== undefined ? { restartAttempts: opts.restartAttempts } : {}),
    });
  }

  get state(): ChannelState {
    return this.#state;
  }

  /** Sends one message to the control plane while the channel is open; false (nothing sent) otherwise. */
  send(message: DeviceMessage): boolean {
    const ws = this.#ws;
    if (this.#state !== 'open' || !ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  start(): void {
    if (this.#state !== 'stopped') return;
    this.#connect();
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#setState('stopped');
    this.#clearTimers();
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      ws.close(1000, 'device stopping');
      const timer = setTimeout(() => ws.terminate(), 2_000);
      await closed;
      clearTimeout(timer);
    }
  }

  #setState(state: ChannelState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }

  #connect(): void {
    this.#setState('connecting');
    const url = new URL(API.deviceChannel, this.#opts.serverUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, { handshakeTimeout: this.#opts.handshakeTimeoutMs });
    this.#ws = ws;
    let welcomed = false;
    const handshake = this.#timer(this.#opts.handshakeTimeoutMs, () => {
      if (!welcomed) {
        this.#opts.log.warn('channel: no challenge/welcome in time; dropping the connection');
        ws.terminate();
      }
    });

    ws.on('message', (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        this.#opts.log.warn('channel: ignored a message that is not JSON');
        return;
      }
      if (isValid(ServerChallenge, msg)) {
        this.#answer(ws, msg);
      } else if (isValid(ServerWelcome, msg)) {
        if (msg.deviceId !== this.#opts.identity.deviceId) {
          this.#opts.log.error({ got: msg.deviceId }, 'channel: welcome for another device id; dropping');
          ws.terminate();
          return;
        }
        welcomed = true;
        this.#clear(handshake);
        this.#onWelcome(ws, msg);
      } else if (!welcomed) {
        this.#opts.log.warn('channel: server sent something other than challenge/welcome before auth');
      } else if (isValid(ServerSync, msg)) {
        this.emit('sync', msg);
      } else if (isValid(ServerPush, msg)) {
        this.emit('push', msg);
      } else if (isValid(ServerCommand, msg)) {
        this.emit('command', msg);
      } else {
        this.#opts.log.debug({ type: (msg as { type?: unknown })?.type }, 'channel: ignored unknown message');
      }
    });
    ws.on('error', (err) => {
      this.#opts.log.warn({ err: err.message }, 'channel: connection error');
    });
    ws.on('close', (code, reasonBuf) => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      this.#clearTimers();
      if (this.#state === 'stopped') return;
      if (code === CloseCode.REPLACED) {
        // Two runtimes share one identity (a copied state dir?): fighting over the session would only
        // flap both. HTTP polling keeps content current; a restart reconnects.
        this.#opts.log.error(
          { closeCode: code },
          'channel: another connection with this device identity took over; not reconnecting. Check that only one runtime uses this state dir.',
        );
        this.#setState('replaced');
        return;
      }
      this.#scheduleReconnect(code, reasonBuf.toString());
    });
  }

  #answer(ws: WebSocket, challenge: ServerChallenge): void {
    const { deviceId, privateKey } = this.#opts.identity;
    const version = this.#opts.contentVersion();
    const runtime = this.#opts.runtime?.();
    const have: NonNullable<DeviceAuth['have']> = {
      ...(version ? { contentVersion: version } : {}),
      ...(runtime ? { runtime } : {}),
    };
    const auth: DeviceAuth = {
      type: 'auth',
      deviceId,
      nonce: challenge.nonce,
      sig: signCanonical(channelSigningInput(deviceId, challenge.nonce), privateKey),
      ...(version || runtime ? { have } : {}),
    };
    ws.send(JSON.stringify(auth));
  }

  #onWelcome(ws: WebSocket, welcome: ServerWelcome): void {
    this.#restarting = false;
    this.#setState('open');
    this.#opts.log.info({ sessionId: welcome.sessionId }, 'channel: connected');
    this.#timer(this.#opts.stableAfterMs, () => this.#backoff.reset());
    let alive = true;
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('message', () => {
      alive = true;
    });
    // A half-open TCP connection never errors by itself: ping every heartbeat, drop after a silent one.
    this.#heartbeat = setInterval(() => {
      if (!alive) {
        this.#opts.log.warn('channel: server silent for a whole heartbeat; reconnecting');
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
      ws.send(JSON.stringify(this.#status()));
    }, welcome.heartbeatSec * 1000);
    this.emit('welcome', welcome);
  }

  #status(): DeviceStatus {
    const version = this.#opts.contentVersion();
    return {
      type: 'status',
      at: new Date().toISOString(),
      uptimeSec: Math.floor(process.uptime()),
      ...(version ? { contentVersion: version } : {}),
    };
  }

  #scheduleReconnect(closeCode: number, reason: string): void {
    const code = /LINLI_ERR_[A-Z_]+/.exec(reason)?.[0];
    const policy = closeCode === CloseCode.POLICY && code !== undefined;
    if (closeCode === CloseCode.SERVER_RESTART) this.#restarting = true;
    if (policy) this.#restarting = false;
    const delayMs = this.#backoff.next(policy ? 'policy' : this.#restarting ? 'restart' : 'normal');
    if (policy) {
      this.#opts.log.error(
        { code, closeCode, reason, delayMs },
        'channel: the control plane refused this device; backing off hard',
      );
    } else {
      this.#opts.log.info({ closeCode, delayMs }, 'channel: disconnected; reconnecting after backoff');
    }
    this.emit('retry', { delayMs, closeCode, ...(code ? { code } : {}) });
    this.#setState('waiting');
    this.#timer(delayMs, () => {
      if (this.#state === 'waiting') this.#connect();
    });
  }

  #timer(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
    return t;
  }

  #clear(t: NodeJS.Timeout): void {
    clearTimeout(t);
    this.#timers.delete(t);
  }

  #clearTimers(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
