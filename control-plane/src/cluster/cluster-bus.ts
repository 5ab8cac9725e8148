/**
 * Signals between control-plane instances. Payloads are small (ids, a seq): the body of anything bigger is
 * in the store and read by whoever receives the id. Delivery is at most once and only while connected, so
 * every subscriber also registers a resync: after a reconnect it catches up from the store.
 */
export type BusHandler = (payload: string) => void;

export interface ClusterBus {
  /** Resolves once every subscription made so far is active (a publish after this is heard). */
  start(): Promise<void>;
  stop(): Promise<void>;
  publish(channel: string, payload: string): Promise<void>;
  /** Resolves once the subscription is active; the returned function ends it. */
  subscribe(channel: string, handler: BusHandler): Promise<() => void>;
  /** Called after the bus came back from a disconnect (messages sent meanwhile are lost). */
  onResync(handler: () => void): () => void;
}

/** Largest payload we send: PostgreSQL's NOTIFY limit is 8000 bytes, ids are far below that. */
export const MAX_BUS_PAYLOAD = 7900;

/** Channels the control plane uses; `nodes-changed` is the subscribe point for caches of the node tree. */
export const BusChannel = {
  /** Lines of `<deviceId> <instanceId> <1|0>`: a device's channel opened (or moved) on an instance, or closed. */
  presence: 'presence',
  /** `<nodeId>` (or empty: everything): the hierarchy changed, drop cached trees. */
  nodesChanged: 'nodes-changed',
  /** Per instance: `<seq>` of a message in the store's mailbox for it. */
  mail: (instanceId: string) => `mail.${instanceId}`,
} as const;

export function checkPayload(payload: string): void {
  if (Buffer.byteLength(payload) > MAX_BUS_PAYLOAD) {
    throw new Error(`bus payload of ${Buffer.byteLength(payload)} bytes: put the body in the store`);
  }
}
