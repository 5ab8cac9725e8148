import type { DeviceHealthReport } from '../../../protocol/schemas/device-health.js';

/** One health report of a device as stored: the body it sent and when the control plane received it. */
export interface HealthRecord {
  deviceId: string;
  /** Server time of receipt (the device's own `report.at` may be skewed). */
  receivedAt: number;
  report: DeviceHealthReport;
}

/** How much history is kept per device: whichever bound bites first. */
export interface HealthRetention {
  maxAgeMs: number;
  maxPerDevice: number;
}

export type AlertState = 'open' | 'acknowledged' | 'resolved';
export type AlertSeverity = 'critical' | 'warning' | 'info';

export interface AlertRecord {
  id: string;
  rule: string;
  /** What the alert is about, unique per rule while unresolved (a device id, or `node:<id>`). */
  subject: string;
  /** The node that owns the alert (the device's node): it shows there and above. */
  nodeId: string;
  deviceId: string | null;
  severity: AlertSeverity;
  state: AlertState;
  detail: Record<string, unknown>;
  openedAt: number;
  ackedAt: number | null;
  ackedBy: string | null;
  resolvedAt: number | null;
  /** An admin id, or `auto` when the condition cleared. */
  resolvedBy: string | null;
}

export interface AlertFilter {
  /** Alerts owned by any of these nodes (the caller's subtree). */
  nodeIds: readonly string[];
  state?: AlertState;
  rule?: string;
  deviceId?: string;
  limit: number;
}

export interface LiveEmergency {
  seq: number;
  noticeId: string;
  issuedAt: number;
  liveUntil: number;
  /** The signed `linli.emergency/v1` envelope as stored (its payload names the targets). */
  envelope: unknown;
}

/** Latest health per device and a bounded history (issue 12). */
export interface HealthRepository {
  /** Stores the report as the device's latest and in its history, then trims that device's history. */
  record(
    deviceId: string,
    receivedAt: number,
    report: DeviceHealthReport,
    keep: HealthRetention,
  ): Promise<void>;
  latest(deviceId: string): Promise<HealthRecord | undefined>;
  /** Newest first. */
  history(deviceId: string, limit: number): Promise<HealthRecord[]>;
  /** History rows received before `before`, every device (the periodic sweep); returns how many. */
  purge(before: number): Promise<number>;
  /** "This device shows emergency seq": stored once (a repeat is ignored). */
  recordEmergencyAck(deviceId: string, seq: number, at: number): Promise<void>;
  /** The devices that acknowledged one of these seqs. */
  emergencyAcks(seqs: readonly number[]): Promise<{ deviceId: string; seq: number; at: number }[]>;
  /** Emergencies shown now (their notice's last issue is a `show` still live at `now`). */
  liveEmergencies(now: number): Promise<LiveEmergency[]>;
  /** Per device: payments that went to UNKNOWN at or after `since`. */
  unknownPaymentCounts(since: number): Promise<{ deviceId: string; count: number }[]>;
}

/** Alerts: one unresolved alert per rule and subject, enforced by a partial unique index. */
export interface AlertRepository {
  /**
   * Opens an alert unless one is unresolved for its rule and subject (another instance may have opened it a
   * moment ago: the unique index decides); returns the one that stands and whether this call opened it.
   */
  open(alert: AlertRecord): Promise<{ opened: boolean; alert: AlertRecord }>;
  /** open → acknowledged; undefined when it is not open (already acknowledged, resolved, unknown). */
  acknowledge(id: string, by: string, at: number): Promise<AlertRecord | undefined>;
  /** open|acknowledged → resolved, once; undefined when it already was (another instance won). */
  resolve(id: string, by: string, at: number): Promise<AlertRecord | undefined>;
  get(id: string): Promise<AlertRecord | undefined>;
  /** The unresolved alert of a rule and subject. */
  current(rule: string, subject: string): Promise<AlertRecord | undefined>;
  /** Every unresolved alert of the rules given (the sweep's view). */
  unresolved(rules: readonly string[]): Promise<AlertRecord[]>;
  /** Unresolved first (open before acknowledged), then newest opened. */
  list(filter: AlertFilter): Promise<AlertRecord[]>;
}
