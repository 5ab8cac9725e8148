import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { idemKey, KioskFlow } from '../testing/kiosk-flow.js';
import { TestDevice } from '../testing/test-device.js';

const open: Harness[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const h of open.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function kioskOn(h: Harness): Promise<KioskFlow> {
  const { community } = await h.sunshine();
  const kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
  return new KioskFlow(h, kiosk);
}

const simTables = (h: Harness) =>
  (
    h.repo.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'sim%'").all() as {
      name: string;
    }[]
  ).map((r) => r.name);

describe('the simulators live in their own store', () => {
  it('keep their ledgers in <dataDir>/simulators.sqlite, none in the production store', async () => {
    const h = await createHarness();
    open.push(h);
    const flow = await kioskOn(h);
    const paid = await flow.pay('water', '1001000001');
    const id = paid.payment.payload.id;
    expect(h.sims.file).toBe(join(h.dataDir, 'simulators.sqlite'));
    expect(
      h.sims.db.prepare('SELECT COUNT(*) AS n FROM sim_biller_postings WHERE payment_id = ?').get(id),
    ).toEqual({ n: 1 });
    expect(await h.sims.gatewayEntries(id, 'capture')).toHaveLength(1);
    expect(simTables(h)).toEqual([]);
    // The payer pages are the simulated wallet's: served while simulators are on.
    const page = await h.app.inject({ method: 'GET', url: '/sim/wallet/pay/wxo_00000000000000000000000000' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('No such order');
  });

  it('share one ledger between two instances given the same simLedgerFile', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'linli-simshare-'));
    dirs.push(shared);
    const simLedgerFile = join(shared, 'ledger.sqlite');
    const a = await createHarness({ config: { simLedgerFile } });
    const b = await createHarness({ config: { simLedgerFile } });
    open.push(a, b);
    expect(existsSync(join(a.dataDir, 'simulators.sqlite'))).toBe(false);
    const onA = await kioskOn(a);
    const onB = await kioskOn(b);
    expect(await onB.bills('gas', '3003000001')).toHaveLength(1);
    await onA.pay('gas', '3003000001');
    // The biller B talks to is the one A paid: the bill is no longer open there.
    expect(await onB.bills('gas', '3003000001')).toEqual([]);
    // One wallet provider, one signing key.
    expect(a.sims.db.prepare('SELECT pem FROM sim_wallet_key').all()).toHaveLength(1);
    expect(a.app.simulators!.wallet.publicKey.export({ format: 'jwk' })).toEqual(
      b.app.simulators!.wallet.publicKey.export({ format: 'jwk' }),
    );
  });
});

describe('simulators: false', () => {
  it('has no simulator, no sim route, no sim file; payments answer LINLI_ERR_RAILS_NOT_CONFIGURED', async () => {
    const h = await createHarness({ config: { simulators: false } });
    open.push(h);
    expect(h.app.simulators).toBeUndefined();
    expect(existsSync(join(h.dataDir, 'simulators.sqlite'))).toBe(false);
    const routes = h.app.printRoutes({ commonPrefix: false });
    expect(routes).not.toMatch(/sim/);
    const page = await h.app.inject({ method: 'GET', url: '/sim/wallet/pay/wxo_00000000000000000000000000' });
    expect(page.statusCode).toBe(404);

    const flow = await kioskOn(h);
    const bills = await flow.kiosk.call(h.app, {
      method: 'GET',
      url: `${API.deviceBills}?billerId=water&account=1001000001`,
    });
    expect(bills.statusCode).toBe(503);
    expect(bills.json()).toMatchObject({
      error: {
        code: ErrorCode.RAILS_NOT_CONFIGURED,
        message: expect.stringMatching(/no biller is configured/),
      },
    });
    const create = await flow.create('bil_00000000000000000000000000', 100, idemKey());
    expect(create.json()).toMatchObject({ error: { code: ErrorCode.RAILS_NOT_CONFIGURED } });
    expect(simTables(h)).toEqual([]);
  });
});
