import type { ControlPlaneConfig } from '../config.js';
import type { KeyStore } from '../keys/key-store.js';
import type { AdminRecord, DeviceRecord, NodeRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';

/** The subset of a pino logger that services use, so they do not depend on Fastify. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What every domain service gets: storage, keys, config and a clock (tests move time forward). */
export interface ServiceContext {
  repo: Repository;
  keys: KeyStore;
  config: ControlPlaneConfig;
  now: () => number;
  log: Logger;
}

/** An authenticated admin and the node that bounds what it may act on. */
export interface AdminPrincipal {
  admin: AdminRecord;
  node: NodeRecord;
}

/** An authenticated device and the node it is installed at. */
export interface DevicePrincipal {
  device: DeviceRecord;
  node: NodeRecord;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
