import type { DeviceRole, NodeLevel } from '../../../protocol/schemas/common.js';
import type { PaymentState } from '../../../protocol/schemas/payment.js';

/** Grouped counts that /metrics reads at scrape time: one cheap query each, cluster-wide (issue 12). */
export interface MetricsRepository {
  /** Payments per state (only states that have any). */
  paymentsByState(): Promise<{ state: PaymentState; count: number }[]>;
  /**
   * Devices whose channel is open on a live instance (presence held by an instance whose lease is newer
   * than `cutoff`), by role and by the level of the device's node; only groups that have any.
   */
  devicesOnline(cutoff: number): Promise<{ role: DeviceRole; level: NodeLevel; count: number }[]>;
}
