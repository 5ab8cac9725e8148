import { enrollDevice } from '../../kiosk/src/enrollment/enroll-device.js';
import { DEVICE_ROLES, type DeviceRole } from '../../protocol/schemas/common.js';
import { type Command, parseFlags, usageError, wantsHelp } from '../command.js';

const HELP = `Usage: linli enroll --server URL --token T --state DIR --role kiosk|lobby|led [--name N] [--force]

Enrolls this device with a Linli control plane, once, before \`linli device\` can run.

  1. Reads the enrollment token (printed by the control plane for one hierarchy node and one role) and pins
     the control plane's root public key carried in it: enrollment is not trust-on-first-use.
  2. Generates the device's Ed25519 key pair here. The private key is written to <state>/device-key.pem
     (mode 0600, state dir 0700) and never leaves the device.
  3. Signs the server's one-time nonce with that key and registers (POST /api/v1/enroll).
  4. Accepts the answer only if its keyset is signed by the pinned root key, then writes
     <state>/identity.json durably (device id, role, node, server URL, root key, keyset).

Options:
  --server URL     control plane base URL, e.g. http://127.0.0.1:8080
  --token T        enrollment token (lnt1.<id>.<secret>.<rootKey>); or env LINLI_ENROLL_TOKEN,
                   which keeps it out of the process list
  --state DIR      the device's state directory (created 0700)
  --role ROLE      kiosk (payments), lobby (notice screen) or led (LED sign); must match the token
  --name N         a name admins see, e.g. "1号楼大堂"
  --force          replace an existing enrollment in DIR (new key, new device id; refused while the
                   kiosk still has open payments). The old identity is kept as identity.json.replaced-*.
  -h, --help       this text

On success stdout says:
  Enrolled <role> <deviceId> in <node path> with <server>; state in <DIR>
Errors name their code, e.g. LINLI_ERR_TOKEN_INVALID (malformed token), LINLI_ERR_TOKEN_EXPIRED,
LINLI_ERR_TOKEN_USED_UP, LINLI_ERR_TOKEN_ROLE_MISMATCH (wrong --role), LINLI_ERR_UNAVAILABLE (server
unreachable), LINLI_ERR_KEY_UNKNOWN / LINLI_ERR_SIGNATURE_INVALID (the server is not the one the token
names), LINLI_ERR_ALREADY_ENROLLED (use --force or another --state).

Example:
  linli enroll --server http://127.0.0.1:8080 --token lnt1.tok_… --state /var/lib/linli --role lobby
`;

export const command: Command = {
  name: 'enroll',
  summary: 'enroll this device with a control plane using an enrollment token',
  help: HELP,
  async run(argv: string[]): Promise<number> {
    if (wantsHelp(argv)) {
      process.stdout.write(HELP);
      return 0;
    }
    const parsed = parseFlags('enroll', argv, {
      server: { type: 'string' },
      token: { type: 'string' },
      state: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      force: { type: 'boolean' },
    });
    if (typeof parsed === 'number') return parsed;
    const { values } = parsed;
    const token = (values.token as string | undefined) ?? process.env.LINLI_ENROLL_TOKEN;
    for (const [flag, v] of [
      ['--server', values.server],
      ['--token', token],
      ['--state', values.state],
      ['--role', values.role],
    ] as const) {
      if (typeof v !== 'string' || v.length === 0) return usageError('enroll', `${flag} is required`);
    }
    const role = values.role as string;
    if (!DEVICE_ROLES.includes(role as DeviceRole)) {
      return usageError('enroll', `--role must be one of ${DEVICE_ROLES.join(', ')}, got "${role}"`);
    }
    const identity = await enrollDevice({
      serverUrl: values.server as string,
      token: token as string,
      stateDir: values.state as string,
      role: role as DeviceRole,
      ...(typeof values.name === 'string' ? { name: values.name } : {}),
      force: values.force === true,
    });
    process.stdout.write(
      `Enrolled ${identity.role} ${identity.deviceId} in ${identity.node.path.join(' / ')} with ${identity.serverUrl}; state in ${values.state}\n`,
    );
    return 0;
  },
};
