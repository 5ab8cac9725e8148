import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy that sits between a device and the control plane and breaks HTTP exchanges on purpose: drop the
 * response after the server has processed the request, stall it, or cut it half-way. Rules match the request
 * line (e.g. /POST \/api\/v1\/device\/payments\/[^ ]+\/authorization/) and fire a set number of times.
 */
export type FaultKind = 'drop-response' | 'cut-mid-response' | 'stall' | 'rewrite';

export interface FaultRule {
  match: RegExp;
  kind: FaultKind;
  times: number;
  /** Fire on this share of matching requests (default 1: every one, until `times` runs out). */
  probability?: number;
  stallMs?: number;
  /** For `rewrite`: replace `from` with `to` in the response (same byte length, so Content-Length holds). */
  from?: string;
  to?: string;
}

export class FaultProxy {
  #server: Server | undefined;
  #rules: FaultRule[] = [];
  #sockets = new Set<Socket>();
  readonly fired: { rule: FaultRule; requestLine: string }[] = [];
  /** Replaceable for repeatable chaos runs. */
  random: () => number = Math.random;

  constructor(
    readonly upstreamHost: string,
    readonly upstreamPort: number,
  ) {}

  addRule(rule: FaultRule): void {
    if (rule.kind === 'rewrite' && Buffer.byteLength(rule.from ?? '') !== Buffer.byteLength(rule.to ?? '')) {
      throw new Error('rewrite rules must keep the byte length (from and to differ)');
    }
    this.#rules.push(rule);
  }

  clearRules(): void {
    this.#rules = [];
  }

  async listen(port = 0): Promise<number> {
    this.#server = createServer((client) => this.#handle(client));
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve));
    const addr = this.#server.address();
    if (!addr || typeof addr !== 'object') throw new Error('proxy has no address');
    return addr.port;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Cuts every open connection, as a network blip would. */
  cutAll(): void {
    for (const s of this.#sockets) s.destroy();
  }

  #handle(client: Socket): void {
    const upstream = createConnection(this.upstreamPort, this.upstreamHost);
    this.#sockets.add(client);
    this.#sockets.add(upstream);
    let pending: FaultRule | undefined;

    client.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      const line = /^[A-Z]+ \S+ HTTP\/1\.[01]/m.exec(text)?.[0];
      if (line) {
        const rule = this.#rules.find(
          (r) =>
            r.times > 0 &&
            r.match.test(line) &&
            (r.probability === undefined || this.random() < r.probability),
        );
        if (rule) {
          rule.times--;
          pending = rule;
          this.fired.push({ rule, requestLine: line });
        }
      }
      upstream.write(chunk);
    });

    upstream.on('data', (chunk) => {
      if (!pending) {
        client.write(chunk);
        return;
      }
      const rule = pending;
      if (rule.kind === 'rewrite') {
        // A man in the middle editing the body: the signature no longer matches what arrives.
        const text = chunk.toString('latin1');
        const from = Buffer.from(rule.from ?? '').toString('latin1');
        const to = Buffer.from(rule.to ?? '').toString('latin1');
        if (text.includes(from)) pending = undefined;
        client.write(Buffer.from(text.split(from).join(to), 'latin1'));
      } else if (rule.kind === 'drop-response') {
        // The server has processed the request and started answering: the client never hears back.
        client.destroy();
        upstream.destroy();
      } else if (rule.kind === 'cut-mid-response') {
        const half = Math.max(1, Math.floor(chunk.length / 2));
        client.write(chunk.subarray(0, half), () => {
          client.destroy();
          upstream.destroy();
        });
      } else {
        upstream.pause();
        setTimeout(() => {
          pending = undefined;
          client.write(chunk);
          upstream.resume();
        }, rule.stallMs ?? 5_000);
      }
    });

    const cleanup = (): void => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('close', cleanup);
    upstream.on('close', cleanup);
    client.on('error', cleanup);
    upstream.on('error', cleanup);
  }
}
