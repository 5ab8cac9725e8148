import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { ErrorCode, isLinliError, LinliError } from '../../protocol/errors.js';
import type { Logger } from './logger.js';

export interface LocalServerOptions {
  host: string;
  port: number;
  log: Logger;
  /** GET /healthz body: cheap facts about the runtime (role, device id, channel state, content version). */
  health: () => Record<string, unknown>;
  /** The role's routes (lobby, led or kiosk). */
  routes: (app: FastifyInstance) => Promise<void>;
}

/**
 * The device's local web server: what the screen's browser, the kiosk page and local tests talk to. It binds
 * loopback by default; nothing here is meant for the network. Errors leave as `{error:{code,message}}`.
 */
export class LocalServer {
  readonly #o: LocalServerOptions;
  #app: FastifyInstance | undefined;
  #url: string | undefined;

  constructor(opts: LocalServerOptions) {
    this.#o = opts;
  }

  get url(): string | undefined {
    return this.#url;
  }

  async start(): Promise<string> {
    if (this.#url) return this.#url;
    // Per-request lines only at debug: the screen page and health probes would flood the journal at info.
    const { level, levelVal } = this.#o.log;
    const logger: FastifyBaseLogger = this.#o.log.child(
      { component: 'local-server' },
      { level: levelVal === 30 ? 'warn' : level },
    );
    const app = Fastify({
      loggerInstance: logger,
      bodyLimit: 64 * 1024,
      // The route schemas are ours (TypeBox) and fixed at build time: checking them against the JSON Schema
      // meta-schema on every start compiled that meta-schema first, a tenth of a cold start (docs/benchmarks.md).
      ajv: { customOptions: { validateSchema: false } },
    });
    this.#app = app;
    app.setErrorHandler((err: FastifyError | LinliError, req, reply) => {
      const e = toLinliError(err);
      if (e.httpStatus >= 500) req.log.error({ code: e.code, err }, e.message);
      return reply.status(e.httpStatus).send(e.toJSON());
    });
    app.setNotFoundHandler((req, reply) =>
      reply
        .status(404)
        .send(
          new LinliError(ErrorCode.NOT_FOUND, `nothing at ${req.method} ${req.url} on this device`).toJSON(),
        ),
    );
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    app.get('/healthz', async () => ({ ok: true, ...this.#o.health() }));
    // Every browser asks for /favicon.ico after a page loads; a 404 there was one console error on every device
    // page. The pages are full-screen (no tab to show an icon in): "no content" is the true answer.
    app.get('/favicon.ico', async (_req, reply) =>
      reply.status(204).header('cache-control', 'public, max-age=86400').send(),
    );
    await app.register(async (scope) => this.#o.routes(scope));
    try {
      await app.listen({ host: this.#o.host, port: this.#o.port });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new LinliError(
          ErrorCode.CONFIG_INVALID,
          `cannot listen on ${this.#o.host}:${this.#o.port} (${code}); choose another --port or --host`,
          { field: code === 'EADDRNOTAVAIL' ? 'host' : 'port' },
          { cause: err },
        );
      }
      throw err;
    }
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.#o.port;
    const host = this.#o.host === '0.0.0.0' || this.#o.host === '::' ? '127.0.0.1' : this.#o.host;
    this.#url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return this.#url;
  }

  async stop(): Promise<void> {
    const app = this.#app;
    this.#app = undefined;
    this.#url = undefined;
    await app?.close();
  }
}

function toLinliError(err: FastifyError | LinliError): LinliError {
  if (isLinliError(err)) return err;
  const fe = err as FastifyError;
  if (fe.validation) {
    return new LinliError(
      ErrorCode.BAD_REQUEST,
      `request ${fe.validationContext ?? ''} is invalid: ${fe.message}`,
      {
        field: fe.validation[0]?.instancePath || undefined,
      },
    );
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe instanceof SyntaxError) {
    return new LinliError(ErrorCode.MALFORMED_JSON, 'the request body is not valid JSON');
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new LinliError(ErrorCode.BODY_TOO_LARGE, 'the request body is too large');
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new LinliError(ErrorCode.BAD_REQUEST, 'send the body as application/json');
  }
  if (fe.statusCode && fe.statusCode < 500) return new LinliError(ErrorCode.BAD_REQUEST, fe.message);
  return new LinliError(ErrorCode.INTERNAL, 'the device hit an internal error; see its log', undefined, {
    cause: err,
  });
}
