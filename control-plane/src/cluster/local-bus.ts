import { type BusHandler, type ClusterBus, checkPayload } from './cluster-bus.js';

/**
 * The bus of one process: SQLite and the single-instance default. Several apps in one process may share
 * one, which behaves like a cluster (the tests use that). Delivery is asynchronous, like the real thing.
 */
export class LocalBus implements ClusterBus {
  readonly #subs = new Map<string, Set<BusHandler>>();

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async publish(channel: string, payload: string): Promise<void> {
    checkPayload(payload);
    const subs = this.#subs.get(channel);
    if (!subs) return;
    for (const h of [...subs]) setImmediate(() => h(payload));
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => void> {
    let subs = this.#subs.get(channel);
    if (!subs) {
      subs = new Set();
      this.#subs.set(channel, subs);
    }
    subs.add(handler);
    return () => {
      subs.delete(handler);
    };
  }

  onResync(): () => void {
    // Never disconnected: nothing to catch up.
    return () => {};
  }
}
