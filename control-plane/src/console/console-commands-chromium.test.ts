import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { signCanonical, verifyEnvelope } from '../../../protocol/envelope.js';
import { OPS_FOR_ROLE } from '../../../protocol/schemas/commands.js';
import type { Command, CommandResult } from '../../../protocol/schemas/fleet.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';
import { type ChannelClient, openChannel } from '../testing/channel-client.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { TestDevice } from '../testing/test-device.js';

const shots = join(process.cwd(), 'test-artifacts', 'console');
let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let lobby: TestDevice;
let led: TestDevice;
let channel: ChannelClient;

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });

async function noAxeViolations(p: Page): Promise<void> {
  const r = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  expect(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
    [],
  );
}

/** Renders the section for one device into #view, as the device page does (view-devices.js). */
async function showSection(deviceId: string, role?: 'staff') {
  await page.evaluate(
    async ({ deviceId, role }) => {
      const importer = new Function('p', 'return import(p)') as (p: string) => Promise<unknown>;
      const { DEVICE_SECTIONS } = (await importer('/console/assets/device-sections.js')) as {
        DEVICE_SECTIONS: { id: string; title: string; render: (...a: unknown[]) => Promise<unknown> }[];
      };
      const api = (await importer('/console/assets/api.js')) as unknown as {
        session(): { admin: { role: string } };
        get(p: string): Promise<{ devices: { id: string }[] }>;
      };
      const main = (await importer('/console/assets/main.js')) as unknown as Record<string, unknown>;
      const section = DEVICE_SECTIONS.find((s) => s.id === 'commands')!;
      const { devices } = await api.get('/api/v1/admin/devices');
      const device = devices.find((d) => d.id === deviceId);
      const s = api.session();
      const session = role ? { ...s, admin: { ...s.admin, role } } : s;
      const doc = (
        globalThis as unknown as {
          document: {
            getElementById(id: string): { replaceChildren(...n: unknown[]): void };
            createElement(t: string): { id: string; append(...n: unknown[]): void; textContent: string };
          };
        }
      ).document;
      const wrap = doc.createElement('section');
      const head = doc.createElement('h2');
      head.textContent = section.title;
      const body = doc.createElement('div');
      body.id = 'commands-section';
      wrap.append(head, body);
      doc.getElementById('view').replaceChildren(wrap);
      await section.render(body, device, {
        session,
        flash: main.flash,
        flashError: main.flashError,
        timeZone: 'Asia/Shanghai',
      });
    },
    { deviceId, role },
  );
}

function answer(dev: TestDevice, cmd: Command, over: Partial<CommandResult> = {}) {
  const payload: CommandResult = {
    type: 'linli.command-result/v1',
    commandId: cmd.id,
    deviceId: dev.id,
    seq: cmd.seq,
    status: 'done',
    at: new Date().toISOString(),
    ...over,
  };
  return dev.call(h.app, {
    method: 'POST',
    url: API.deviceCommandResult,
    payload: { payload, sig: signCanonical(payload, dev.privateKey) },
  });
}

const nextCommand = async () =>
  verifyEnvelope<Command>((await channel.next('command')).envelope, h.app.keys.keyring, {
    type: 'linli.command/v1',
  });

it('offers the same ops per role as the protocol', async () => {
  // Plain browser JS without type declarations: imported by a computed path.
  const ui = './ui/device-section-commands.js';
  const { OPS_FOR_ROLE: consoleOps } = (await import(ui)) as { OPS_FOR_ROLE: unknown };
  expect(consoleOps).toEqual(OPS_FOR_ROLE);
});

describe.skipIf(missing('chromium', hasChromium()))(
  'device page: remote commands in Chromium',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      mkdirSync(shots, { recursive: true });
      h = await createHarness();
      const { community } = await h.community('commands-ui');
      lobby = new TestDevice();
      await lobby.enroll(h.app, (await h.token(community.id, 'lobby')).token, 'lobby');
      led = new TestDevice();
      await led.enroll(h.app, (await h.token(community.id, 'led')).token, 'led');
      base = await h.app.listen({ port: 0, host: '127.0.0.1' });
      channel = await openChannel(
        `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}${API.deviceChannel}`,
        lobby,
      );
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
      page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
      await page.goto(`${base}/console`);
      await page.fill('#username', 'admin');
      await page.fill('#password', h.password);
      await page.click('#login-form button[type=submit]');
      await page.locator('h1', { hasText: '概览' }).waitFor();
    });
    afterAll(async () => {
      await channel?.close();
      await browser?.close();
      await h?.close();
    });

    it('sends to an online lobby screen, confirms a reboot, and shows each answer as it comes', async () => {
      await showSection(lobby.id);
      const ops = page.locator('#commands-section form.command-op');
      expect(await ops.evaluateAll((forms) => forms.map((f) => f.getAttribute('data-op')))).toEqual(
        OPS_FOR_ROLE.lobby,
      );
      await poll(() => page.locator('#commands-section').textContent()).toContain('还没有命令');

      await page.fill('#commands-section [name="identify-seconds"]', '20');
      await page.click('#commands-section form[data-op="identify"] button');
      const identify = await nextCommand();
      expect(identify).toMatchObject({ op: 'identify', args: { seconds: 20 } });
      await poll(() => page.locator('#commands-section tbody tr').first().textContent()).toContain(
        '已发送 Sent',
      );
      await answer(lobby, identify);
      // The list looks again while a command is open.
      await poll(() => page.locator('#commands-section tbody tr').first().textContent()).toContain(
        '完成 Done',
      );

      // Reboot asks first; dismissed, nothing is sent.
      page.once('dialog', (d) => void d.dismiss());
      await page.click('#commands-section form[data-op="reboot"] button');
      await page.waitForTimeout(300);
      expect(await h.repo.commands.listForDevice(lobby.id, 10)).toHaveLength(1);
      page.once('dialog', (d) => void d.accept());
      await page.click('#commands-section form[data-op="reboot"] button');
      const reboot = await nextCommand();
      expect(reboot.op).toBe('reboot');
      await answer(lobby, reboot, {
        status: 'failed',
        code: 'LINLI_ERR_COMMAND_FAILED',
        message: 'stop timed out',
      });
      const row = page.locator('#commands-section tbody tr').first();
      await poll(() => row.textContent()).toContain('失败 Failed');
      expect(await row.textContent()).toContain('LINLI_ERR_COMMAND_FAILED');
      await noAxeViolations(page);
      await page.screenshot({ path: join(shots, 'device-commands-lobby.png'), fullPage: true });
    });

    it('queues for an offline LED sign, shows it expired after its ttl, and shows staff the list only', async () => {
      await showSection(led.id);
      const ops = page.locator('#commands-section form.command-op');
      expect(await ops.evaluateAll((forms) => forms.map((f) => f.getAttribute('data-op')))).toEqual(
        OPS_FOR_ROLE.led,
      );
      await page.fill('#commands-section [name="set-brightness-level"]', '3');
      await page.fill('#commands-section [name="set-brightness-minutes"]', '30');
      await page.click('#commands-section form[data-op="set-brightness"] button');
      await poll(() => page.locator('#flash').textContent()).toContain('Device offline');
      await poll(() => page.locator('#commands-section tbody tr').first().textContent()).toContain(
        '待发送 Pending',
      );
      const [queued] = await h.repo.commands.listForDevice(led.id, 1);
      expect(queued).toMatchObject({
        op: 'set-brightness',
        args: { level: 3, forSec: 1800 },
        state: 'pending',
      });
      await noAxeViolations(page);
      await page.screenshot({ path: join(shots, 'device-commands-led-pending.png'), fullPage: true });

      h.clock.advance(11 * 60_000);
      await showSection(led.id, 'staff');
      await poll(() => page.locator('#commands-section tbody tr').first().textContent()).toContain(
        '已过期 Expired',
      );
      expect(await page.locator('#commands-section form.command-op').count()).toBe(0);
      expect(await page.locator('#commands-section').textContent()).toContain(
        'Only admins can send commands',
      );
      await noAxeViolations(page);
      await page.screenshot({ path: join(shots, 'device-commands-led-expired-staff.png'), fullPage: true });
    });
  },
);
