import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isLinliError, type LinliError } from '../../../protocol/errors.js';
import type { DurableFs } from './durable-file.js';
import { writeFileDurable } from './durable-file.js';
import { openDurableStore } from './durable-store.js';

interface Data {
  items: string[];
}
const Schema = Type.Object({ items: Type.Array(Type.String()) });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linli-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('durable lowdb store', () => {
  it('starts from defaults when the file is missing, and persists writes across reopen', async () => {
    const file = join(dir, 'sub', 'state.json');
    const defaults: Data = { items: [] };
    const db = await openDurableStore(file, defaults, { corrupt: 'refuse', schema: Schema });
    expect(db.data).toEqual({ items: [] });
    await db.update((d) => d.items.push('a'));
    expect(defaults.items).toEqual([]);
    const again = await openDurableStore(file, defaults, { corrupt: 'refuse', schema: Schema });
    expect(again.data.items).toEqual(['a']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'sub'))).mode & 0o777).toBe(0o700);
  });

  it('serialises concurrent writes and leaves no temp files', async () => {
    const file = join(dir, 'state.json');
    const db = await openDurableStore<Data>(file, { items: [] }, { corrupt: 'refuse' });
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.update((d) => d.items.push(String(i)))));
    expect(JSON.parse(await readFile(file, 'utf8')).items).toHaveLength(20);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('refuses a corrupt money file with LINLI_ERR_STATE_CORRUPT and keeps it (and a copy)', async () => {
    const file = join(dir, 'payments.json');
    await writeFile(file, '{"items": [1, 2');
    let err: LinliError | undefined;
    try {
      await openDurableStore<Data>(file, { items: [] }, { corrupt: 'refuse', schema: Schema });
    } catch (e) {
      err = e as LinliError;
    }
    expect(isLinliError(err, ErrorCode.STATE_CORRUPT)).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('{"items": [1, 2');
    const aside = String(err?.details?.keptAs);
    expect(await readFile(aside, 'utf8')).toBe('{"items": [1, 2');
  });

  it('treats a file that parses but breaks its schema as corrupt', async () => {
    const file = join(dir, 'payments.json');
    await writeFile(file, '{"items": [1]}');
    await expect(
      openDurableStore<Data>(file, { items: [] }, { corrupt: 'refuse', schema: Schema }),
    ).rejects.toMatchObject({ code: ErrorCode.STATE_CORRUPT });
  });

  it('quarantines a corrupt cache: moved aside, reported, defaults used', async () => {
    const file = join(dir, 'content.json');
    await writeFile(file, '');
    const reported: LinliError[] = [];
    const db = await openDurableStore<Data>(
      file,
      { items: ['default'] },
      { corrupt: 'quarantine', schema: Schema, onQuarantine: (e) => reported.push(e) },
    );
    expect(db.data.items).toEqual(['default']);
    expect(reported[0]?.code).toBe(ErrorCode.STATE_CORRUPT);
    const names = await readdir(dir);
    expect(names.some((n) => n.startsWith('content.json.corrupt-'))).toBe(true);
    expect(names).not.toContain('content.json');
  });

  it('a crash between the temp write and the rename leaves the old content intact', async () => {
    const file = join(dir, 'state.json');
    const db = await openDurableStore<Data>(file, { items: [] }, { corrupt: 'refuse' });
    await db.update((d) => d.items.push('committed'));

    // The process "dies" at the rename: the temp file is fully written and fsynced but never renamed, and
    // the crash leaves it behind (no cleanup runs in a dead process).
    const crashing: DurableFs = {
      ...nodeFs,
      rename: async () => {
        throw Object.assign(new Error('simulated power cut'), { code: 'ECRASH' });
      },
      rm: async () => {},
    };
    await expect(
      writeFileDurable(file, JSON.stringify({ items: ['half'] }), { fs: crashing }),
    ).rejects.toThrow('simulated power cut');
    const leftovers = (await readdir(dir)).filter((n) => n.endsWith('.tmp'));
    expect(leftovers).toHaveLength(1);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ items: ['committed'] });

    // On restart the committed state is read and the stale temp file is removed.
    const reopened = await openDurableStore<Data>(file, { items: [] }, { corrupt: 'refuse' });
    expect(reopened.data.items).toEqual(['committed']);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a failed fsync of the temp file never touches the target', async () => {
    const file = join(dir, 'state.json');
    await writeFileDurable(file, '{"items":["old"]}');
    const failingSync: DurableFs = {
      ...nodeFs,
      open: (async (...args: Parameters<typeof nodeFs.open>) => {
        const fh = await nodeFs.open(...args);
        if (String(args[0]).endsWith('.tmp')) {
          fh.sync = async () => {
            throw Object.assign(new Error('EIO on fsync'), { code: 'EIO' });
          };
        }
        return fh;
      }) as typeof nodeFs.open,
    };
    await expect(writeFileDurable(file, '{"items":["new"]}', { fs: failingSync })).rejects.toThrow('EIO');
    expect(await readFile(file, 'utf8')).toBe('{"items":["old"]}');
    expect(await readdir(dir)).toEqual(['state.json']);
  });
});
