import { signEnvelope, verifyCanonical } from '../../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import { publicKeyFromRaw, type SigningKey } from '../../../../protocol/keys.js';
import type { ServerCommand } from '../../../../protocol/schemas/channel.js';
import {
  COMMAND_TTL,
  type CommandView,
  type CreateCommandRequest,
  commandArgs,
  OPS_FOR_ROLE,
  opAllowed,
} from '../../../../protocol/schemas/commands.js';
import type { Command, CommandOp, SignedCommandResult } from '../../../../protocol/schemas/fleet.js';
import type { DeviceNotifier } from '../../hub/device-hub.js';
import type { CommandRecord } from '../../storage/commands-repository.js';
import type { DeviceRecord } from '../../storage/records.js';
import type { Repository } from '../../storage/repository.js';
import { type AdminPrincipal, type DevicePrincipal, iso, type Logger } from '../context.js';
import type { HierarchyService } from '../hierarchy.js';
import { requirePermission } from '../permissions.js';

export interface CommandServiceOptions {
  repo: Repository;
  hierarchy: HierarchyService;
  /** The cluster's notifier: a command reaches the device on whichever instance holds its channel. */
  notifier: DeviceNotifier;
  keys: { readonly fleet: SigningKey };
  now: () => number;
  log: Logger;
  /** How often open commands past their expiry are marked expired. */
  sweepMs?: number;
}

export interface IssueOptions {
  /** A caller that must know the id before the command goes out (the screenshot relay) picks it. */
  id?: string;
  op: CommandOp;
  args?: unknown;
  ttlSec?: number;
}

/**
 * Remote commands (issue 12). A command is signed once by the fleet key with the device's next seq and an
 * expiry on this server's clock, stored, and sent at once when the device is online; otherwise it waits and
 * goes out when the device connects (`deliver`, called by the channel after its welcome) until it expires.
 * The device answers with a result signed by its own key; the first one recorded stands.
 */
export class CommandService {
  readonly #o: CommandServiceOptions;
  #sweep: NodeJS.Timeout | undefined;

  constructor(o: CommandServiceOptions) {
    this.#o = o;
  }

  /** Starts the expiry sweep (idempotent). Every instance sweeps; the update is a compare-and-set. */
  start(): void {
    if (this.#sweep) return;
    this.#sweep = setInterval(() => void this.sweep(), this.#o.sweepMs ?? 15_000);
    this.#sweep.unref();
  }

  stop(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  async sweep(): Promise<string[]> {
    try {
      return await this.#o.repo.commands.expireDue(this.#o.now());
    } catch (err) {
      this.#o.log.warn({ err }, 'commands: could not expire old commands; retried on the next sweep');
      return [];
    }
  }

  /** `POST deviceCommands(id)`: the admin route (permission commands.send). */
  async create(p: AdminPrincipal, deviceId: string, req: CreateCommandRequest): Promise<CommandView> {
    requirePermission(p, 'commands.send');
    return this.view(await this.issue(p, deviceId, req));
  }

  /**
   * Checks scope (outside → 404 like unknown), the device's state and role, the args and the ttl; signs,
   * stores and sends. Also used by the synchronous screenshot route, which holds its own permission.
   */
  async issue(p: AdminPrincipal, deviceId: string, o: IssueOptions): Promise<CommandRecord> {
    const dev = await this.#device(p, deviceId);
    if (dev.status !== 'active') {
      throw new LinliError(ErrorCode.DEVICE_REVOKED, `device ${deviceId} is revoked; it takes no commands`);
    }
    if (!opAllowed(dev.role, o.op)) {
      throw new LinliError(
        ErrorCode.COMMAND_OP_NOT_ALLOWED,
        `a ${dev.role} device does not run ${o.op}; it runs ${OPS_FOR_ROLE[dev.role].join(', ')}`,
        { op: o.op, role: dev.role },
      );
    }
    const args = commandArgs(o.op, o.args);
    const ttlSec = o.ttlSec ?? COMMAND_TTL.defaultSec;
    if (!Number.isInteger(ttlSec) || ttlSec < COMMAND_TTL.minSec || ttlSec > COMMAND_TTL.maxSec) {
      throw new LinliError(
        ErrorCode.BAD_REQUEST,
        `ttlSec must be a whole number from ${COMMAND_TTL.minSec} to ${COMMAND_TTL.maxSec}`,
        { field: 'ttlSec' },
      );
    }
    const now = this.#o.now();
    const id = o.id ?? newId('cmd', now);
    const record = await this.#o.repo.commands.create(
      {
        id,
        deviceId,
        op: o.op,
        args,
        createdBy: p.admin.username,
        issuedAt: now,
        expiresAt: now + ttlSec * 1000,
      },
      (seq) => {
        const payload: Command = {
          type: 'linli.command/v1',
          id,
          deviceId,
          seq,
          op: o.op,
          args,
          issuedAt: iso(now),
          expiresAt: iso(now + ttlSec * 1000),
        };
        return signEnvelope(payload, this.#o.keys.fleet);
      },
    );
    this.#o.log.info(
      { commandId: id, deviceId, op: o.op, seq: record.seq, by: p.admin.username },
      'command issued',
    );
    return (await this.#send(record)) ?? record;
  }

  /** Sends every unanswered, unexpired command of a device that just connected here, in seq order. */
  async deliver(deviceId: string): Promise<number> {
    let sent = 0;
    try {
      for (const c of await this.#o.repo.commands.listDeliverable(deviceId, this.#o.now())) {
        // A `sent` one is sent again: it may have been lost with the old channel. The device answers a
        // repeat of a command it already ran with its stored result, and runs nothing twice.
        if (await this.#send(c)) sent++;
      }
    } catch (err) {
      this.#o.log.warn({ err, deviceId }, 'commands: could not deliver waiting commands; the sweep retries');
    }
    return sent;
  }

  async list(p: AdminPrincipal, deviceId: string, limit = 50): Promise<CommandView[]> {
    await this.#device(p, deviceId);
    return (await this.#o.repo.commands.listForDevice(deviceId, limit)).map((c) => this.view(c));
  }

  async get(p: AdminPrincipal, commandId: string): Promise<CommandView> {
    const c = await this.#o.repo.commands.get(commandId);
    if (!c) throw notFound(commandId);
    try {
      await this.#device(p, c.deviceId);
    } catch {
      throw notFound(commandId);
    }
    return this.view(c);
  }

  /** `POST deviceCommandResult`: the device's signed answer. The first recorded result stands. */
  async receiveResult(
    d: DevicePrincipal,
    body: SignedCommandResult,
  ): Promise<{ recorded: boolean; state: CommandRecord['state'] }> {
    const r = body.payload;
    if (!verifyCanonical(r, body.sig, publicKeyFromRaw(d.device.publicKey))) {
      throw new LinliError(
        ErrorCode.COMMAND_RESULT_SIGNATURE,
        "the result is not signed by this device's key; sign the payload with the enrolled device key",
      );
    }
    if (r.deviceId !== d.device.id) {
      throw new LinliError(
        ErrorCode.COMMAND_RESULT_MISMATCH,
        'the result names another device than this session',
      );
    }
    const c = await this.#o.repo.commands.get(r.commandId);
    // Another device's command answers like an unknown one.
    if (!c || c.deviceId !== d.device.id) throw notFound(r.commandId);
    if (r.seq !== c.seq && r.status !== 'rejected') {
      throw new LinliError(
        ErrorCode.COMMAND_RESULT_MISMATCH,
        `the result carries seq ${r.seq} but command ${c.id} has seq ${c.seq}`,
      );
    }
    const recorded = await this.#o.repo.commands.finish(c.id, r.status, body, this.#o.now());
    const after = recorded ? r.status : ((await this.#o.repo.commands.get(c.id))?.state ?? c.state);
    this.#o.log.info(
      { commandId: c.id, deviceId: c.deviceId, status: r.status, code: r.code, recorded },
      'command result',
    );
    return { recorded, state: after };
  }

  view(c: CommandRecord): CommandView {
    // Past its expiry but not yet swept: shown as what the sweep will make it.
    const open = c.state === 'pending' || c.state === 'sent';
    const state = open && c.expiresAt <= this.#o.now() ? 'expired' : c.state;
    return {
      id: c.id,
      deviceId: c.deviceId,
      seq: c.seq,
      op: c.op,
      args: c.args,
      state,
      createdBy: c.createdBy,
      issuedAt: iso(c.issuedAt),
      expiresAt: iso(c.expiresAt),
      sentAt: c.sentAt === null ? null : iso(c.sentAt),
      doneAt: c.doneAt === null ? null : iso(c.doneAt),
      result: c.result?.payload ?? null,
    };
  }

  /** The device if it is in the admin's scope; 404 exactly like an unknown id otherwise. */
  async #device(p: AdminPrincipal, deviceId: string): Promise<DeviceRecord> {
    const dev = await this.#o.repo.devices.get(deviceId);
    if (!dev || !(await this.#o.hierarchy.inScope(p, dev.nodeId))) {
      throw new LinliError(ErrorCode.NOT_FOUND, `no device ${deviceId}`, { field: 'id' });
    }
    return dev;
  }

  /** Sends through the notifier; the returned record is `sent` when the device was reached. */
  async #send(c: CommandRecord): Promise<CommandRecord | undefined> {
    const message: ServerCommand = { type: 'command', envelope: c.envelope };
    if (this.#o.notifier.notify([c.deviceId], message) === 0) return undefined;
    const at = this.#o.now();
    if (c.state === 'pending' && (await this.#o.repo.commands.markSent(c.id, at))) {
      return { ...c, state: 'sent', sentAt: at };
    }
    return c;
  }
}

function notFound(id: string): LinliError {
  return new LinliError(ErrorCode.NOT_FOUND, `no command ${id}`, { field: 'id' });
}
