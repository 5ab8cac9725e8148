import { describe, expect, it } from 'vitest';
import { ReceiptPrinterConfig } from './schema.js';
import { validateConfig } from './validate.js';

describe('config validation', () => {
  it('applies defaults', () => {
    const c = validateConfig<{ profile: string; statusTimeoutMs: number; transport: { port: number } }>(
      'receipt printer',
      ReceiptPrinterConfig,
      { transport: { kind: 'tcp', host: '127.0.0.1' } },
    );
    expect(c.profile).toBe('cn-80mm');
    expect(c.statusTimeoutMs).toBe(1000);
    expect(c.transport.port).toBe(9100);
  });

  it.each([
    [{ transport: { kind: 'tcp', host: 'h', port: 70000 } }, 'transport.port', '70000'],
    [{ transport: { kind: 'serial' } }, 'transport.path', 'nothing'],
    [{ transport: { kind: 'carrier-pigeon' } }, 'transport.kind', '"carrier-pigeon"'],
    [{ transport: { kind: 'sim' }, statusTimeoutMs: 'soon' }, 'statusTimeoutMs', '"soon"'],
    [{ transport: { kind: 'sim' }, sim: { faults: ['meteor'] } }, 'sim.faults.0', '"meteor"'],
    [{}, 'transport', 'nothing'],
  ])('names the parameter, the expectation and the value: %j', (input, param, actual) => {
    try {
      validateConfig('receipt printer', ReceiptPrinterConfig, input);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'DEVICE_INVALID_ARGUMENT', details: { param } });
      expect((e as Error).message).toContain(`for ${param} but received ${actual}`);
    }
  });
});
