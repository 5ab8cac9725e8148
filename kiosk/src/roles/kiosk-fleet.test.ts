import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { defaultSettings } from '../../../protocol/schemas/device-settings.js';
import { LiveSettings } from '../settings/live-settings.js';
import { PrinterDouble } from '../testing/peripheral-doubles.js';
import { KioskFleet } from './kiosk-fleet.js';

const setup = () => {
  const settings = new LiveSettings(defaultSettings());
  const printer = new PrinterDouble();
  Object.assign(printer, { profile: { id: 'cn-80mm' } });
  return { settings, printer, fleet: new KioskFleet({ settings, printer }) };
};

describe('the kiosk side of remote configuration', () => {
  it('receipt lines take effect for the next print; a printer profile change needs a restart', async () => {
    const { settings, fleet } = setup();
    expect(fleet.receiptLines()).toEqual({ header: [], footer: [] });
    await settings.apply('receipt.headerLines', ['幸福里社区欢迎您']);
    await settings.apply('receipt.footerLines', ['谢谢', '再见']);
    expect(fleet.receiptLines()).toEqual({ header: ['幸福里社区欢迎您'], footer: ['谢谢', '再见'] });
    await expect(settings.apply('printer.profile', 'epson-tm-t88')).rejects.toMatchObject({
      code: ErrorCode.CONFIG_RESTART_REQUIRED,
    });
    expect(settings.get('printer.profile')).toBe('cn-80mm');
    fleet.close();
  });

  it('is busy while the printer prints and while a booking is open; clear when both end', () => {
    const { printer, fleet } = setup();
    const events: string[] = [];
    fleet.busy.on('clear', () => events.push('clear'));
    printer.state = 'busy';
    printer.emit('status', { state: 'busy', power: 'online', flags: {}, at: Date.now() });
    expect(fleet.busy.state()).toMatchObject({ printing: true, bookingOpen: false });
    fleet.booking(true);
    printer.state = 'idle';
    printer.emit('status', { state: 'idle', power: 'online', flags: {}, at: Date.now() });
    expect(fleet.busy.state()).toMatchObject({ printing: false, bookingOpen: true });
    expect(events).toEqual([]);
    fleet.booking(false);
    expect(events).toEqual(['clear']);
    fleet.close();
  });
});
