import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { NodeView, TokenListItem, TokenListResponse } from '../../../../protocol/schemas/admin.js';
import type { ContentManifest } from '../../../../protocol/schemas/notice.js';
import { hashedTargetName, manifestTarget } from '../../../../protocol/tuf/device-view.js';
import { createHarness, type Harness, tableCounts } from '../../testing/harness.js';
import { type AdminInject, scopedAdmin } from '../../testing/scoped-admin.js';
import { TestDevice } from '../../testing/test-device.js';

/** Issue 13, enrollment at scale: tokens listed per subtree, revocable in scope only, tags the device inherits. */
let h: Harness;
let a: NodeView;
let b: NodeView;
let street: NodeView;
let adminA: AdminInject;
let staffA: AdminInject;

beforeAll(async () => {
  h = await createHarness();
  ({ community: a, neighbour: b, street } = await h.sunshine());
  adminA = await scopedAdmin(h, 'tok.admin', 'admin', a.id);
  staffA = await scopedAdmin(h, 'tok.staff', 'staff', a.id);
});
afterAll(() => h.close());

const list = async (who: AdminInject, query = '') => {
  const res = await who({ method: 'GET', url: `${API.enrollmentTokens}${query}` });
  return res;
};
const tokensOf = async (who: AdminInject, query = '') =>
  ((await list(who, query)).json() as TokenListResponse).tokens;

describe('enrollment tokens: list', () => {
  it("lists the admin's subtree only, newest first, with who, state, uses left, tags, and never the secret", async () => {
    const mine = await adminA({
      method: 'POST',
      url: API.enrollmentTokens,
      payload: { nodeId: a.id, role: 'lobby', maxUses: 3, tags: ['hall-east', 'floor-1'] },
    });
    expect(mine.statusCode).toBe(201);
    const created = mine.json() as { id: string; token: string; tags: string[] };
    expect(created.tags).toEqual(['hall-east', 'floor-1']);
    h.clock.advance(1); // newest first is by creation time; ids within one millisecond are unordered
    const sibling = await h.token(b.id, 'kiosk');

    const res = await list(adminA);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(created.token);
    expect(res.body).not.toContain(created.token.split('.')[2]!);
    expect(res.body).not.toContain('secret');
    const tokens = (res.json() as TokenListResponse).tokens;
    expect(tokens.map((t) => t.id)).toContain(created.id);
    expect(tokens.map((t) => t.id)).not.toContain(sibling.id);
    expect(tokens.every((t) => t.nodeId === a.id)).toBe(true);
    expect(tokens.find((t) => t.id === created.id)).toEqual<TokenListItem>({
      id: created.id,
      nodeId: a.id,
      role: 'lobby',
      expiresAt: expect.any(String),
      maxUses: 3,
      uses: 0,
      usesLeft: 3,
      revokedAt: null,
      state: 'active',
      tags: ['hall-east', 'floor-1'],
      createdBy: { id: expect.stringMatching(/^adm_/), username: 'tok.admin' },
      createdAt: expect.any(String),
      lastUsedAt: null,
    });

    // The city admin sees both communities; asked for the street, both too; for b, only b's.
    const all = (await tokensOf(h.admin, `?nodeId=${street.id}`)).map((t) => t.id);
    expect(all).toEqual(expect.arrayContaining([created.id, sibling.id]));
    expect((await tokensOf(h.admin, `?nodeId=${b.id}`)).map((t) => t.id)).toEqual([sibling.id]);
    expect((await tokensOf(h.admin, `?nodeId=${street.id}&limit=1`)).map((t) => t.id)).toEqual([sibling.id]);
  });

  it('answers a sibling or parent node like an unknown one (404), and lists by state', async () => {
    const sib = await list(adminA, `?nodeId=${b.id}`);
    const unknown = await list(adminA, `?nodeId=${newId('node')}`);
    expect(sib.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(sib.json().error.code).toBe(unknown.json().error.code);
    expect(sib.body).not.toContain(b.name);
    expect((await list(adminA, `?nodeId=${street.id}`)).statusCode).toBe(404);

    const used = await adminA({
      method: 'POST',
      url: API.enrollmentTokens,
      payload: { nodeId: a.id, role: 'kiosk' },
    });
    const dev = new TestDevice();
    await dev.enroll(h.app, used.json().token, 'kiosk');
    const revoked = await h.token(a.id, 'kiosk');
    await adminA({ method: 'POST', url: API.enrollmentTokenRevoke(revoked.id), payload: {} });
    const usedRow = (await tokensOf(adminA, '?state=used')).find((t) => t.id === used.json().id);
    expect(usedRow).toMatchObject({ state: 'used', uses: 1, usesLeft: 0 });
    expect(usedRow?.lastUsedAt).not.toBeNull();
    expect((await tokensOf(adminA, '?state=revoked')).map((t) => t.id)).toEqual([revoked.id]);
    expect((await tokensOf(adminA, '?state=active')).every((t) => t.state === 'active')).toBe(true);
    expect((await tokensOf(adminA, '?state=active')).map((t) => t.id)).not.toContain(revoked.id);
    const short = await h.token(a.id, 'kiosk', { expiresInSec: 60 });
    expect((await tokensOf(adminA, '?state=active')).map((t) => t.id)).toContain(short.id);
    h.clock.advance(61_000);
    const expired = await tokensOf(adminA, '?state=expired');
    expect(expired.map((t) => t.id)).toEqual([short.id]);
    expect(expired[0]?.state).toBe('expired');
    expect((await tokensOf(adminA, '?state=active')).map((t) => t.id)).not.toContain(short.id);
    expect((await list(adminA, '?state=lost')).statusCode).toBe(400);
    expect((await list(adminA, '?limit=0')).statusCode).toBe(400);
  });

  it('is refused to staff (403, the permission named) with no tokens in the answer', async () => {
    const res = await list(staffA);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe(ErrorCode.FORBIDDEN);
    expect(res.body).toContain('enrollment.read');
    expect(res.body).not.toContain('tok_');
  });
});

describe('enrollment tokens: revoke', () => {
  it('answers 404 outside scope (like an unknown id, nothing changed) and is idempotent inside', async () => {
    const theirs = await h.token(b.id, 'kiosk');
    const out = await adminA({ method: 'POST', url: API.enrollmentTokenRevoke(theirs.id), payload: {} });
    const unknown = await adminA({
      method: 'POST',
      url: API.enrollmentTokenRevoke(newId('tok')),
      payload: {},
    });
    expect(out.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(out.json().error.code).toBe(unknown.json().error.code);
    expect((await h.repo.tokens.get(theirs.id))?.revokedAt).toBeNull();

    const mine = await h.token(a.id, 'kiosk');
    const first = await adminA({ method: 'POST', url: API.enrollmentTokenRevoke(mine.id), payload: {} });
    h.clock.advance(1000);
    const again = await adminA({ method: 'POST', url: API.enrollmentTokenRevoke(mine.id), payload: {} });
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(first.json().revokedAt).not.toBeNull();
    expect(again.json().revokedAt).toBe(first.json().revokedAt);
    const staff = await staffA({ method: 'POST', url: API.enrollmentTokenRevoke(theirs.id), payload: {} });
    expect(staff.statusCode).toBe(403);
  });
});

describe('enrollment tokens: tags', () => {
  it('refuses bad tags with a coded 400 and creates nothing', async () => {
    const before = tableCounts(h.repo).enrollment_tokens;
    for (const tags of [
      ['Hall'],
      ['hall_east'],
      ['-hall'],
      ['hall-'],
      ['hall--east'],
      ['一楼'],
      [''],
      ['x'.repeat(33)],
      ['same', 'same'],
      Array.from({ length: 17 }, (_, i) => `t${i}`),
    ]) {
      const res = await h.admin({
        method: 'POST',
        url: API.enrollmentTokens,
        payload: { nodeId: a.id, role: 'kiosk', tags },
      });
      expect(res.statusCode, JSON.stringify(tags)).toBe(400);
      expect(res.json().error.code).toMatch(/^LINLI_ERR_/);
    }
    expect(tableCounts(h.repo).enrollment_tokens).toBe(before);
  });

  it('gives the enrolled device the token tags, so a tag-targeted notice reaches it and not its untagged neighbour', async () => {
    const tagged = new TestDevice();
    const enrolled = await tagged.enroll(
      h.app,
      (await h.token(a.id, 'lobby', { tags: ['north-door', 'floor-2'] })).token,
      'lobby',
    );
    expect(enrolled.tags).toEqual(['north-door', 'floor-2']);
    expect((await h.repo.devices.get(tagged.id))?.tags).toEqual(['north-door', 'floor-2']);
    const plain = new TestDevice();
    await plain.enroll(h.app, (await h.token(a.id, 'lobby')).token, 'lobby');
    const listed = await h.admin({ method: 'GET', url: `${API.devices}?nodeId=${a.id}` });
    const byId = new Map(
      (listed.json().devices as { id: string; tags: string[] }[]).map((d) => [d.id, d.tags]),
    );
    expect(byId.get(tagged.id)).toEqual(['north-door', 'floor-2']);

    const pub = await h.admin({
      method: 'POST',
      url: API.notices,
      payload: {
        publish: true,
        targets: { nodeIds: [a.id], tags: ['north-door'] },
        title: { zh: '北门维修' },
        body: { zh: '北门今日维修' },
      },
    });
    expect(pub.statusCode, pub.body).toBe(201);
    expect((await manifestOf(tagged)).notices.map((n) => n.title.zh)).toContain('北门维修');
    expect((await manifestOf(plain)).notices.map((n) => n.title.zh)).not.toContain('北门维修');
  });
});

const meta = (dev: TestDevice, file: string) =>
  dev.call(h.app, { method: 'GET', url: `${API.deviceTufMetadata}/${file}` });

async function manifestOf(dev: TestDevice): Promise<ContentManifest> {
  const ts = JSON.parse((await meta(dev, 'timestamp.json')).body);
  const snap = JSON.parse((await meta(dev, `${ts.signed.meta['snapshot.json'].version}.snapshot.json`)).body);
  const targets = JSON.parse(
    (await meta(dev, `${snap.signed.meta['targets.json'].version}.targets.json`)).body,
  );
  const info = targets.signed.targets[manifestTarget(dev.id)];
  const res = await dev.call(h.app, {
    method: 'GET',
    url: `${API.deviceTufTargets}/${hashedTargetName(manifestTarget(dev.id), info.hashes.sha256)}`,
  });
  expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(info.hashes.sha256);
  return JSON.parse(res.body) as ContentManifest;
}
