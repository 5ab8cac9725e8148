import { isOpen, JournalFile } from '../payment/payment-journal.js';
import { DurableJsonAdapter } from '../state/durable-json-adapter.js';

/** True if the payment journal holds entries that are not final (a corrupt journal throws STATE_CORRUPT). */
export async function hasOpenPayments(journalFile: string): Promise<boolean> {
  const data = await new DurableJsonAdapter<JournalFile>(journalFile, {
    corrupt: 'refuse',
    schema: JournalFile,
  }).read();
  return (data?.entries ?? []).some(isOpen);
}
