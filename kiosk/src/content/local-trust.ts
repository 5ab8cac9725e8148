import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Metadata, MetadataKind, type Targets } from '@tufjs/models';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { DEVICE_FIELD } from '../../../protocol/tuf/tuf-root.js';

/**
 * The targets metadata this device last accepted, re-verified from disk without the network: signed by the
 * targets key of the trusted root and made for this device. Expiry is NOT checked here: freeze protection
 * stops updates, never playback of what was verified.
 */
export async function loadTrustedTargets(metadataDir: string, deviceId: string): Promise<Metadata<Targets>> {
  try {
    const root = Metadata.fromJSON(
      MetadataKind.Root,
      JSON.parse(await readFile(join(metadataDir, 'root.json'), 'utf8')),
    );
    root.verifyDelegate(MetadataKind.Root, root);
    const targets = Metadata.fromJSON(
      MetadataKind.Targets,
      JSON.parse(await readFile(join(metadataDir, 'targets.json'), 'utf8')),
    );
    root.verifyDelegate(MetadataKind.Targets, targets);
    if (targets.signed.unrecognizedFields[DEVICE_FIELD] !== deviceId)
      throw new Error('made for another device');
    return targets;
  } catch (cause) {
    throw new LinliError(
      ErrorCode.TUF_METADATA,
      `the stored TUF metadata does not verify (${(cause as Error).message}); nothing stored is trusted until the next sync`,
      undefined,
      { cause },
    );
  }
}
