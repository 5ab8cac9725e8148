import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { eventually } from '../../tests/helpers/processes.js';
import { hasCommand, missing } from '../../tests/helpers/requirements.js';
import type { MatterSummary, MatterView } from './services/service-catalogue.js';
import { stateLayout } from './state/state-layout.js';
import { ControlPlaneDouble } from './testing/control-plane-double.js';
import { serviceCatalogue } from './testing/service-fixtures.js';
import { startRuntime } from './testing/start-runtime.js';

const cp = new ControlPlaneDouble();
let kiosk: Awaited<ReturnType<typeof startRuntime>>;
beforeAll(async () => {
  await cp.start();
  kiosk = await startRuntime(cp, 'kiosk', { idle: { resetSec: 120 } });
});
afterAll(async () => {
  await kiosk?.runtime.stop();
  await cp.stop();
});

const post = (path: string, body: unknown) =>
  fetch(`${kiosk.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const get = (path: string) => fetch(`${kiosk.url}${path}`);
type Err = { error: { code: string; message: string; details?: Record<string, unknown> } };
type List = { version: string; categories: { id: string }[]; matters: MatterSummary[] };

describe('service matters, settings and voice on the kiosk (issue #6)', () => {
  it('answers settings from the device config', async () => {
    const s = await (await get('/kiosk/api/settings')).json();
    expect(s).toMatchObject({
      communityName: expect.any(String),
      idle: { resetSec: 120, warningSec: 20 },
      voice: { available: hasCommand('espeak-ng'), defaultOn: true },
      attract: { afterSec: 120 },
    });
  });

  it('has no catalogue before a verified one arrives, then serves it, searches it and prints materials', async () => {
    const before = await get('/kiosk/api/services');
    expect(before.status).toBe(503);
    expect(((await before.json()) as Err).error.code).toBe(ErrorCode.SERVICES_NOT_READY);

    const catalogue = serviceCatalogue(cp.nodeId);
    cp.services = catalogue;
    cp.bump();
    const list = await eventually(async () => {
      const res = await get('/kiosk/api/services');
      return res.status === 200 ? ((await res.json()) as List) : undefined;
    });
    expect(list.categories.map((c) => c.id)).toEqual(['elderly', 'civil-affairs']);
    expect(list.matters).toHaveLength(4);
    expect(list.version).toMatch(/^[0-9a-f]{16}$/);

    const found = (await (await get(`/kiosk/api/services?q=${encodeURIComponent('lnr')}`)).json()) as List;
    expect(found.matters.map((m) => m.name.zh)).toEqual(['老年人优待证办理']);
    const zh = (await (await get(`/kiosk/api/services?q=${encodeURIComponent('优待')}`)).json()) as List;
    expect(zh.matters[0]?.initials).toBe('LNRYDZBL');

    const id = found.matters[0]!.id;
    const detail = (await (await get(`/kiosk/api/services/${id}`)).json()) as MatterView;
    expect(detail).toMatchObject({
      name: { zh: '老年人优待证办理' },
      materials: [{ name: { zh: '居民身份证' }, copies: 1, original: true }, {}, {}],
      office: { phone: '0571-8888 6666', hours: { zh: '周一至周五 9:00–17:00' } },
      bookable: true,
    });
    const unknown = await get('/kiosk/api/services/svc_01JDQ0000000000000000000AB');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Err).error.code).toBe(ErrorCode.MATTER_NOT_FOUND);
    expect((await get('/kiosk/api/services/not-an-id')).status).toBe(400);

    const printerDir = stateLayout(kiosk.stateDir).printer;
    const printed = await post(`/kiosk/api/services/${id}/print`, { lang: 'zh' });
    expect(await printed.json()).toEqual({ printed: true });
    const bin = await eventually(async () => {
      for (const f of await readdir(printerDir)) {
        if (!f.startsWith('mat-') || !f.endsWith('.bin')) continue;
        return readFile(join(printerDir, f));
      }
      return undefined;
    });
    expect(bin.includes(iconv.encode('老年人优待证办理', 'gbk'))).toBe(true);
    expect(bin.includes(iconv.encode('复印件 2 份', 'gbk'))).toBe(true);
    expect(bin.includes(iconv.encode('0571-8888 6666', 'gbk'))).toBe(true);

    // Paper out: a coded 503, the screen keeps the list.
    await post('/kiosk/api/sim/printer', { paper: 'out' });
    try {
      const out = await post(`/kiosk/api/services/${id}/print`, { lang: 'en' });
      expect(out.status).toBe(503);
      expect(((await out.json()) as Err).error.code).toBe(ErrorCode.PRINTER_UNAVAILABLE);
    } finally {
      await post('/kiosk/api/sim/printer', { paper: 'ok' });
    }
    const badLang = await post(`/kiosk/api/services/${id}/print`, { lang: 'fr' });
    expect(badLang.status).toBe(400);

    // An inconsistent catalogue (a matter in a category that does not exist) is refused: the old one stays.
    cp.services = {
      ...catalogue,
      matters: [...catalogue.matters.slice(1), { ...catalogue.matters[0]!, categoryId: 'nowhere' }],
    };
    cp.bump();
    await eventually(async () => {
      const h = (await (await get('/healthz')).json()) as { contentError: string | null };
      return h.contentError === ErrorCode.MANIFEST_INVALID;
    }, 10_000);
    const kept = (await (await get('/kiosk/api/services')).json()) as List;
    expect(kept.version).toBe(list.version);
    expect(kept.matters).toHaveLength(4);

    // Kept on disk: after a restart with the control plane out of reach, the last verified catalogue is there
    // (the refused one's targets metadata is on disk too; the copy kept with the accepted manifest proves it).
    await kiosk.runtime.stop();
    const again = kiosk.make({ serverUrl: 'http://127.0.0.1:9' });
    const url = (await again.start()).url;
    try {
      const offline = (await (await fetch(`${url}/kiosk/api/services`)).json()) as List;
      expect(offline.version).toBe(list.version);
      expect(offline.matters.map((m) => m.initials)).toEqual(list.matters.map((m) => m.initials));
    } finally {
      await again.stop();
    }
    kiosk = { ...kiosk, runtime: kiosk.make(), url: '' };
    kiosk.url = (await kiosk.runtime.start()).url;
  });

  it.skipIf(missing('espeak-ng', hasCommand('espeak-ng')))('reads text aloud through espeak-ng', async () => {
    const res = await post('/kiosk/api/speech', { text: '欢迎使用社区自助服务终端', lang: 'zh' });
    expect(res.status).toBe(200);
    const { url, engine } = (await res.json()) as { url: string; engine: string };
    expect(engine).toBe('espeak-ng');
    expect(url).toMatch(/^\/kiosk\/api\/speech\/[0-9a-f]{64}\.wav$/);
    const wav = await get(url);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    const bytes = Buffer.from(await wav.arrayBuffer());
    expect(bytes.toString('latin1', 0, 4)).toBe('RIFF');
    expect(bytes.toString('latin1', 8, 12)).toBe('WAVE');
    expect(bytes.length).toBeGreaterThan(10_000);
    const tooLong = await post('/kiosk/api/speech', { text: '长'.repeat(1001), lang: 'zh' });
    expect(((await tooLong.json()) as Err).error.code).toBe(ErrorCode.BAD_REQUEST);
    expect((await get(`/kiosk/api/speech/${'0'.repeat(64)}.wav`)).status).toBe(404);
  });
});
