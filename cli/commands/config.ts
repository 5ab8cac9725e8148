import { parseArgs } from 'node:util';
import { ErrorCode, LinliError } from '../../protocol/errors.js';
import type { ConfigPutBody } from '../../protocol/schemas/config-admin.js';
import type { SettingSource } from '../../protocol/schemas/fleet.js';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { type Command, wantsHelp } from '../command.js';

const HELP = `Usage: linli config <get|set|clear> (--node ID | --device ID) [KEY=VALUE... | KEY...] [--json]

Remote device settings through the admin API. Set on a node, a setting is inherited by every node and
device below it unless they set it themselves; set on a device, it overrides what the device inherits.
Log in with --server, --user and --password, or LINLI_SERVER, LINLI_USER, LINLI_PASSWORD.

  get   --node ID | --device ID        each setting: the value here, and what it inherits (or is in effect) and from where
  set   --node ID | --device ID KEY=VALUE...   VALUE is JSON (120, true, "en", ["qr"]); a bare word is a string
  clear --node ID | --device ID KEY...         inherit again

Examples: linli config set --node node_… idle.resetSec=120 ui.defaultLanguage=en
          linli config set --device dev_… 'payment.methods=["qr"]'
The control plane checks every value against the setting's bounds and refuses the whole change with a
LINLI_ERR code naming the key; nothing is stored then.
`;

function source(s: SettingSource): string {
  if (s.kind === 'default') return 'default';
  if (s.kind === 'device') return 'this device';
  return `${s.level} ${s.name}`;
}

/** `key=value` → [key, value]; the value is JSON, or a plain string when it is not JSON. */
export function parseAssignment(arg: string): [string, unknown] {
  const at = arg.indexOf('=');
  if (at <= 0) {
    throw new LinliError(ErrorCode.BAD_REQUEST, `"${arg}" is not KEY=VALUE (e.g. idle.resetSec=120)`, {
      field: arg,
    });
  }
  const raw = arg.slice(at + 1);
  try {
    return [arg.slice(0, at), JSON.parse(raw) as unknown];
  } catch {
    return [arg.slice(0, at), raw];
  }
}

export const command: Command = {
  name: 'config',
  summary: 'read, set and clear remote device settings on a node or a device (admin API)',
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
        node: { type: 'string' },
        device: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (sub !== 'get' && sub !== 'set' && sub !== 'clear') {
      throw new LinliError(ErrorCode.BAD_REQUEST, `linli config ${sub}: use get, set or clear`);
    }
    if (Boolean(values.node) === Boolean(values.device)) {
      throw new LinliError(
        ErrorCode.BAD_REQUEST,
        `linli config ${sub} needs exactly one of --node or --device`,
      );
    }
    const password = values.password ?? process.env.LINLI_PASSWORD;
    if (!password) {
      throw new LinliError(
        ErrorCode.UNAUTHORIZED,
        'give --password (or LINLI_PASSWORD); the demo prints the admin password',
      );
    }
    let patch: ConfigPutBody | undefined;
    if (sub === 'set' || sub === 'clear') {
      if (positionals.length === 0) {
        throw new LinliError(
          ErrorCode.BAD_REQUEST,
          `linli config ${sub} needs at least one ${sub === 'set' ? 'KEY=VALUE' : 'KEY'}`,
        );
      }
      patch = Object.fromEntries(
        sub === 'set' ? positionals.map(parseAssignment) : positionals.map((k) => [k, null]),
      );
    }
    const admin = await AdminClient.login(
      values.server ?? process.env.LINLI_SERVER ?? 'http://127.0.0.1:8080',
      values.user ?? process.env.LINLI_USER ?? 'admin',
      password,
    );
    const say = (l: string) => process.stdout.write(`${l}\n`);
    if (values.node) {
      const view = patch
        ? await admin.setNodeConfig(values.node, patch)
        : await admin.nodeConfig(values.node);
      if (values.json) {
        say(JSON.stringify(view, null, 2));
        return 0;
      }
      say(`${view.node.level} ${view.node.name} (${view.node.id}), revision ${view.revision}`);
      for (const s of view.settings) {
        const here = s.here
          ? `= ${JSON.stringify(s.here.value)} (set by ${s.here.setBy})`
          : '  (not set here)';
        say(
          `  ${s.key.padEnd(30)} ${here}   inherits ${JSON.stringify(s.inherited.value)} from ${source(s.inherited.source)}`,
        );
      }
      return 0;
    }
    const id = values.device!;
    const view = patch ? await admin.setDeviceConfig(id, patch) : await admin.deviceConfig(id);
    if (values.json) {
      say(JSON.stringify(view, null, 2));
      return 0;
    }
    say(
      `${view.device.role} ${view.device.name} (${view.device.id}), target v${view.target.version}, ${view.status}`,
    );
    for (const s of view.settings) {
      const own = s.here ? ' (override)' : '';
      say(
        `  ${s.key.padEnd(30)} ${JSON.stringify(s.effective.value)} from ${source(s.effective.source)}${own}`,
      );
    }
    const last = view.reports[0];
    if (last) {
      say(`last report ${last.receivedAt}: ${last.report.outcome} v${last.report.targetVersion}`);
      for (const f of last.report.failed) say(`  failed ${f.key}: ${f.code} ${f.message}`);
      for (const p of last.report.pending) say(`  waiting ${p.key} for ${p.waitingFor}`);
    }
    return 0;
  },
};
