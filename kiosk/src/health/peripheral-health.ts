import type { PosDevice } from '../../../device-drivers/contracts/device.js';
import type {
  CardReaderHealth,
  LedHealth,
  PaperState,
  PrinterHealth,
  TerminalHealth,
} from '../../../protocol/schemas/device-health.js';
import type { LedAckCounter } from './led-acks.js';

/** The last status flags a printer reported (`status` events; ESC/POS `PrinterStatusFlags` names). */
export type PrinterFlags = Readonly<Record<string, boolean>>;

type Device = Pick<PosDevice<never>, 'power' | 'state'>;

/**
 * The printer as a resident's IT team reads it. ESC/POS raises its "offline" bit for paper out and cover
 * open too (the driver then says power `offline`), so "offline" here means: gone, or offline for no reason
 * the flags explain; paper and cover are their own fields and their own alerts.
 */
export function printerHealth(printer: Device | undefined, flags: PrinterFlags): PrinterHealth {
  if (!printer) return { present: false, online: false, paper: 'unknown', coverOpen: false };
  const explained = flags.paperOut === true || flags.coverOpen === true;
  const online = printer.power === 'online' || (printer.power === 'offline' && explained);
  let paper: PaperState = 'unknown';
  if (online && 'paperOut' in flags) paper = flags.paperOut ? 'out' : flags.paperNearEnd ? 'low' : 'ok';
  return { present: true, online, paper, coverOpen: online && flags.coverOpen === true };
}

export function cardReaderHealth(reader: Device | undefined): CardReaderHealth {
  if (!reader) return { present: false, online: false };
  return { present: true, online: reader.power === 'online' && reader.state !== 'closed' };
}

export function terminalHealth(terminal: Device | undefined): TerminalHealth {
  if (!terminal) return { present: false, reachable: false };
  return { present: true, reachable: terminal.power === 'online' && terminal.state !== 'closed' };
}

export function ledHealth(led: Device | undefined, acks: LedAckCounter): LedHealth {
  return {
    present: led !== undefined,
    online: led !== undefined && led.power === 'online' && led.state !== 'closed',
    lastAckAt: acks.lastAckAt === null ? null : new Date(acks.lastAckAt).toISOString(),
    naks: acks.naks,
    timeouts: acks.timeouts,
  };
}
