import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../control-plane/src/config.js';
import { ControlPlane } from '../../control-plane/src/server.js';
import { ErrorCode, LinliError } from '../../protocol/errors.js';
import { parseToken } from '../../protocol/token.js';
import { AdminClient } from './admin-client.js';

let cp: ControlPlane;
let url: string;
let password = '';
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'linli-client-'));
  cp = new ControlPlane({
    config: loadConfig({ dataDir, port: 0, logLevel: 'silent' }, {}),
    announce: (line) => {
      password = /password: (\S+)/.exec(line)?.[1] ?? '';
    },
  });
  url = await cp.start();
});
afterAll(async () => {
  await cp.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('AdminClient', () => {
  it('logs in, builds the hierarchy, makes tokens, publishes and lists devices', async () => {
    const client = await AdminClient.login(url, 'admin', password);
    expect(client.token).toMatch(/^las1\./);
    expect((await client.health()).ok).toBe(true);
    const [city] = await client.listNodes();
    const district = await client.createNode({ parentId: city!.id, name: '东城区' });
    const street = await client.createNode({ parentId: district.id, name: '和平街道' });
    const community = await client.createNode({ parentId: street.id, name: '幸福社区' });
    expect(community.level).toBe('community');
    expect((await client.listNodes({ parentId: street.id })).map((n) => n.id)).toEqual([community.id]);
    const token = await client.createToken({
      nodeId: community.id,
      role: 'lobby',
      maxUses: 2,
      tags: ['hall-east'],
    });
    expect(parseToken(token.token).tokenId).toBe(token.id);
    expect(token.tags).toEqual(['hall-east']);
    const listed = await client.listTokens({ nodeId: community.id, state: 'active', limit: 5 });
    expect(listed.map((t) => [t.id, t.usesLeft, t.tags])).toEqual([[token.id, 2, ['hall-east']]]);
    expect(JSON.stringify(listed)).not.toContain(token.token);
    expect((await client.revokeToken(token.id)).revokedAt).not.toBeNull();
    expect((await client.listTokens({ nodeId: community.id, state: 'revoked' })).map((t) => t.id)).toEqual([
      token.id,
    ]);
    const published = await client.publishNotice({
      targets: { nodeIds: [community.id] },
      title: { zh: '欢迎' },
      body: { zh: '欢迎入住' },
    });
    expect(published).toMatchObject({
      targetedDevices: 0,
      notifiedDevices: 0,
      notice: { status: 'published' },
    });
    // The moderation round trip through the client: draft, submit, reject, edit, submit, approve, audit.
    const d = await client.createNotice({
      targets: { nodeIds: [community.id] },
      title: { zh: '草稿' },
      body: { zh: '内容' },
    });
    await client.submitNotice(d.notice.id);
    await client.rejectNotice(d.notice.id, '请补充时间');
    const edited = await client.updateNotice(d.notice.id, {
      targets: { nodeIds: [community.id] },
      title: { zh: '草稿（周六）' },
      body: { zh: '内容' },
      revision: 1,
    });
    await client.submitNotice(d.notice.id);
    const approved = await client.approveNotice(d.notice.id, edited.notice.revision);
    expect(approved.notice.published?.content.title.zh).toBe('草稿（周六）');
    expect((await client.getNotice(d.notice.id)).status).toBe('published');
    expect((await client.listNotices({ status: 'published' })).map((n) => n.id)).toContain(d.notice.id);
    const audit = await client.noticeAudit({ noticeId: d.notice.id });
    expect(audit.map((e) => e.action)).toEqual(['approve', 'submit', 'edit', 'reject', 'submit', 'create']);
    expect((await client.noticePlays(d.notice.id)).devices).toEqual([]);
    expect((await client.withdrawNotice(d.notice.id)).notice.status).toBe('withdrawn');
    expect(await client.listDevices({ nodeId: community.id })).toEqual([]);
  });

  it('returns server errors as LinliError with the code', async () => {
    await expect(AdminClient.login(url, 'admin', 'wrong')).rejects.toMatchObject({
      code: ErrorCode.LOGIN_FAILED,
      details: { status: 401 },
    });
    const client = await AdminClient.login(url, 'admin', password);
    const [city] = await client.listNodes();
    const err = await client
      .createToken({ nodeId: city!.id, role: 'kiosk', maxUses: 0 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LinliError);
    expect(err).toMatchObject({ code: ErrorCode.BAD_REQUEST, details: { field: 'body/maxUses' } });
    await expect(new AdminClient({ baseUrl: url }).listNodes()).rejects.toMatchObject({
      code: ErrorCode.UNAUTHORIZED,
    });
  });

  it('says when the control plane cannot be reached', async () => {
    const client = new AdminClient({ baseUrl: 'http://127.0.0.1:1', token: 'las1.x', timeoutMs: 2000 });
    await expect(client.listDevices()).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
  });
});
