import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * JSON lines on stderr (journald keeps them; `| npx pino-pretty` reads them), leaving stdout for the few
 * lines a person or a script reads. Coded errors carry a `code` field so operators can grep LINLI_ERR_*.
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    { level, base: { ...bindings }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
