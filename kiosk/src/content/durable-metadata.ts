import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Updater } from 'tuf-js';

/**
 * tuf-js writes trusted metadata with a plain writeFileSync: a power cut mid-write leaves a torn file, and a
 * lost timestamp.json loses rollback protection. This replaces its (private, synchronous) persistMetadata
 * on one Updater with temp file + fsync + rename + fsync of the directory. If a future tuf-js renames the
 * method, nothing breaks: the default write stays, and the durable-metadata test says so.
 */
export function makeMetadataDurable(updater: Updater, metadataDir: string): boolean {
  const u = updater as unknown as { persistMetadata?: (name: string, bytes: Buffer) => void };
  if (typeof u.persistMetadata !== 'function') return false;
  u.persistMetadata = (name: string, bytes: Buffer) => {
    const file = join(metadataDir, `${encodeURIComponent(name)}.json`);
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    const dir = openSync(metadataDir, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  };
  return true;
}
