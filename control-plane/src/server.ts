import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type AppOptions, buildApp, fastifyOptions } from './app.js';
import { type ControlPlaneConfig, defaultPublicUrl } from './config.js';
import { checkDataDirs, fileSystemFailure, listenFailure, probeListen } from './startup-checks.js';

export interface ControlPlaneOptions extends AppOptions {
  /** Where pino writes (default stderr, so stdout stays for the lines operators and the demo read). */
  logStream?: NodeJS.WritableStream;
}

/** A Fastify instance with the app registered and ready, not listening: for `inject()` tests and tools. */
export async function createApp(opts: ControlPlaneOptions): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions(opts.config, opts.logStream));
  try {
    await app.register(fp(buildApp, { name: 'linli-control-plane' }), opts);
    await app.ready();
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

/**
 * The control plane process: start() listens and resolves with the URL, stop() closes gracefully (in-flight
 * requests finish, device channels get "server restart", storage closes). Both are idempotent.
 */
export class ControlPlane {
  readonly config: ControlPlaneConfig;
  readonly #opts: ControlPlaneOptions;
  #app: FastifyInstance | undefined;
  #starting: Promise<string> | undefined;
  #stopping: Promise<void> | undefined;
  #url: string | undefined;

  constructor(opts: ControlPlaneOptions) {
    // A copy: the public URL may be filled in once the port is known.
    this.config = { ...opts.config };
    this.#opts = { ...opts, config: this.config };
  }

  get url(): string | undefined {
    return this.#url;
  }

  get app(): FastifyInstance | undefined {
    return this.#app;
  }

  start(): Promise<string> {
    this.#starting ??= this.#start().catch((err: unknown) => {
      this.#starting = undefined;
      throw err;
    });
    return this.#starting;
  }

  async stop(): Promise<void> {
    if (this.#starting) await this.#starting.catch(() => undefined);
    const app = this.#app;
    if (!app) return;
    this.#stopping ??= app.close().finally(() => {
      this.#app = undefined;
      this.#starting = undefined;
      this.#stopping = undefined;
      this.#url = undefined;
    });
    return this.#stopping;
  }

  async #start(): Promise<string> {
    const usesDefaultUrl = this.config.publicUrl === defaultPublicUrl(this.config.host, this.config.port);
    // Checked before the app is built, so a failed first start leaves no admin, keys or database behind.
    checkDataDirs(this.config);
    await probeListen(this.config.host, this.config.port);
    let app: FastifyInstance;
    try {
      app = await createApp(this.#opts);
    } catch (err) {
      throw fileSystemFailure(err) ?? err;
    }
    try {
      // A restart brings thousands of devices back within seconds: Node's default accept queue (511) overflows,
      // the kernel drops SYNs and devices time out their handshakes (reconnect-storm bench). The kernel caps
      // it at net.core.somaxconn.
      await app.listen({ port: this.config.port, host: this.config.host, backlog: 4096 });
    } catch (err) {
      await app.close().catch(() => undefined);
      throw listenFailure(err, this.config.host, this.config.port) ?? err;
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : this.config.port;
    this.#url = defaultPublicUrl(this.config.host, port);
    if (usesDefaultUrl) this.config.publicUrl = this.#url;
    this.#app = app;
    return this.#url;
  }
}
