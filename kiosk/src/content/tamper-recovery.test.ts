/**
 * After a tamper STOPS, the device recovers within one poll: nothing unverified that came off the wire during
 * the attack (a timestamp and its ETag, a manifest, part of an image) may be kept and re-checked. The tamper is
 * a fetch wrapper in front of the device, as a proxy would be: it changes bodies and keeps the real headers,
 * the genuine ETag included.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { contentDevice } from '../testing/content-harness.js';
import { ControlPlaneDouble } from '../testing/control-plane-double.js';

const cp = new ControlPlaneDouble();
let dev: Awaited<ReturnType<typeof contentDevice>>;

/** One rule at a time: which responses to change, how, and how many more times. */
let rule: { match: (path: string) => boolean; change: (res: Response) => Promise<Response>; times: number };
const timestampRequests: { ifNoneMatch: string | null; status: number }[] = [];

const proxy: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const path = new URL(String(input)).pathname;
  if (path.endsWith('/timestamp.json')) {
    const h = new Headers(init?.headers);
    timestampRequests.push({ ifNoneMatch: h.get('if-none-match'), status: res.status });
  }
  if (res.status !== 200 && res.status !== 206) return res;
  if (rule.times <= 0 || !rule.match(path)) return res;
  rule.times--;
  return rule.change(res);
};

const withBody = (res: Response, body: ConstructorParameters<typeof Response>[0]) =>
  new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });

const flipSignature = async (res: Response) => {
  const doc = JSON.parse(await res.text());
  const sig: string = doc.signatures[0].sig;
  doc.signatures[0].sig = `${sig[0] === 'a' ? 'b' : 'a'}${sig.slice(1)}`;
  return withBody(res, JSON.stringify(doc));
};

beforeAll(async () => {
  await cp.start();
});
afterAll(async () => {
  await dev?.close();
  await cp.stop();
});

beforeEach(async () => {
  await dev?.close();
  rule = { match: () => false, change: async (r) => r, times: 0 };
  cp.tuf.tamper = undefined;
  cp.notices = [];
  dev = await contentDevice(cp, 'lobby', undefined, proxy);
  cp.publishNotice('已验证的通知');
  await dev.sync.refresh();
  expect(dev.sync.lastError).toBeUndefined();
  expect(dev.titles()).toEqual(['已验证的通知']);
  timestampRequests.length = 0;
});

describe('recovery after a tamper stops (one poll)', () => {
  it('a timestamp with a bad signature and the genuine ETag: refused once, the next poll shows the notice', async () => {
    rule = { match: (p) => p.endsWith('/timestamp.json'), change: flipSignature, times: 1 };
    cp.publishNotice('下一条通知');
    await dev.sync.refresh();
    expect(rule.times).toBe(0);
    expect(dev.sync.lastError?.code).toBe(ErrorCode.TUF_SIGNATURE);
    expect(dev.titles()).toEqual(['已验证的通知']);

    // The tamper is gone. One poll later the new notice is there.
    await dev.sync.refresh();
    expect(dev.sync.lastError).toBeUndefined();
    expect(dev.titles()).toEqual(['已验证的通知', '下一条通知']);
    // The poll after the failure asked without a validator (no 304 could stand for the bad copy) ...
    expect(timestampRequests[1]).toEqual({ ifNoneMatch: null, status: 200 });
    // ... and once verified, the genuine timestamp's ETag is what idle polls send again (304).
    await dev.sync.refresh();
    expect(timestampRequests[2]?.status).toBe(304);
    expect(dev.sync.lastError).toBeUndefined();
  });

  it('a timestamp that is not JSON: refused once, the next poll shows the notice', async () => {
    rule = {
      match: (p) => p.endsWith('/timestamp.json'),
      change: async (r) => withBody(r, '{"x": ,'),
      times: 1,
    };
    cp.publishNotice('下一条通知');
    await dev.sync.refresh();
    expect(dev.sync.lastError?.code).toBe(ErrorCode.TUF_METADATA);
    await dev.sync.refresh();
    expect(dev.sync.lastError).toBeUndefined();
    expect(dev.titles()).toEqual(['已验证的通知', '下一条通知']);
  });

  it('a manifest altered in flight: refused once, the next poll shows the notice', async () => {
    rule = {
      match: (p) => p.includes('/manifest/') || /\.dev_[0-9A-Z]{26}\.json$/.test(p),
      change: async (r) => withBody(r, (await r.text()).replace('下一条', '伪造的')),
      times: 1,
    };
    cp.publishNotice('下一条通知');
    await dev.sync.refresh();
    expect(rule.times).toBe(0);
    expect(dev.sync.lastError?.code).toBe(ErrorCode.TARGET_MISMATCH);
    expect(dev.titles()).toEqual(['已验证的通知']);
    await dev.sync.refresh();
    expect(dev.sync.lastError).toBeUndefined();
    expect(dev.titles()).toEqual(['已验证的通知', '下一条通知']);
  });

  it('an image corrupted and then cut (the bad half stays in .part): the next poll makes it playable', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2a6' } })
      .png()
      .toBuffer();
    const img = cp.tuf.addMedia(png);
    rule = {
      match: (p) => p.includes('/media/') || p.endsWith('.png'),
      change: async (r) => {
        const bytes = new Uint8Array(await r.arrayBuffer());
        const half = bytes.slice(0, Math.floor(bytes.length / 2)).map((b) => b ^ 0xff);
        // The bad half is delivered, THEN the line drops (an error in start() would discard the queue).
        let sent = false;
        const body = new ReadableStream<Uint8Array>({
          pull(c) {
            if (sent) return c.error(new Error('connection reset'));
            sent = true;
            c.enqueue(half);
          },
        });
        return withBody(r, body);
      },
      times: 1,
    };
    cp.publishNotice('带图片的通知', { images: [{ ...img, width: 64, height: 48 }] });
    await dev.sync.refresh();
    expect(rule.times).toBe(0);
    const playable = () =>
      dev.sync
        .notices()
        .filter((n) => dev.sync.isComplete(n))
        .map((n) => n.title.zh);
    expect(playable()).toEqual(['已验证的通知']);
    await dev.sync.refresh();
    expect(playable()).toEqual(['已验证的通知', '带图片的通知']);
  });

  it('a forged next root: refused once, the real rotation is followed on the next poll', async () => {
    const stranger = new ControlPlaneDouble();
    stranger.tuf.rotateRoot();
    rule = {
      match: (p) => p.endsWith('/2.root.json'),
      change: async (r) => withBody(r, stranger.tuf.roots[1]!),
      times: 1,
    };
    cp.tuf.rotateRoot();
    cp.publishNotice('新根之后的通知');
    await dev.sync.refresh();
    expect(rule.times).toBe(0);
    expect(dev.sync.lastError?.code).toBe(ErrorCode.TUF_SIGNATURE);
    await dev.sync.refresh();
    expect(dev.sync.lastError).toBeUndefined();
    expect(dev.titles()).toEqual(['已验证的通知', '新根之后的通知']);
  });
});
