import type { PresenceChange, PresenceRecord } from '../storage/cluster-repository.js';
import { MAX_BUS_PAYLOAD } from './cluster-bus.js';

/**
 * Which other instance holds each remote device's channel, so `notify` and `isOnline` stay synchronous.
 * The store is the truth: the map is rebuilt from it on every lease tick and after a bus reconnect, and
 * follows the bus's presence events in between. Devices connected here are not in it (the hub knows them).
 */
export class PresenceMap {
  readonly #holder = new Map<string, string>();
  readonly #self: string;

  constructor(self: string) {
    this.#self = self;
  }

  get remoteCount(): number {
    return this.#holder.size;
  }

  holder(deviceId: string): string | undefined {
    return this.#holder.get(deviceId);
  }

  /** Replaces everything with the store's view (presence on live instances only). */
  reload(rows: readonly PresenceRecord[]): void {
    this.#holder.clear();
    for (const r of rows) if (r.instanceId !== this.#self) this.#holder.set(r.deviceId, r.instanceId);
  }

  connected(deviceId: string, instanceId: string): void {
    if (instanceId === this.#self) this.#holder.delete(deviceId);
    else this.#holder.set(deviceId, instanceId);
  }

  /** Only the holder's own "closed" counts: a late event from the device's previous instance is ignored. */
  closed(deviceId: string, instanceId: string): void {
    if (this.#holder.get(deviceId) === instanceId) this.#holder.delete(deviceId);
  }

  /** A dead instance's devices are offline at once (before the next reload). */
  dropInstance(instanceId: string): void {
    for (const [d, i] of this.#holder) if (i === instanceId) this.#holder.delete(d);
  }
}

/** One line per change, `<deviceId> <instanceId> <1|0>`, as many lines per payload as NOTIFY allows. */
export function presencePayloads(instanceId: string, changes: readonly PresenceChange[]): string[] {
  const out: string[] = [];
  let lines: string[] = [];
  let bytes = 0;
  for (const c of changes) {
    const line = `${c.deviceId} ${instanceId} ${c.connected ? 1 : 0}`;
    if (bytes + line.length + 1 > MAX_BUS_PAYLOAD && lines.length > 0) {
      out.push(lines.join('\n'));
      lines = [];
      bytes = 0;
    }
    lines.push(line);
    bytes += line.length + 1;
  }
  if (lines.length > 0) out.push(lines.join('\n'));
  return out;
}

export function parsePresence(
  payload: string,
): { deviceId: string; instanceId: string; connected: boolean }[] {
  const out: { deviceId: string; instanceId: string; connected: boolean }[] = [];
  for (const line of payload.split('\n')) {
    const [deviceId, instanceId, flag, extra] = line.split(' ');
    if (!deviceId || !instanceId || (flag !== '1' && flag !== '0') || extra !== undefined) continue;
    out.push({ deviceId, instanceId, connected: flag === '1' });
  }
  return out;
}
