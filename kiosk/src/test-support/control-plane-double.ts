import { randomBytes } from 'node:crypto';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { API } from '../../../protocol/api.js';
import { signEnvelope, verifyCanonical } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import {
  generateSigningKey,
  publicKeyFromRaw,
  publicKeyToRaw,
  type SigningKey,
} from '../../../protocol/keys.js';
import { channelSigningInput } from '../../../protocol/schemas/channel.js';
import type { DeviceRole, Signed } from '../../../protocol/schemas/common.js';
import { enrollSigningInput, sessionSigningInput } from '../../../protocol/schemas/enrollment.js';
import type { Keyset } from '../../../protocol/schemas/keyset.js';
import type { Notice } from '../../../protocol/schemas/notice.js';
import { formatToken } from '../../../protocol/token.js';
import { PaymentsDouble } from './payments-double.js';

/**
 * A small, real control plane for the device's unit tests: real HTTP and WebSocket, real signatures, the
 * same routes and payloads as protocol/. It keeps state in memory and can be told to misbehave (drop a
 * response after processing it, close the channel with a policy code, serve a tampered notice).
 * Test-only: nothing in the runtime imports it.
 */
export class ControlPlaneDouble {
  readonly root = generateSigningKey('root');
  readonly content = generateSigningKey('content');
  readonly transaction = generateSigningKey('transaction');
  readonly nodeId = newId('node');
  keyset: Signed<Keyset>;
  readonly tokens = new Map<string, { role: DeviceRole; uses: number }>();
  readonly devices = new Map<string, { publicKey: string; role: DeviceRole; revoked?: boolean }>();
  readonly sessions = new Map<string, string>();
  readonly nonces = new Set<string>();
  notices: unknown[] = [];
  noticeVersion = 1;
  /** Requests seen, as "METHOD /path", for assertions. */
  readonly requests: string[] = [];
  /** Process the next request matching this and then cut the connection before answering. */
  readonly dropRules: { match: RegExp; times: number }[] = [];
  readonly channels = new Map<string, WebSocket>();
  /** When set, channel auth from these devices is refused with 1008 and this code. */
  channelRefusal: string | undefined;
  readonly payments: PaymentsDouble;
  app: FastifyInstance | undefined;
  url = '';

  constructor() {
    this.keyset = this.#signKeyset(1);
    this.payments = new PaymentsDouble(this);
  }

  #signKeyset(version: number): Signed<Keyset> {
    const entry = (k: SigningKey) => ({
      kid: k.kid,
      alg: 'Ed25519' as const,
      uses: [k.use],
      publicKey: publicKeyToRaw(k.publicKey),
    });
    return signEnvelope<Keyset>(
      {
        type: 'linli.keyset/v1',
        version,
        issuedAt: new Date().toISOString(),
        keys: [entry(this.content), entry(this.transaction)],
      },
      this.root,
    );
  }

  mintToken(role: DeviceRole, uses = 1): string {
    const token = formatToken({
      tokenId: newId('tok'),
      secret: randomBytes(32).toString('base64url'),
      rootKey: publicKeyToRaw(this.root.publicKey),
    });
    this.tokens.set(token, { role, uses });
    return token;
  }

  publishNotice(title: string, extra: Partial<Notice> = {}): Signed<Notice> {
    const env = signEnvelope<Notice>(
      {
        type: 'linli.notice/v1',
        id: newId('ntc'),
        version: 1,
        title: { zh: title, en: 'Notice' },
        body: { zh: `${title}：详情请见物业公告栏。`, en: 'See the management office board.' },
        category: 'event',
        priority: 'normal',
        targets: { nodeIds: [this.nodeId] },
        publishedAt: new Date().toISOString(),
        ...extra,
      },
      this.content,
    );
    this.notices.push(env);
    this.bump();
    return env;
  }

  /** A notice whose payload was changed after signing (what an attacker in the path would serve). */
  publishTampered(title: string): void {
    const env = signEnvelope<Notice>(
      {
        type: 'linli.notice/v1',
        id: newId('ntc'),
        version: 1,
        title: { zh: '原标题' },
        body: { zh: '原内容' },
        category: 'general',
        priority: 'normal',
        targets: { nodeIds: [this.nodeId] },
        publishedAt: new Date().toISOString(),
      },
      this.content,
    );
    this.notices.push({ ...env, payload: { ...env.payload, title: { zh: title } } });
    this.bump();
  }

  /** New content version: tell connected devices to sync. */
  bump(): void {
    this.noticeVersion++;
    for (const ws of this.channels.values()) ws.send(JSON.stringify({ type: 'sync', topic: 'content' }));
  }

  async start(port = 0): Promise<string> {
    const app = Fastify();
    this.app = app;
    await app.register(websocket);
    app.addHook('onRequest', async (req) => {
      this.requests.push(`${req.method} ${req.url.split('?')[0]}`);
    });
    app.setErrorHandler((err, _req, reply) => {
      const e =
        err instanceof LinliError ? err : new LinliError(ErrorCode.BAD_REQUEST, (err as Error).message);
      return reply.status(e.httpStatus).send(e.toJSON());
    });
    this.#enrollRoutes(app);
    this.#deviceRoutes(app);
    this.payments.routes(app);
    await app.listen({ host: '127.0.0.1', port });
    const addr = app.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const ws of this.channels.values()) ws.terminate();
    await this.app?.close();
  }

  /** Sends `body`, unless a drop rule says to cut the connection after the work was done. */
  reply(req: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply | undefined {
    const line = `${req.method} ${req.url.split('?')[0]}`;
    const rule = this.dropRules.find((r) => r.times > 0 && r.match.test(line));
    if (rule) {
      rule.times--;
      reply.hijack();
      req.raw.socket.destroy();
      return undefined;
    }
    return reply.send(body);
  }

  deviceOf(req: FastifyRequest): string {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const deviceId = token ? this.sessions.get(token) : undefined;
    if (!deviceId) throw new LinliError(ErrorCode.UNAUTHORIZED, 'no or expired session');
    return deviceId;
  }

  #nonce(): { nonce: string; expiresAt: string } {
    const nonce = randomBytes(32).toString('base64url');
    this.nonces.add(nonce);
    return { nonce, expiresAt: new Date(Date.now() + 60_000).toISOString() };
  }

  #takeNonce(nonce: string): void {
    if (!this.nonces.delete(nonce)) throw new LinliError(ErrorCode.NONCE_INVALID, 'unknown nonce');
  }

  #enrollRoutes(app: FastifyInstance): void {
    app.post(API.enrollChallenge, async () => this.#nonce());
    app.post<{ Body: Record<string, string> }>(API.enroll, async (req) => {
      const b = req.body;
      const tok = this.tokens.get(b.token ?? '');
      if (!tok || tok.uses < 1) throw new LinliError(ErrorCode.TOKEN_INVALID, 'token unknown or used up');
      if (tok.role !== b.role)
        throw new LinliError(ErrorCode.TOKEN_ROLE_MISMATCH, `token is for ${tok.role}`);
      this.#takeNonce(b.nonce ?? '');
      const input = enrollSigningInput({
        token: b.token!,
        role: tok.role,
        publicKey: b.publicKey!,
        nonce: b.nonce!,
      });
      if (!verifyCanonical(input, b.sig ?? '', publicKeyFromRaw(b.publicKey!))) {
        throw new LinliError(ErrorCode.ENROLL_SIGNATURE, 'bad enrollment signature');
      }
      tok.uses--;
      const deviceId = newId('dev');
      this.devices.set(deviceId, { publicKey: b.publicKey!, role: tok.role });
      return {
        deviceId,
        role: tok.role,
        node: {
          id: this.nodeId,
          name: '幸福里社区',
          path: ['上海市', '徐汇区', '幸福里社区'],
          timezone: 'Asia/Shanghai',
        },
        keyset: this.keyset,
      };
    });
  }

  #deviceRoutes(app: FastifyInstance): void {
    app.post<{ Body: { deviceId: string } }>(API.deviceChallenge, async () => this.#nonce());
    app.post<{ Body: { deviceId: string; nonce: string; sig: string } }>(API.deviceSession, async (req) => {
      const { deviceId, nonce, sig } = req.body;
      const dev = this.devices.get(deviceId);
      if (!dev) throw new LinliError(ErrorCode.DEVICE_UNKNOWN, 'unknown device');
      this.#takeNonce(nonce);
      if (!verifyCanonical(sessionSigningInput(deviceId, nonce), sig, publicKeyFromRaw(dev.publicKey))) {
        throw new LinliError(ErrorCode.HANDSHAKE_FAILED, 'bad session signature');
      }
      const token = randomBytes(24).toString('base64url');
      this.sessions.set(token, deviceId);
      return { token, expiresAt: new Date(Date.now() + 600_000).toISOString() };
    });
    app.get(API.deviceKeyset, async (req) => {
      this.deviceOf(req);
      return { keyset: this.keyset };
    });
    app.get(API.deviceNotices, async (req, reply) => {
      this.deviceOf(req);
      const etag = `"n${this.noticeVersion}"`;
      if (req.headers['if-none-match'] === etag) return reply.status(304).send();
      return this.reply(req, reply.header('etag', etag), {
        version: `v${this.noticeVersion}`,
        notices: this.notices,
      });
    });
    app.get(API.deviceChannel, { websocket: true }, (socket) => {
      const nonce = randomBytes(32).toString('base64url');
      socket.send(JSON.stringify({ type: 'challenge', nonce, serverTime: new Date().toISOString() }));
      socket.once('message', (data) => {
        const msg = JSON.parse(data.toString()) as { deviceId: string; nonce: string; sig: string };
        const dev = this.devices.get(msg.deviceId);
        const ok =
          dev &&
          msg.nonce === nonce &&
          verifyCanonical(channelSigningInput(msg.deviceId, nonce), msg.sig, publicKeyFromRaw(dev.publicKey));
        if (!ok || this.channelRefusal) {
          socket.close(1008, this.channelRefusal ?? ErrorCode.DEVICE_UNKNOWN);
          return;
        }
        this.channels.set(msg.deviceId, socket);
        socket.on('close', () => this.channels.delete(msg.deviceId));
        socket.send(
          JSON.stringify({
            type: 'welcome',
            deviceId: msg.deviceId,
            sessionId: randomBytes(8).toString('hex'),
            serverTime: new Date().toISOString(),
            heartbeatSec: 30,
          }),
        );
      });
    });
  }
}
