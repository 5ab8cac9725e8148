import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Metadata, MetadataKind, type Targets } from '@tufjs/models';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { DEVICE_FIELD } from '../../../protocol/tuf/tuf-root.js';

/**
 * The targets metadata this device last accepted (`targets.json`, or the copy kept with the manifest in use,
 * ACCEPTED_TARGETS), re-verified from disk without the network: signed by the
 * targets key of the trusted root and made for this device. Expiry is NOT checked here: freeze protection
 * stops updates, never playback of what was verified.
 */
export async function loadTrustedTargets(
  metadataDir: string,
  deviceId: string,
  file = 'targets.json',
): Promise<Metadata<Targets>> {
  try {
    const root = Metadata.fromJSON(
      MetadataKind.Root,
      JSON.parse(await readFile(join(metadataDir, 'root.json'), 'utf8')),
    );
    root.verifyDelegate(MetadataKind.Root, root);
    const targets = Metadata.fromJSON(
      MetadataKind.Targets,
      JSON.parse(await readFile(join(metadataDir, file), 'utf8')),
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

/**
 * A copy of the targets metadata that signed the manifest in use. tuf-js replaces targets.json before the
 * manifest it lists is checked; when that manifest is refused, this copy still proves the one kept, so the
 * last verified content survives a restart too.
 */
export const ACCEPTED_TARGETS = 'accepted-targets.json';
