import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../logger.js';

/** A real pino logger whose JSON lines are kept for assertions (e.g. "rejected with LINLI_ERR_…"). */
export function captureLogger(): { log: Logger; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  return { log, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
