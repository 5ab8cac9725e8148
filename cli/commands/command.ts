import { parseArgs } from 'node:util';
import { ErrorCode, LinliError } from '../../protocol/errors.js';
import type { CommandView, CreateCommandRequest } from '../../protocol/schemas/commands.js';
import { COMMAND_OPS, type CommandOp } from '../../protocol/schemas/fleet.js';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { type Command, wantsHelp } from '../command.js';

const HELP = `Usage: linli command <send|list|show> [options]

Remote commands through the admin API (signed by the control plane, checked by the device). Log in with
--server, --user and --password, or LINLI_SERVER, LINLI_USER, LINLI_PASSWORD.

  send --device ID --op OP [--level N] [--for-sec N] [--seconds N] [--ttl-sec N] [--wait]
       OP: ${COMMAND_OPS.join(', ')}
       --level N --for-sec N   set-volume (0–100) / set-brightness (1–16), for N seconds (default 3600)
       --seconds N             identify: flash or show the overlay for N seconds (default 10)
       --ttl-sec N             how long the command waits for an offline device (default 600)
       --wait                  wait (up to the ttl) until the device answered, then print the result
  list --device ID [--limit N]   the device's commands, newest first
  show ID                        one command

States: pending (device offline, waiting), sent, done, failed, rejected (refused by the device, with its
code), expired (not answered in time). Exit code 0 when sent or queued; with --wait, 0 only for done.
`;

export function formatCommand(c: CommandView): string {
  const args = Object.entries(c.args)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const r = c.result;
  const result = r ? `  ${r.status}${r.code ? ` ${r.code}` : ''}${r.message ? `: ${r.message}` : ''}` : '';
  return `${c.id}  #${c.seq}  ${c.op}${args ? `(${args})` : ''}  ${c.state}  by ${c.createdBy}  issued ${c.issuedAt}  expires ${c.expiresAt}${result}`;
}

const FINAL = new Set(['done', 'failed', 'rejected', 'expired']);

export const command: Command = {
  name: 'command',
  summary: 'send a signed remote command to a device, or list its commands (admin API)',
  help: HELP,
  async run(argv) {
    if (wantsHelp(argv) || argv.length === 0) {
      process.stdout.write(HELP);
      return argv.length === 0 ? 2 : 0;
    }
    const [sub, ...rest] = argv;
    const { values, positionals } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: {
        server: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        device: { type: 'string' },
        op: { type: 'string' },
        level: { type: 'string' },
        'for-sec': { type: 'string' },
        seconds: { type: 'string' },
        'ttl-sec': { type: 'string' },
        limit: { type: 'string' },
        wait: { type: 'boolean' },
      },
    });
    const num = (flag: string): number | undefined => {
      const v = values[flag as keyof typeof values];
      if (v === undefined) return undefined;
      const n = Number(v);
      if (typeof v !== 'string' || v.trim() === '' || !Number.isInteger(n)) {
        throw new LinliError(
          ErrorCode.BAD_REQUEST,
          `--${flag} must be a whole number, got ${JSON.stringify(v)}`,
          {
            field: flag,
          },
        );
      }
      return n;
    };
    const server = values.server ?? process.env.LINLI_SERVER ?? 'http://127.0.0.1:8080';
    const user = values.user ?? process.env.LINLI_USER ?? 'admin';
    const password = values.password ?? process.env.LINLI_PASSWORD;
    if (!password) {
      throw new LinliError(
        ErrorCode.UNAUTHORIZED,
        'give --password (or LINLI_PASSWORD); the demo prints the admin password',
      );
    }
    const say = (l: string) => process.stdout.write(`${l}\n`);
    const needDevice = (): string => {
      if (!values.device)
        throw new LinliError(ErrorCode.BAD_REQUEST, `linli command ${sub} needs --device ID`);
      return values.device;
    };

    if (sub === 'send') {
      const device = needDevice();
      const op = values.op;
      if (!op || !(COMMAND_OPS as readonly string[]).includes(op)) {
        throw new LinliError(ErrorCode.BAD_REQUEST, `--op must be one of ${COMMAND_OPS.join(', ')}`, {
          field: 'op',
        });
      }
      const args: Record<string, number> = {};
      for (const [flag, key] of [
        ['level', 'level'],
        ['for-sec', 'forSec'],
        ['seconds', 'seconds'],
      ] as const) {
        const n = num(flag);
        if (n !== undefined) args[key] = n;
      }
      const ttlSec = num('ttl-sec');
      const req: CreateCommandRequest = {
        op: op as CommandOp,
        ...(Object.keys(args).length ? { args } : {}),
        ...(ttlSec !== undefined ? { ttlSec } : {}),
      };
      const admin = await AdminClient.login(server, user, password);
      let c = await admin.sendCommand(device, req);
      say(formatCommand(c));
      if (!values.wait) return 0;
      const until = Date.parse(c.expiresAt) + 5_000;
      while (!FINAL.has(c.state) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 500));
        c = await admin.getCommand(c.id);
      }
      say(formatCommand(c));
      return c.state === 'done' ? 0 : 1;
    }
    if (sub === 'list') {
      const admin = await AdminClient.login(server, user, password);
      const list = await admin.listCommands(needDevice(), num('limit'));
      if (list.length === 0) say('no commands');
      for (const c of list) say(formatCommand(c));
      return 0;
    }
    if (sub === 'show') {
      const id = positionals[0];
      if (!id) throw new LinliError(ErrorCode.BAD_REQUEST, 'linli command show needs a command ID');
      const admin = await AdminClient.login(server, user, password);
      say(formatCommand(await admin.getCommand(id)));
      return 0;
    }
    throw new LinliError(ErrorCode.BAD_REQUEST, `unknown subcommand ${sub}; see linli command --help`);
  },
};
