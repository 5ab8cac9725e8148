import type { AlertRule } from '../../../../protocol/schemas/alerts-admin.js';
import type { DeviceHealthReport } from '../../../../protocol/schemas/device-health.js';
import type { AlertSeverity } from '../../storage/health-repository.js';

/** How bad each rule is: critical stops residents from being served, warning needs a visit soon. */
export const SEVERITY: Readonly<Record<AlertRule, AlertSeverity>> = {
  'device-offline': 'critical',
  'printer-offline': 'critical',
  'paper-out': 'critical',
  'paper-low': 'warning',
  'printer-cover-open': 'warning',
  'card-reader-gone': 'warning',
  'terminal-unreachable': 'critical',
  'led-offline': 'critical',
  'emergency-unacknowledged': 'critical',
  'payment-unknown-repeated': 'critical',
};

/** The rules a health report decides, evaluated on every report. */
export const HEALTH_RULES = [
  'printer-offline',
  'paper-out',
  'paper-low',
  'printer-cover-open',
  'card-reader-gone',
  'terminal-unreachable',
  'led-offline',
] as const satisfies readonly AlertRule[];
export type HealthRule = (typeof HEALTH_RULES)[number];

/** The rules only time decides, evaluated by the periodic sweep. */
export const SWEEP_RULES = [
  'device-offline',
  'emergency-unacknowledged',
  'payment-unknown-repeated',
] as const satisfies readonly AlertRule[];

/**
 * A rule's condition in a report: `true` holds (open), `false` cleared (resolve), `undefined` unknown (leave
 * the alert as it is: a printer that is gone cannot say whether it has paper, and its paper alert should
 * neither clear nor open because of that).
 */
export type Condition = { holds: boolean; detail: Record<string, unknown> } | undefined;

export function evaluateHealth(report: DeviceHealthReport): Record<HealthRule, Condition> {
  const { printer, cardReader, terminal, led } = report.peripherals;
  const printerUp = printer ? printer.present && printer.online : undefined;
  const paperKnown = printer && printerUp && printer.paper !== 'unknown' ? printer.paper : undefined;
  const c = (holds: boolean, detail: Record<string, unknown> = {}): Condition => ({ holds, detail });
  return {
    'printer-offline': printer ? c(!printerUp, { present: printer.present }) : undefined,
    'paper-out': paperKnown ? c(paperKnown === 'out', { paper: paperKnown }) : undefined,
    'paper-low': paperKnown ? c(paperKnown === 'low', { paper: paperKnown }) : undefined,
    'printer-cover-open': printer && printerUp ? c(printer.coverOpen) : undefined,
    'card-reader-gone': cardReader
      ? c(!cardReader.present || !cardReader.online, { present: cardReader.present })
      : undefined,
    'terminal-unreachable': terminal
      ? c(!terminal.present || !terminal.reachable, { present: terminal.present })
      : undefined,
    'led-offline': led
      ? c(!led.present || !led.online, { present: led.present, naks: led.naks, timeouts: led.timeouts })
      : undefined,
  };
}
