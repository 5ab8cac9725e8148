import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KeyStore } from '../../control-plane/src/keys/key-store.js';
import {
  ensureOnlineKeys,
  replaceOnlineKeys,
  TufKeys,
  tufPaths,
  writeRootFile,
} from '../../control-plane/src/tuf/tuf-keys.js';
import { ErrorCode, LinliError } from '../../protocol/errors.js';
import { rootAnchor } from '../../protocol/tuf/tuf-root.js';
import {
  createOfflineKeys,
  describeRoot,
  firstRoot,
  loadOfflineKeys,
  nextRoot,
} from '../../provisioning/src/offline-root.js';
import { type Command, wantsHelp } from '../command.js';

const HELP = `Usage: linli keys <init|rotate-root|status> [options]

The TUF root of trust for notices. Root keys are made and used OFFLINE (keep --offline on removable media,
not on the control plane); the control plane holds only the online timestamp, snapshot and targets keys and
the root files. Devices pin the hash of 1.root.json through their enrollment token.

  linli keys init --data DIR --offline KEYDIR [--keys 3] [--threshold 2] [--expires-days 365]
      create the root keys in KEYDIR, the online keys in DIR/keys, and sign root version 1
  linli keys rotate-root --data DIR --offline KEYDIR [--new-keys N] [--threshold T] [--rotate-online]
      [--expires-days 365]
      sign the next root with a threshold of the current root keys (and of the new ones); a running
      control plane picks it up within seconds and devices follow the chain on their next sync
  linli keys status --data DIR
      the root versions, their thresholds and key ids, and the anchor tokens carry

Without \`keys init\`, a first start of the control plane creates a root with ONE offline key in
<data>-offline-keys (beside the data dir) so the demo works; production sets autoInitKeys=false.
`;

function int(v: string | undefined, def: number, field: string, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `--${field} must be a whole number from 1 to ${max}, got ${JSON.stringify(v)}`,
      {
        field,
      },
    );
  }
  return n;
}

async function latestRoot(dataDir: string): Promise<{ version: number; text: string; first: string }> {
  const versions = await TufKeys.rootVersions(dataDir);
  if (versions.length === 0) {
    throw new LinliError(
      ErrorCode.TUF_KEYS_MISSING,
      `no root in ${tufPaths(dataDir).roots}; run \`linli keys init\` first`,
    );
  }
  const version = versions.at(-1)!;
  return {
    version,
    text: await readFile(tufPaths(dataDir).root(version), 'utf8'),
    first: await readFile(tufPaths(dataDir).root(1), 'utf8'),
  };
}

export const command: Command = {
  name: 'keys',
  summary: 'create and rotate the offline TUF root keys for signed notices',
  help: HELP,
  async run(argv) {
    if (wantsHelp(argv) || argv.length === 0) {
      process.stdout.write(HELP);
      return argv.length === 0 ? 2 : 0;
    }
    const [sub, ...rest] = argv;
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        data: { type: 'string' },
        offline: { type: 'string' },
        keys: { type: 'string' },
        'new-keys': { type: 'string' },
        threshold: { type: 'string' },
        'expires-days': { type: 'string' },
        'rotate-online': { type: 'boolean' },
      },
    });
    const say = (l: string) => process.stdout.write(`${l}\n`);
    if (!values.data)
      throw new LinliError(ErrorCode.CONFIG_INVALID, '--data DIR (the control plane data dir) is required');
    const dataDir = resolve(values.data);
    const expiresMs = Date.now() + int(values['expires-days'], 365, 'expires-days', 3650) * 86_400_000;

    if (sub === 'status') {
      const { version, first } = await latestRoot(dataDir);
      for (let v = 1; v <= version; v++) {
        const d = describeRoot(await readFile(tufPaths(dataDir).root(v), 'utf8'));
        say(
          `root ${d.version}: ${d.threshold} of ${d.rootKeyIds.length} keys (${d.rootKeyIds.join(', ')}), expires ${d.expires}`,
        );
      }
      say(`anchor (in enrollment tokens): ${rootAnchor(first)}`);
      return 0;
    }
    if (!values.offline)
      throw new LinliError(
        ErrorCode.CONFIG_INVALID,
        '--offline KEYDIR (the offline root key directory) is required',
      );
    const offline = resolve(values.offline);

    if (sub === 'init') {
      if ((await TufKeys.rootVersions(dataDir)).length > 0) {
        throw new LinliError(
          ErrorCode.CONFLICT,
          `${tufPaths(dataDir).roots} already has a root; devices pin it. Use \`linli keys rotate-root\` to change keys`,
        );
      }
      const count = int(values.keys, 3, 'keys', 16);
      const threshold = int(values.threshold, Math.min(2, count), 'threshold', count);
      const keyset = await KeyStore.open(dataDir);
      const online = await ensureOnlineKeys(dataDir);
      const rootKeys = await createOfflineKeys(offline, count);
      const root = firstRoot({
        rootKeys,
        threshold,
        expiresMs,
        online: {
          timestamp: online.timestamp.publicKey,
          snapshot: online.snapshot.publicKey,
          targets: online.targets.publicKey,
          keyset: keyset.root.publicKey,
        },
      });
      await writeRootFile(dataDir, 1, root.text);
      say(`Created ${count} root keys (threshold ${threshold}) in ${offline}: move them OFF this machine.`);
      say(`Signed root version 1 into ${tufPaths(dataDir).root(1)}.`);
      say(`Trust anchor (enrollment tokens carry it): ${root.anchor}`);
      return 0;
    }

    if (sub === 'rotate-root') {
      const current = await latestRoot(dataDir);
      const offlineKeys = await loadOfflineKeys(offline);
      const newCount =
        values['new-keys'] === undefined ? undefined : int(values['new-keys'], 3, 'new-keys', 16);
      const newRootKeys = newCount ? await createOfflineKeys(offline, newCount) : undefined;
      const online = values['rotate-online'] ? await replaceOnlineKeys(dataDir) : undefined;
      const next = nextRoot({
        currentText: current.text,
        offlineKeys,
        ...(newRootKeys ? { newRootKeys } : {}),
        ...(values.threshold ? { threshold: int(values.threshold, 1, 'threshold', 16) } : {}),
        ...(online
          ? {
              online: {
                timestamp: online.timestamp.publicKey,
                snapshot: online.snapshot.publicKey,
                targets: online.targets.publicKey,
              },
            }
          : {}),
        expiresMs,
      });
      await writeRootFile(dataDir, next.version, next.text);
      say(
        `Signed root version ${next.version} (after ${current.version}) into ${tufPaths(dataDir).root(next.version)}.`,
      );
      if (newRootKeys)
        say(
          `New root keys are in ${offline}; the keys of root ${current.version} can be destroyed once every device has synced.`,
        );
      if (online) say('New online keys are in place; the control plane switches to them with the new root.');
      return 0;
    }
    process.stderr.write(`linli keys: unknown subcommand "${sub}"\n\n${HELP}`);
    return 2;
  },
};
