import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ScreenState } from '../../notice-render/lobby/screen-state.js';
import { ErrorCode } from '../../protocol/errors.js';
import { captureLogger } from './testing/capture-logger.js';
import { ControlPlaneDouble } from './testing/control-plane-double.js';
import { startRuntime } from './testing/start-runtime.js';

const cp = new ControlPlaneDouble();
beforeAll(async () => {
  await cp.start();
});
afterAll(async () => {
  await cp.stop();
});

async function until<T>(fn: () => Promise<T | undefined>, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Shown = ScreenState & { online: boolean };
const stateOf = async (url: string) => (await (await fetch(`${url}/screen/state.json`)).json()) as Shown;

describe('lobby role over HTTP', () => {
  it('serves verified notices on /screen, pushes changes over /screen/ws, and never shows a tampered one', async () => {
    cp.notices = [];
    cp.publishNotice('社区志愿者活动日');
    const { log, records } = captureLogger();
    const { runtime, url } = await startRuntime(cp, 'lobby', {}, log);
    try {
      const health = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ ok: true, role: 'lobby' });

      await until(async () => ((await stateOf(url)).notices.length === 1 ? true : undefined));
      const page = await (await fetch(`${url}/screen`)).text();
      expect(page).toContain('社区志愿者活动日');
      expect(page).toContain('<html lang="zh-CN">');
      expect((await fetch(`${url}/screen/player.js`)).headers.get('content-type')).toContain('javascript');

      const ws = new WebSocket(`${url.replace('http', 'ws')}/screen/ws`);
      const messages: { type: string; state?: { notices: { title: { zh: string } }[] } }[] = [];
      ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
      await once(ws, 'open');
      await until(async () => (messages.some((m) => m.type === 'state') ? true : undefined));

      // A manifest altered in flight is refused by its signed hash; what was shown stays.
      cp.publishTampered('假通知：请扫码缴纳管理费');
      await until(async () =>
        records().some((r) => r.code === ErrorCode.TARGET_MISMATCH) ? true : undefined,
      );
      expect((await stateOf(url)).notices.map((n) => n.title.zh)).toEqual(['社区志愿者活动日']);
      cp.publishNotice('明日停水通知', { priority: 'important' });
      const pushed = await until(async () =>
        messages.find((m) => m.state?.notices.some((n) => n.title.zh === '明日停水通知')),
      );
      expect(pushed.state!.notices.map((n) => n.title.zh)).toEqual(['明日停水通知', '社区志愿者活动日']);
      ws.close();

      const state = await stateOf(url);
      expect(JSON.stringify(state)).not.toContain('假通知');
      expect(await (await fetch(`${url}/screen`)).text()).not.toContain('假通知');
      expect(state.online).toBe(true);
    } finally {
      await runtime.stop();
      await runtime.stop();
    }
  });

  it('keeps showing the last verified notices after a restart with the control plane unreachable', async () => {
    cp.notices = [];
    cp.publishNotice('电梯检修通知');
    const first = await startRuntime(cp, 'lobby');
    await until(async () => ((await stateOf(first.url)).notices.length === 1 ? true : undefined));
    await first.runtime.stop();

    const offline = first.make({ serverUrl: 'http://127.0.0.1:9' });
    const info = await offline.start();
    try {
      const state = await stateOf(info.url);
      expect(state.notices.map((n) => n.title.zh)).toEqual(['电梯检修通知']);
      expect(state.online).toBe(false);
      expect(await (await fetch(`${info.url}/screen`)).text()).toContain('电梯检修通知');
    } finally {
      await offline.stop();
    }
  });

  it('answers unknown paths with a coded 404', async () => {
    const { runtime, url } = await startRuntime(cp, 'lobby');
    try {
      const res = await fetch(`${url}/nope`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.NOT_FOUND);
    } finally {
      await runtime.stop();
    }
  });
});
