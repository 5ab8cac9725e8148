import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * The simplest load balancer: each new TCP connection goes to the next backend in turn; a backend that
 * refuses the connection (down, restarting) is skipped for that connection. No HTTP awareness, no
 * stickiness beyond the connection itself, like a plain TCP balancer in front of several control planes.
 */
export class TcpRoundRobin {
  readonly backends: readonly number[];
  /** Which backend (port) each accepted connection went to, in order. */
  readonly routed: number[] = [];
  #server: Server | undefined;
  #next = 0;
  readonly #sockets = new Set<Socket>();

  constructor(
    backendPorts: readonly number[],
    readonly host = '127.0.0.1',
  ) {
    if (backendPorts.length === 0) throw new Error('round robin needs at least one backend');
    this.backends = backendPorts;
  }

  async listen(port = 0): Promise<number> {
    this.#server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve) => this.#server?.listen(port, this.host, resolve));
    const addr = this.#server.address();
    if (!addr || typeof addr !== 'object') throw new Error('round robin has no address');
    return addr.port;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  #accept(client: Socket): void {
    this.#track(client);
    client.pause();
    const start = this.#next;
    this.#next = (this.#next + 1) % this.backends.length;
    this.#connect(client, start, 0);
  }

  #connect(client: Socket, index: number, tried: number): void {
    if (tried >= this.backends.length || client.destroyed) {
      client.destroy();
      return;
    }
    const port = this.backends[index % this.backends.length] as number;
    const upstream = createConnection({ host: this.host, port });
    this.#track(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      this.routed.push(port);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected) this.#connect(client, index + 1, tried + 1);
      else client.destroy();
    });
    upstream.on('close', () => {
      if (connected) client.destroy();
    });
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  }

  #track(s: Socket): void {
    this.#sockets.add(s);
    s.on('close', () => this.#sockets.delete(s));
  }
}
