import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { AdminAuthService } from '../services/admin-auth.js';
import { createHarness, type Harness } from '../testing/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('first start', () => {
  it('creates the city and an admin whose random password is announced once and stored only hashed', async () => {
    h = await createHarness({ config: { cityName: '测试市' } });
    expect(h.announced).toHaveLength(1);
    expect(h.announced[0]).toMatch(
      /^First start: created admin "admin" with password: [A-Za-z0-9_-]{24} \(shown once; only its hash is stored\)$/,
    );
    const roots = await h.repo.nodes.listRoots();
    expect(roots.map((n) => [n.name, n.level, n.timezone])).toEqual([['测试市', 'city', 'Asia/Shanghai']]);
    const stored = h.repo.db.prepare('SELECT password_hash FROM admins').all() as { password_hash: string }[];
    expect(stored).toHaveLength(1);
    expect(stored[0]?.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored[0]?.password_hash).not.toContain(h.password);
    // Nothing in the data dir holds the password in clear (database, WAL, keys).
    h.repo.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of readdirSync(h.dataDir)) {
      if (f === 'keys' || f === 'tuf') continue;
      expect(readFileSync(join(h.dataDir, f)).includes(Buffer.from(h.password))).toBe(false);
    }
    const login = await h.app.inject({
      method: 'POST',
      url: API.login,
      payload: { username: 'admin', password: h.password },
    });
    expect(login.statusCode).toBe(200);
  });

  it('says nothing on a second start and keeps the same admin and city', async () => {
    h = await createHarness();
    const { dataDir, password } = h;
    await h.close({ keepData: true });
    h = await createHarness({ dataDir });
    expect(h.announced).toEqual([]);
    expect(await h.repo.nodes.count()).toBe(1);
    const login = await h.app.inject({
      method: 'POST',
      url: API.login,
      payload: { username: 'admin', password },
    });
    expect(login.statusCode).toBe(200);
    const { rmSync } = await import('node:fs');
    await h.close();
    rmSync(dataDir, { recursive: true, force: true });
    h = undefined;
  });

  it('resets the admin password: the old one and its sessions stop working', async () => {
    h = await createHarness();
    const oldToken = await h.adminToken();
    const fresh = await new AdminAuthService(h.repo, Date.now, 3600).resetPassword('admin');
    const old = await h.app.inject({
      method: 'POST',
      url: API.login,
      payload: { username: 'admin', password: h.password },
    });
    expect(old.json()).toMatchObject({ error: { code: ErrorCode.LOGIN_FAILED } });
    const session = await h.app.inject({
      method: 'GET',
      url: API.nodes,
      headers: { authorization: `Bearer ${oldToken}` },
    });
    expect(session.statusCode).toBe(401);
    const ok = await h.app.inject({
      method: 'POST',
      url: API.login,
      payload: { username: 'admin', password: fresh },
    });
    expect(ok.statusCode).toBe(200);
  });
});
