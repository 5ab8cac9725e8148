import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { CreateAdminResponse } from '../../../protocol/schemas/admin.js';
import type { Repository } from '../storage/repository.js';
import { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { LocalBus } from './local-bus.js';

// Account lifecycle across two control-plane instances on one store and one bus (issue 13): a session that
// instance B has just cached ends on B as soon as A disables the account or its password changes — no clock
// advance, so B's 2 s principal cache would still hold it without the bus signal.

function shared(repo: Repository): Repository {
  return Object.create(repo, { close: { value: async () => {} } }) as Repository;
}

describe('two instances: ending an account on A ends its sessions on B at once', () => {
  let a: Harness;
  let b: Harness;
  let store: SqliteRepository;
  let storeDir: string;
  let communityId: string;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'linli-two-apps-acc-'));
    store = SqliteRepository.open(storeDir);
    const bus = new LocalBus();
    const dataDir = mkdtempSync(join(tmpdir(), 'linli-two-apps-acc-data-'));
    a = await createHarness({ bus, dataDir, repo: shared(store) });
    b = await createHarness({ bus, dataDir, repo: shared(store) });
    await a.app.ready();
    await b.app.ready();
    communityId = (await a.community('acc')).community.id;
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await store.close();
    rmSync(storeDir, { recursive: true, force: true });
    rmSync(a.dataDir, { recursive: true, force: true });
    rmSync(a.config.offlineKeysDir, { recursive: true, force: true });
  });

  async function staffOnB(username: string): Promise<{ id: string; password: string; token: string }> {
    const created = (
      await a.admin({
        method: 'POST',
        url: API.admins,
        payload: { username, role: 'staff', nodeId: communityId },
      })
    ).json() as CreateAdminResponse;
    const login = await b.app.inject({
      method: 'POST',
      url: API.login,
      payload: { username, password: created.password },
    });
    expect(login.statusCode).toBe(200);
    return {
      id: created.admin.id,
      password: created.password,
      token: (login.json() as { token: string }).token,
    };
  }

  const onB = (token: string) =>
    b.app.inject({ method: 'GET', url: API.nodes, headers: { authorization: `Bearer ${token}` } });

  /**
   * B's status once the bus signal had time to arrive (delivery is asynchronous). The test clock never moves,
   * so B's principal cache cannot expire on its own: only the signal can end the session there.
   */
  async function onBAfterSignal(token: string): Promise<number> {
    let status = 0;
    for (let i = 0; i < 100; i++) {
      status = (await onB(token)).statusCode;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    return status;
  }

  it('disable on A: the session B holds (cached) answers 401 on B, and B refuses the login', async () => {
    const s = await staffOnB('two-disable');
    expect((await onB(s.token)).statusCode).toBe(200); // B caches the principal now
    const off = await a.admin({ method: 'POST', url: API.adminAction(s.id, 'disable') });
    expect(off.statusCode).toBe(200);
    expect(await onBAfterSignal(s.token)).toBe(401);
    const login = await b.app.inject({
      method: 'POST',
      url: API.login,
      payload: { username: 'two-disable', password: s.password },
    });
    expect(login.json()).toMatchObject({ error: { code: ErrorCode.ACCOUNT_DISABLED } });
  });

  it('password change on A ends the session on B and keeps the one on A', async () => {
    const s = await staffOnB('two-password');
    const onA = (
      (
        await a.app.inject({
          method: 'POST',
          url: API.login,
          payload: { username: 'two-password', password: s.password },
        })
      ).json() as { token: string }
    ).token;
    expect((await onB(s.token)).statusCode).toBe(200);
    const changed = await a.app.inject({
      method: 'POST',
      url: API.myPassword,
      headers: { authorization: `Bearer ${onA}` },
      payload: { current: s.password, next: 'a-fresh-long-password' },
    });
    expect(changed.statusCode).toBe(204);
    expect(await onBAfterSignal(s.token)).toBe(401);
    const stillA = await a.app.inject({
      method: 'GET',
      url: API.nodes,
      headers: { authorization: `Bearer ${onA}` },
    });
    expect(stillA.statusCode).toBe(200);
  });
});
