import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { defaultSettings } from '../../../protocol/schemas/device-settings.js';
import { ConfigReport } from '../../../protocol/schemas/fleet.js';
import { isValid } from '../../../protocol/validate.js';
import { silentLogger } from '../logger.js';
import { LiveSettings } from '../settings/live-settings.js';
import { BusySignal } from './busy-signal.js';
import { buildReport, executeSteps } from './config-executor.js';
import { ConfigOutbox } from './config-outbox.js';
import { openConfigState } from './config-state.js';
import { planConfig } from './plan-config.js';

const FREE = { role: 'kiosk' as const, paymentOpen: false, bookingOpen: false, printing: false };

describe('executeSteps: applying the plan through LiveSettings', () => {
  it('runs the appliers; a failing one keeps its old value and is reported with its code, the rest apply', async () => {
    const settings = new LiveSettings(defaultSettings());
    const seen: unknown[] = [];
    settings.onApply('audio.volume', (v) => {
      seen.push(v);
    });
    settings.onApply('printer.profile', () => {
      throw new LinliError(ErrorCode.CONFIG_RESTART_REQUIRED, 'restart the runtime to change the printer');
    });
    settings.onApply('idle.resetSec', () => {
      throw new Error('the page is gone'); // not coded: becomes CONFIG_APPLY_FAILED
    });
    const target = {
      'audio.volume': 25,
      'printer.profile': 'epson-tm-t88',
      'idle.resetSec': 40,
      'log.level': 'warn',
    };
    const plan = planConfig(settings.applied(), target, FREE);
    if (plan.kind !== 'steps') throw new Error('refused');
    const r = await executeSteps(settings, plan.now);
    expect(seen).toEqual([25]);
    expect(r.applied).toEqual(['audio.volume', 'log.level']);
    expect(r.failed).toEqual([
      {
        key: 'idle.resetSec',
        code: ErrorCode.CONFIG_APPLY_FAILED,
        message: 'setting idle.resetSec: the page is gone',
      },
      {
        key: 'printer.profile',
        code: ErrorCode.CONFIG_RESTART_REQUIRED,
        message: 'restart the runtime to change the printer',
      },
    ]);
    expect(settings.get('audio.volume')).toBe(25);
    expect(settings.get('printer.profile')).toBe('cn-80mm');
    expect(settings.get('idle.resetSec')).toBe(90);

    const report = buildReport({
      role: 'kiosk',
      targetVersion: 3,
      etag: 'a'.repeat(16),
      target,
      waiting: [],
      failed: r.failed,
      current: settings.applied(),
      at: new Date('2026-12-08T03:00:00Z'),
    });
    expect(isValid(ConfigReport, report)).toBe(true);
    expect(report).toMatchObject({ outcome: 'partial', applied: ['audio.volume', 'log.level'] });
    expect(report.current['printer.profile']).toBe('cn-80mm');
    // A lobby screen's report carries only its own settings.
    const lobby = buildReport({
      ...report,
      role: 'lobby',
      target,
      waiting: [],
      failed: [],
      current: settings.applied(),
      at: new Date(),
    });
    expect(Object.keys(lobby.current).sort()).toEqual(
      [
        'content.pollIntervalOnlineSec',
        'content.pollIntervalSec',
        'health.reportIntervalSec',
        'log.level',
        'screen.orientation',
      ].sort(),
    );
  });

  it('outcomes: applied, waiting, refused (nothing applied, every failing key listed)', async () => {
    const base = {
      role: 'kiosk' as const,
      targetVersion: 1,
      etag: 'b'.repeat(16),
      current: defaultSettings(),
      at: new Date(),
    };
    expect(buildReport({ ...base, target: { 'audio.volume': 70 }, waiting: [], failed: [] })).toMatchObject({
      outcome: 'applied',
      applied: ['audio.volume'],
    });
    const waiting = buildReport({
      ...base,
      target: { 'idle.resetSec': 40 },
      waiting: [{ key: 'idle.resetSec', value: 40, from: 90, waitingFor: 'booking' }],
      failed: [],
    });
    expect(waiting).toMatchObject({
      outcome: 'waiting',
      applied: [],
      pending: [{ key: 'idle.resetSec', waitingFor: 'booking' }],
    });
    const refused = buildReport({
      ...base,
      waiting: [],
      failed: [{ key: 'idle.resetSec', code: ErrorCode.CONFIG_VALUE_INVALID, message: 'x'.repeat(400) }],
      refused: true,
    });
    expect(refused).toMatchObject({ outcome: 'refused', applied: [], pending: [] });
    expect(refused.failed[0]!.message.length).toBe(300);
    expect(isValid(ConfigReport, refused)).toBe(true);
  });
});

describe('BusySignal', () => {
  it('probes and holds; emits clear when the last one ends', async () => {
    const busy = new BusySignal();
    let paying = false;
    busy.source('payment', () => paying);
    const events: string[] = [];
    busy.on('change', (s) => events.push(JSON.stringify(s)));
    busy.on('clear', () => events.push('clear'));
    expect(busy.busy).toBe(false);
    paying = true;
    busy.poke();
    busy.hold('booking', 60_000);
    expect(busy.state()).toEqual({ paymentOpen: true, bookingOpen: true, printing: false });
    paying = false;
    busy.poke();
    expect(events.at(-1)).not.toBe('clear');
    busy.release('booking');
    expect(events.at(-1)).toBe('clear');
    expect(busy.busy).toBe(false);
    // A hold ends by itself (the resident walked away).
    busy.hold('booking', 20);
    await new Promise<void>((r) => busy.once('clear', () => r()));
    expect(busy.busy).toBe(false);
    busy.close();
  });
});

describe('ConfigOutbox: reports survive being offline', () => {
  it('keeps a report it could not send, sends it again, and does not send the same report twice', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'linli-outbox-')), 'fleet', 'config.json');
    const state = await openConfigState(file, silentLogger);
    const sent: ConfigReport[] = [];
    let online = false;
    const outbox = new ConfigOutbox({
      state,
      log: silentLogger,
      retryBaseMs: 10,
      send: async (r) => {
        if (!online) throw new LinliError(ErrorCode.UNAVAILABLE, 'offline', { network: true });
        sent.push(r);
      },
    });
    const report = buildReport({
      role: 'kiosk',
      targetVersion: 2,
      etag: 'c'.repeat(16),
      target: { 'audio.volume': 70 },
      waiting: [],
      failed: [],
      current: defaultSettings(),
      at: new Date(),
    });
    await outbox.put(report);
    expect(sent).toHaveLength(0);
    // Persisted: a restart still has it.
    expect((await openConfigState(file, silentLogger)).data.outbox).toEqual(report);
    online = true;
    await expect.poll(() => sent.length, { timeout: 5_000 }).toBe(1);
    expect(state.data.outbox).toBeUndefined();
    await outbox.put({ ...report, at: new Date(Date.now() + 1000).toISOString() });
    expect(sent).toHaveLength(1);
    await outbox.put({ ...report, outcome: 'partial' });
    expect(sent).toHaveLength(2);
    outbox.close();
  });
});
