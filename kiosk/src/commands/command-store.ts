import { Type } from '@sinclair/typebox';
import type { LinliError } from '../../../protocol/errors.js';
import { IdSchema } from '../../../protocol/schemas/common.js';
import {
  type SignedCommandResult,
  SignedCommandResult as SignedResultSchema,
} from '../../../protocol/schemas/fleet.js';
import { DurableJsonAdapter } from '../state/durable-json-adapter.js';

const Answered = Type.Object({
  id: IdSchema('cmd'),
  seq: Type.Integer({ minimum: 0 }),
  result: SignedResultSchema,
  /** The control plane has it (or refused it for good): not re-sent. */
  posted: Type.Boolean(),
});
const CommandsFile = Type.Object({
  format: Type.Literal(1),
  highestSeq: Type.Integer({ minimum: 0 }),
  answered: Type.Array(Answered),
});
type CommandsFile = typeof CommandsFile.static;
export type AnsweredCommand = typeof Answered.static;

/** The answers kept to re-send and to recognise a command delivered again (well above any backlog). */
const KEEP = 100;

/**
 * Durable command state under the state dir: the highest seq this device has taken (a replayed or older
 * command is refused) and its recent signed results, re-sent until the control plane has them. Written
 * (fsynced) before a command runs, so a crash mid-command cannot run it again after a restart. A corrupt file
 * is quarantined and state starts empty: commands still expire (24 h at most), so an old captured envelope
 * can be replayed only within its own ttl (documented).
 */
export class CommandStore {
  readonly #adapter: DurableJsonAdapter<CommandsFile>;
  #data: CommandsFile = { format: 1, highestSeq: 0, answered: [] };
  #loaded = false;

  constructor(file: string, onQuarantine?: (err: LinliError) => void) {
    this.#adapter = new DurableJsonAdapter<CommandsFile>(file, {
      corrupt: 'quarantine',
      schema: CommandsFile,
      ...(onQuarantine ? { onQuarantine } : {}),
    });
  }

  async load(): Promise<void> {
    if (this.#loaded) return;
    this.#data = (await this.#adapter.read()) ?? this.#data;
    this.#loaded = true;
  }

  get highestSeq(): number {
    return this.#data.highestSeq;
  }

  /** The stored answer to a command this device already took, by id. */
  answered(id: string): AnsweredCommand | undefined {
    return this.#data.answered.find((a) => a.id === id);
  }

  unposted(): AnsweredCommand[] {
    return this.#data.answered.filter((a) => !a.posted);
  }

  /** Takes a seq before the command runs (durably): it can never run twice. */
  async take(seq: number): Promise<void> {
    if (seq <= this.#data.highestSeq) return;
    this.#data = { ...this.#data, highestSeq: seq };
    await this.#adapter.write(this.#data);
  }

  async record(id: string, seq: number, result: SignedCommandResult): Promise<void> {
    const rest = this.#data.answered.filter((a) => a.id !== id);
    const answered = [...rest, { id, seq, result, posted: false }].slice(-KEEP);
    this.#data = { ...this.#data, answered };
    await this.#adapter.write(this.#data);
  }

  async markPosted(id: string): Promise<void> {
    const answered = this.#data.answered.map((a) => (a.id === id ? { ...a, posted: true } : a));
    this.#data = { ...this.#data, answered };
    await this.#adapter.write(this.#data);
  }
}
