import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import {
  type DeviceSettings,
  defaultSettings,
  SETTINGS,
  type SettingKey,
  settingsForRole,
} from '../../../protocol/schemas/device-settings.js';
import { applySteps, type PlanContext, planConfig, waitReason } from './plan-config.js';

const FREE: PlanContext = { role: 'kiosk', paymentOpen: false, bookingOpen: false, printing: false };
const d = defaultSettings();

describe('planConfig: the pure planner', () => {
  it('an unchanged target plans nothing', () => {
    const plan = planConfig(d, { 'idle.resetSec': 90, 'audio.volume': 70 }, FREE);
    expect(plan).toEqual({ kind: 'steps', now: [], waiting: [], ignored: [] });
  });

  it('changed settings become steps in the catalogue order, with the value they move from', () => {
    const plan = planConfig(d, { 'log.level': 'debug', 'idle.resetSec': 45 }, FREE);
    expect(plan).toEqual({
      kind: 'steps',
      now: [
        { key: 'idle.resetSec', value: 45, from: 90 },
        { key: 'log.level', value: 'debug', from: 'info' },
      ],
      waiting: [],
      ignored: [],
    });
  });

  it('between-sessions settings wait while a payment is open; live ones apply at once', () => {
    const plan = planConfig(
      d,
      { 'idle.resetSec': 45, 'audio.volume': 20, 'ui.defaultLanguage': 'en' },
      { ...FREE, paymentOpen: true },
    );
    if (plan.kind !== 'steps') throw new Error('refused');
    expect(plan.now.map((s) => s.key)).toEqual(['audio.volume']);
    expect(plan.waiting).toEqual([
      { key: 'idle.resetSec', value: 45, from: 90, waitingFor: 'payment' },
      { key: 'ui.defaultLanguage', value: 'en', from: 'zh', waitingFor: 'payment' },
    ]);
  });

  it('names what it waits for: payment before booking before print', () => {
    const wait = (c: Partial<PlanContext>) => {
      const plan = planConfig(d, { 'voice.enabled': false }, { ...FREE, ...c });
      return plan.kind === 'steps' ? plan.waiting.map((w) => w.waitingFor) : 'refused';
    };
    expect(wait({ bookingOpen: true })).toEqual(['booking']);
    expect(wait({ printing: true })).toEqual(['print']);
    expect(wait({ bookingOpen: true, printing: true })).toEqual(['booking']);
    expect(wait({ paymentOpen: true, bookingOpen: true, printing: true })).toEqual(['payment']);
    expect(wait({})).toEqual([]);
    expect(waitReason({ paymentOpen: false, bookingOpen: false, printing: false })).toBeUndefined();
  });

  it('refuses the whole target when one value fails its schema, naming the key', () => {
    const plan = planConfig(d, { 'audio.volume': 20, 'idle.resetSec': 5 }, FREE);
    expect(plan.kind).toBe('refused');
    if (plan.kind !== 'refused') return;
    expect(plan.failures).toHaveLength(1);
    expect(plan.failures[0]).toMatchObject({ key: 'idle.resetSec', code: ErrorCode.CONFIG_VALUE_INVALID });
    expect(plan.failures[0]!.message).toContain('idle.resetSec');
  });

  it('refuses unknown settings, every failing key, and settings that are not an object', () => {
    const plan = planConfig(
      d,
      { 'idle.reset': 60, 'led.brightness': [{ from: '25:00', level: 3 }], 'log.level': 'loud' },
      FREE,
    );
    expect(plan.kind === 'refused' && plan.failures.map((f) => f.key)).toEqual([
      'idle.reset',
      'led.brightness',
      'log.level',
    ]);
    for (const bad of [null, [], 'x', 3]) {
      const p = planConfig(d, bad, FREE);
      expect(p.kind === 'refused' && p.failures[0]).toMatchObject({
        key: 'settings',
        code: ErrorCode.CONFIG_VALUE_INVALID,
      });
    }
  });

  it('ignores valid settings of another role, and leaves settings the target omits as they are', () => {
    const bands = [{ from: '00:00', level: 5 }];
    const plan = planConfig(d, { 'led.brightness': bands, 'audio.volume': 10 }, FREE);
    expect(plan).toEqual({
      kind: 'steps',
      now: [{ key: 'audio.volume', value: 10, from: 70 }],
      waiting: [],
      ignored: ['led.brightness'],
    });
    const led = planConfig(d, { 'led.brightness': bands }, { ...FREE, role: 'led', paymentOpen: true });
    expect(led.kind === 'steps' && led.now).toEqual([
      { key: 'led.brightness', value: bands, from: d['led.brightness'] },
    ]);
  });

  it('compares structured values deeply (an equal schedule is no step)', () => {
    const same = structuredClone(d['led.brightness']);
    expect(planConfig(d, { 'led.brightness': same }, { ...FREE, role: 'led' })).toMatchObject({ now: [] });
  });
});

// ---------------------------------------------------------------- properties

/** Arbitrary valid values per setting (from its schema's bounds). */
const VALUE: { [K in SettingKey]: fc.Arbitrary<unknown> } = {
  'idle.resetSec': fc.integer({ min: 30, max: 3600 }),
  'audio.volume': fc.integer({ min: 0, max: 100 }),
  'voice.enabled': fc.boolean(),
  'ui.defaultLanguage': fc.constantFrom('zh', 'en'),
  'screen.orientation': fc.constantFrom('landscape', 'portrait', 'landscape-flipped', 'portrait-flipped'),
  'led.brightness': fc.array(
    fc.record({
      from: fc
        .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
      level: fc.integer({ min: 1, max: 16 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  'receipt.headerLines': fc.array(fc.string({ minLength: 1, maxLength: 32 }), { maxLength: 4 }),
  'receipt.footerLines': fc.array(fc.string({ minLength: 1, maxLength: 32 }), { maxLength: 4 }),
  'printer.profile': fc.constantFrom('epson-tm-t88', 'cn-80mm'),
  'content.pollIntervalSec': fc.integer({ min: 10, max: 86_400 }),
  'content.pollIntervalOnlineSec': fc.integer({ min: 10, max: 86_400 }),
  'health.reportIntervalSec': fc.integer({ min: 10, max: 3600 }),
  'log.level': fc.constantFrom('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  'payment.methods': fc.subarray(['terminal', 'qr']),
};

const settingsArb: fc.Arbitrary<DeviceSettings> = fc.record(VALUE) as fc.Arbitrary<DeviceSettings>;
const roleArb = fc.constantFrom<DeviceRole>('kiosk', 'lobby', 'led');
const targetFor = (role: DeviceRole) =>
  fc.record(Object.fromEntries(settingsForRole(role).map((k) => [k, VALUE[k]])), { requiredKeys: [] });
const busyArb = fc.record({ paymentOpen: fc.boolean(), bookingOpen: fc.boolean(), printing: fc.boolean() });

describe('planConfig: properties', () => {
  it('when nothing waits, applying the steps to current yields the target', () => {
    fc.assert(
      fc.property(
        roleArb.chain((role) => fc.tuple(fc.constant(role), settingsArb, targetFor(role), busyArb)),
        ([role, current, target, busy]) => {
          const plan = planConfig(current, target, { role, ...busy });
          if (plan.kind !== 'steps') return false;
          const after = applySteps(current, plan.now);
          if (plan.waiting.length > 0) return true;
          for (const [k, v] of Object.entries(target)) expect(after[k as SettingKey]).toEqual(v);
          // Nothing outside the target moved.
          for (const k of Object.keys(current) as SettingKey[]) {
            if (!Object.hasOwn(target, k)) expect(after[k]).toEqual(current[k]);
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with the kiosk free nothing waits; once busy, only between-sessions settings wait', () => {
    fc.assert(
      fc.property(settingsArb, targetFor('kiosk'), busyArb, (current, target, busy) => {
        const free = planConfig(current, target, {
          role: 'kiosk',
          paymentOpen: false,
          bookingOpen: false,
          printing: false,
        });
        expect(free.kind === 'steps' && free.waiting).toEqual([]);
        const plan = planConfig(current, target, { role: 'kiosk', ...busy });
        if (plan.kind !== 'steps' || free.kind !== 'steps') return false;
        for (const w of plan.waiting) expect(SETTINGS[w.key].apply).toBe('between-sessions');
        for (const s of plan.now) {
          if (busy.paymentOpen || busy.bookingOpen || busy.printing)
            expect(SETTINGS[s.key].apply).toBe('live');
        }
        // Waiting + now is exactly the free plan.
        expect([...plan.now, ...plan.waiting].map((s) => s.key).sort()).toEqual(
          free.now.map((s) => s.key).sort(),
        );
        // A second plan from the result has nothing left to do (idempotent).
        const again = planConfig(applySteps(current, free.now), target, { role: 'kiosk', ...busy });
        expect(again).toMatchObject({ now: [], waiting: [] });
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('one invalid value anywhere refuses the whole target', () => {
    fc.assert(
      fc.property(
        targetFor('kiosk'),
        fc.constantFrom<[SettingKey, unknown]>(
          ['idle.resetSec', 10],
          ['audio.volume', 101],
          ['voice.enabled', 'yes'],
          ['ui.defaultLanguage', 'fr'],
          ['receipt.headerLines', ['x'.repeat(33)]],
          ['payment.methods', ['terminal', 'terminal']],
        ),
        (target, [key, bad]) => {
          const plan = planConfig(defaultSettings(), { ...target, [key]: bad }, FREE);
          expect(plan.kind).toBe('refused');
          return plan.kind === 'refused' && plan.failures.some((f) => f.key === key);
        },
      ),
      { numRuns: 200 },
    );
  });
});
