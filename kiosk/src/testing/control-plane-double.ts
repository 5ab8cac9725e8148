import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
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
import type { Command, CommandOp, SignedCommandResult } from '../../../protocol/schemas/fleet.js';
import type { Keyset } from '../../../protocol/schemas/keyset.js';
import type { EmergencyAlert, Notice } from '../../../protocol/schemas/notice.js';
import type { ServiceCatalogue } from '../../../protocol/schemas/services.js';
import type { ScreenshotUpload } from '../../../protocol/schemas/signage-device.js';
import { formatToken } from '../../../protocol/token.js';
import { ConfigTargetsDouble } from './config-targets-double.js';
import { PaymentsDouble } from './payments-double.js';
import { TufRepoDouble } from './tuf-repo-double.js';

/**
 * A small, real control plane for the device's unit tests: real HTTP and WebSocket, real signatures, the
 * same routes and payloads as protocol/. It keeps state in memory and can be told to misbehave (drop a
 * response after processing it, close the channel with a policy code, serve a tampered notice).
 * Test-only: nothing in the runtime imports it.
 *
 * Tests that need no misbehaviour use the real control plane (tests/helpers/real-control-plane.ts: so far
 * pages-chromium and runtime-kiosk-session). What stays here needs what the real one cannot produce: tampered
 * or re-signed TUF metadata and root rotations on demand (content/, runtime-lobby, lobby-chromium), answers
 * dropped after processing (dropRules), channel refusals with a chosen code, forged bills and terminal
 * requests (payment-flow), emergencies signed with arbitrary keys/seqs (emergency-state), a request log for
 * "no second call" assertions (api-client, enroll-device). Not yet checked one by one: runtime-kiosk,
 * runtime-kiosk-services, runtime-led, which may well run on the real one.
 */
export class ControlPlaneDouble {
  readonly root = generateSigningKey('root');
  readonly content = generateSigningKey('content');
  readonly transaction = generateSigningKey('transaction');
  readonly emergency = generateSigningKey('emergency');
  /** Fleet keys in the keyset (remote configuration and commands); the last one signs (addFleetKey rotates). */
  readonly fleetKeys = [generateSigningKey('fleet')];
  /** The newest fleet key: what signs commands and targets now. */
  get fleet() {
    return this.fleetKeys.at(-1)!;
  }
  readonly nodeId = newId('node');
  readonly ancestry = [newId('node'), newId('node'), newId('node'), this.nodeId];
  /** Every device's own TUF view; tamper hooks live here. */
  readonly tuf = new TufRepoDouble(this.root.publicKey);
  keyset: Signed<Keyset>;
  readonly tokens = new Map<string, { role: DeviceRole; uses: number }>();
  readonly devices = new Map<string, { publicKey: string; role: DeviceRole; revoked?: boolean }>();
  readonly sessions = new Map<string, string>();
  readonly nonces = new Set<string>();
  /** What every device of the double plays (filtered by role like the control plane does). */
  notices: Notice[] = [];
  /** The service catalogue kiosks get in their manifest (issue #6); none until a test sets it. */
  services: ServiceCatalogue | undefined;
  readonly plays: { playId: string }[] = [];
  readonly faults: unknown[] = [];
  readonly screenshots = new Map<string, ScreenshotUpload>();
  /** Signed command results devices posted (remote commands, issue 12). */
  readonly commandResults: SignedCommandResult[] = [];
  #commandSeq = 0;
  /** Requests seen, as "METHOD /path", for assertions. */
  readonly requests: string[] = [];
  /** Process the next request matching this and then cut the connection before answering. */
  readonly dropRules: { match: RegExp; times: number }[] = [];
  readonly channels = new Map<string, WebSocket>();
  /** When set, channel auth from these devices is refused with 1008 and this code. */
  channelRefusal: string | undefined;
  readonly payments: PaymentsDouble;
  /** Remote configuration: signed targets per device, reports received (issue 12). */
  readonly config: ConfigTargetsDouble;
  app: FastifyInstance | undefined;
  url = '';

  constructor() {
    this.keyset = this.#signKeyset(1);
    this.payments = new PaymentsDouble(this);
    this.config = new ConfigTargetsDouble({
      deviceOf: (req) => this.deviceOf(req),
      fleetKey: () => this.fleetKeys.at(-1)!,
      pushRaw: (msg) => this.pushRaw(msg),
    });
  }

  /** A new fleet key in a new keyset version (devices learn it on a keys sync or an unknown kid). */
  addFleetKey(): SigningKey {
    const key = generateSigningKey('fleet');
    this.fleetKeys.push(key);
    this.keyset = this.#signKeyset(this.keyset.payload.version + 1);
    return key;
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
        keys: [
          entry(this.content),
          entry(this.transaction),
          entry(this.emergency),
          ...this.fleetKeys.map(entry),
        ],
      },
      this.root,
    );
  }

  mintToken(role: DeviceRole, uses = 1): string {
    const token = formatToken({
      tokenId: newId('tok'),
      secret: randomBytes(32).toString('base64url'),
      rootHash: this.tuf.anchor,
    });
    this.tokens.set(token, { role, uses });
    return token;
  }

  /** A notice as the manifest carries it; published to every device's view, devices told to sync. */
  publishNotice(title: string, extra: Partial<Notice> & { roles?: DeviceRole[] } = {}): Notice {
    const { roles, ...rest } = extra;
    const now = Date.now();
    const notice: Notice = {
      id: newId('ntc'),
      version: 1,
      title: { zh: title, en: 'Notice' },
      body: {
        zh: `${title}：具体安排请见物业公告栏，或致电社区服务中心咨询。感谢各位居民的理解与支持，祝大家生活愉快。`,
        en: 'See the management office board, or call the community service centre.',
      },
      category: 'event',
      priority: 'normal',
      images: [],
      schedule: { start: new Date(now - 60_000).toISOString() },
      expiresAt: new Date(now + 7 * 86_400_000).toISOString(),
      displaySec: 15,
      ...rest,
    };
    this.notices.push(notice);
    if (roles) this.#roles.set(notice.id, roles);
    this.bump();
    return notice;
  }

  readonly #roles = new Map<string, DeviceRole[]>();

  /**
   * Signs a view with one more notice, then serves every such manifest altered in flight: the notice's title
   * becomes `title` (same byte length, so only the signed hash can tell). Later views drop that notice.
   */
  publishTampered(title: string): void {
    const filler = 'x'.repeat(Buffer.byteLength(title));
    const bait = this.publishNotice(filler);
    this.notices = this.notices.filter((n) => n !== bait);
    const tampered = new Set(
      [...this.tuf.views.values()].map((v) => [...v.targets.keys()].find((k) => k.startsWith('manifest/'))!),
    );
    this.tuf.tamper = (file, body) =>
      tampered.has(file) ? Buffer.from(body.toString().replaceAll(filler, title)) : undefined;
  }

  /** Re-signs every device's view with the current notices and tells connected devices to sync. */
  bump(): void {
    for (const [id, dev] of this.devices) {
      this.tuf.publish(
        id,
        this.notices.filter((n) => !this.#roles.get(n.id) || this.#roles.get(n.id)!.includes(dev.role)),
        dev.role === 'kiosk' && this.services ? { services: this.services } : {},
      );
    }
    for (const ws of this.channels.values()) ws.send(JSON.stringify({ type: 'sync', topic: 'content' }));
  }

  /** Signs an emergency alert with the emergency key and pushes it to connected devices. */
  pushEmergency(alert: Partial<EmergencyAlert> & { title: { zh: string } }): Signed<EmergencyAlert> {
    this.tuf.emergencySeq = Math.max(this.tuf.emergencySeq, alert.seq ?? this.tuf.emergencySeq + 1);
    const env = signEnvelope<EmergencyAlert>(
      {
        type: 'linli.emergency/v1',
        seq: this.tuf.emergencySeq,
        action: 'show',
        noticeId: newId('ntc'),
        noticeVersion: 1,
        targets: { nodeIds: [this.nodeId] },
        ttlSec: 600,
        body: { zh: '请按工作人员指引行动。' },
        category: 'safety',
        issuedAt: new Date().toISOString(),
        ...alert,
      },
      this.emergency,
    );
    this.pushRaw({ type: 'push', kind: 'emergency', envelope: env });
    return env;
  }

  /** Signs a remote command with the fleet key (next seq, 5 minutes to live) and sends it to the device. */
  pushCommand(
    deviceId: string,
    op: CommandOp,
    args: Command['args'] = {},
    over: Partial<Command> = {},
  ): Command {
    const now = Date.now();
    const env = signEnvelope<Command>(
      {
        type: 'linli.command/v1',
        id: newId('cmd'),
        deviceId,
        seq: ++this.#commandSeq,
        op,
        args,
        issuedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 300_000).toISOString(),
        ...over,
      },
      this.fleet,
    );
    this.pushRaw({ type: 'command', envelope: env });
    return env.payload;
  }

  pushRaw(msg: unknown): void {
    for (const ws of this.channels.values()) ws.send(JSON.stringify(msg));
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
    this.config.routes(app);
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
      this.tuf.publish(
        deviceId,
        this.notices.filter((n) => !this.#roles.get(n.id) || this.#roles.get(n.id)!.includes(tok.role)),
        tok.role === 'kiosk' && this.services ? { services: this.services } : {},
      );
      return {
        deviceId,
        role: tok.role,
        node: {
          id: this.nodeId,
          name: '幸福里社区',
          path: ['上海市', '徐汇区', '幸福里街道', '幸福里社区'],
          timezone: 'Asia/Shanghai',
          ancestry: this.ancestry,
        },
        tags: [],
        keyset: this.keyset,
        tufRoots: this.tuf.roots,
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
    app.get<{ Params: { file: string } }>(`${API.deviceTufMetadata}/:file`, async (req, reply) => {
      const deviceId = this.deviceOf(req);
      const body = this.tuf.metadata(deviceId, req.params.file);
      if (body === undefined)
        return reply.status(404).send({ error: { code: ErrorCode.NOT_FOUND, message: 'no such file' } });
      if (req.params.file === 'timestamp.json' && body !== 'endless') {
        const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
        reply.header('etag', etag);
        if (req.headers['if-none-match'] === etag) return reply.status(304).send();
      }
      return this.reply(req, reply.type('application/json'), body === 'endless' ? endless() : body);
    });
    app.get(`${API.deviceTufTargets}/*`, async (req, reply) => {
      const deviceId = this.deviceOf(req);
      const path = (req.params as { '*': string })['*'];
      const body = this.tuf.target(deviceId, path);
      if (body === undefined)
        return reply
          .status(404)
          .send({ error: { code: ErrorCode.TARGET_MISSING, message: 'no such target' } });
      if (body === 'endless') return reply.send(endless());
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (range && Number(range[1]) < body.length) {
        const from = Number(range[1]);
        return this.reply(
          req,
          reply.status(206).header('content-range', `bytes ${from}-${body.length - 1}/${body.length}`),
          body.subarray(from),
        );
      }
      return this.reply(req, reply.type('application/octet-stream'), body);
    });
    app.post(API.devicePlaysUpload, async (req) => {
      this.deviceOf(req);
      const plays = (req.body as { plays: unknown[] }).plays;
      this.plays.push(...(plays as { playId: string }[]));
      return { accepted: plays.length, duplicates: 0 };
    });
    app.post<{ Params: { id: string } }>(
      '/api/v1/device/screenshots/:id',
      { bodyLimit: 16 * 1024 * 1024 },
      async (req) => {
        this.deviceOf(req);
        this.screenshots.set(req.params.id, req.body as ScreenshotUpload);
        return { ok: true };
      },
    );
    app.post(API.deviceCommandResult, async (req) => {
      this.deviceOf(req);
      this.commandResults.push(req.body as SignedCommandResult);
      return { recorded: true, state: (req.body as SignedCommandResult).payload.status };
    });
    app.post(API.deviceFaults, async (req) => {
      this.deviceOf(req);
      this.faults.push(req.body);
      return { ok: true };
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

/** A body that never ends: what a hostile or broken server sends to exhaust a device's disk. */
function endless(): Readable {
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  let sent = 0;
  return new Readable({
    read() {
      sent += chunk.length;
      this.push(sent > 256 * 1024 * 1024 ? null : chunk);
    },
  });
}
