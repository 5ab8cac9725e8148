import type { Keyring } from '../../../protocol/envelope.js';
import { signCanonical } from '../../../protocol/envelope.js';
import { isLinliError } from '../../../protocol/errors.js';
import type { ServerCommand } from '../../../protocol/schemas/channel.js';
import type { Command, CommandResult, SignedCommandResult } from '../../../protocol/schemas/fleet.js';
import type { DeviceApiClient } from '../api-client.js';
import { isNetworkError } from '../http/http-json.js';
import type { DeviceIdentity } from '../identity/identity.js';
import type { Logger } from '../logger.js';
import { type OpTargets, type Outcome, runOp } from './command-ops.js';
import type { CommandStore } from './command-store.js';
import { verifyCommand } from './command-verifier.js';
import type { ServerClock } from './server-clock.js';

export interface CommandUnitOptions {
  identity: Pick<DeviceIdentity, 'deviceId' | 'role' | 'privateKey'>;
  /** The keys trusted now (a keyset refresh may add the fleet key). */
  keyring: () => Keyring;
  store: CommandStore;
  clock: ServerClock;
  api: Pick<DeviceApiClient, 'postCommandResult'>;
  targets: Omit<OpTargets, 'requestRestart' | 'startedAt'>;
  /** Called once a `reboot` command's result is stored (and, if the link allows, posted). */
  restart: () => void;
  log: Logger;
  /** How often results the control plane does not have yet are re-sent. */
  retryMs?: number;
}

/**
 * The device's side of remote commands: verify (command-verifier.ts), take the seq durably, run the op,
 * sign the result with the device key, keep it and post it; re-post until the control plane has it. Commands
 * are handled one at a time, in arrival order (seq order on one channel).
 */
export class CommandUnit {
  readonly #o: CommandUnitOptions;
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  /** This runtime's start on the device clock; on the server clock once the offset is known. */
  readonly #startedLocal = Date.now();

  constructor(o: CommandUnitOptions) {
    this.#o = o;
  }

  async start(): Promise<void> {
    await this.#o.store.load();
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.flush(), this.#o.retryMs ?? 30_000);
    this.#timer.unref();
    void this.flush();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#queue;
  }

  /** The channel's welcome: learn the server clock, and re-send what is waiting. */
  onWelcome(serverTime: string): void {
    this.#o.clock.observe(serverTime);
    void this.flush();
  }

  handle(msg: ServerCommand): Promise<void> {
    this.#queue = this.#queue
      .then(() => this.#handle(msg.envelope))
      .catch((err: unknown) => {
        this.#o.log.error({ err: (err as Error).message }, 'commands: handling a command failed');
      });
    return this.#queue;
  }

  async #handle(envelope: unknown): Promise<void> {
    const { identity, store, log } = this.#o;
    const verdict = verifyCommand(envelope, {
      keyring: this.#o.keyring(),
      deviceId: identity.deviceId,
      role: identity.role,
      highestSeq: store.highestSeq,
      serverNow: this.#o.clock.now(),
    });
    if (verdict.kind === 'drop') {
      // Nothing proves who asked, so nothing is answered.
      log.warn({ code: verdict.code, why: verdict.message }, 'commands: dropped an unverifiable command');
      return;
    }
    const cmd = verdict.command;
    const seen = store.answered(cmd.id);
    if (seen && seen.seq === cmd.seq) {
      // Delivered again (a reconnect): answer with what it came to; it never runs twice.
      log.info({ commandId: cmd.id }, 'commands: command delivered again; re-sending its result');
      await this.#post(seen.id, seen.result);
      return;
    }
    if (verdict.kind === 'reject') {
      log.warn(
        { commandId: cmd.id, op: cmd.op, code: verdict.code, why: verdict.message },
        'commands: rejected',
      );
      await this.#answer(cmd, {
        status: 'rejected',
        code: verdict.code,
        message: verdict.message.slice(0, 300),
      });
      return;
    }
    // Taken durably before it runs: a crash mid-command cannot run it again.
    await store.take(cmd.seq);
    let restart = false;
    log.info({ commandId: cmd.id, op: cmd.op, seq: cmd.seq }, 'commands: running');
    const outcome = await runOp(cmd, {
      ...this.#o.targets,
      requestRestart: () => {
        restart = true;
      },
      startedAt: () => this.#startedLocal + this.#o.clock.offsetMs,
    });
    log.info({ commandId: cmd.id, op: cmd.op, status: outcome.status, code: outcome.code }, 'commands: done');
    await this.#answer(cmd, outcome);
    if (restart) this.#o.restart();
  }

  async #answer(cmd: Command, outcome: Outcome): Promise<void> {
    const payload: CommandResult = {
      type: 'linli.command-result/v1',
      commandId: cmd.id,
      deviceId: this.#o.identity.deviceId,
      seq: cmd.seq,
      ...outcome,
      at: new Date(this.#o.clock.now()).toISOString(),
    };
    const signed: SignedCommandResult = { payload, sig: signCanonical(payload, this.#o.identity.privateKey) };
    await this.#o.store.record(cmd.id, cmd.seq, signed);
    await this.#post(cmd.id, signed);
  }

  /** Re-sends every result the control plane does not have yet. */
  flush(): Promise<void> {
    this.#flushing ??= (async () => {
      for (const a of this.#o.store.unposted()) await this.#post(a.id, a.result);
    })().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #post(id: string, result: SignedCommandResult): Promise<void> {
    try {
      await this.#o.api.postCommandResult(result);
      await this.#o.store.markPosted(id);
    } catch (err) {
      const status = isLinliError(err) ? (err.details?.status as number | undefined) : undefined;
      if (isNetworkError(err) || status === undefined || status >= 500 || status === 401 || status === 429) {
        this.#o.log.warn(
          { commandId: id, err: (err as Error).message },
          'commands: result not sent; retried',
        );
        return;
      }
      // The control plane refused it for good (not its command, say): re-sending changes nothing.
      this.#o.log.warn({ commandId: id, status, err: (err as Error).message }, 'commands: result refused');
      await this.#o.store.markPosted(id);
    }
  }
}
