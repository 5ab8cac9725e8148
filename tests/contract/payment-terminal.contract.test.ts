import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as acquirer from '../../control-plane/src/sim/gateway/sim-acquirer-seal.js';
import type { PaymentTerminal } from '../../device-drivers/contracts/payment-terminal.js';
import { createPaymentTerminal, getSimulator, startDevice } from '../../device-drivers/index.js';
import * as terminalHost from '../../device-drivers/payment-terminal/sim/sim-acquirer-host.js';
import { TerminalSimulator } from '../../device-drivers/payment-terminal/sim/terminal-simulator.js';
import { hasSocat, missing } from '../helpers/requirements.js';
import { type Backend, hardwarePort, type Rig, simBehindPty } from './harness.js';

async function rig(backend: Backend): Promise<Rig<PaymentTerminal, TerminalSimulator>> {
  if (backend === 'sim') {
    const device = await createPaymentTerminal({ transport: { kind: 'sim' }, paymentTimeoutMs: 1500 });
    return { device, sim: getSimulator(device)?.terminal, teardown: () => device.close() };
  }
  if (backend === 'pty') {
    const p = await simBehindPty(new TerminalSimulator({ processingMs: 50 }), 115200);
    const device = await createPaymentTerminal({
      transport: { kind: 'serial', path: p.hostPath },
      paymentTimeoutMs: 1500,
    });
    return {
      device,
      sim: p.sim,
      teardown: async () => {
        await device.close();
        await p.close();
      },
    };
  }
  const device = await createPaymentTerminal({
    transport: { kind: 'serial', path: process.env.LINLI_HW_TERMINAL! },
  });
  return { device, sim: undefined, teardown: () => device.close() };
}

function paymentTerminalContract(backend: Backend): void {
  describe(`PaymentTerminal contract (${backend})`, () => {
    let r: Rig<PaymentTerminal, TerminalSimulator>;
    beforeEach(async () => {
      r = await rig(backend);
      await startDevice(r.device);
    });
    afterEach(async () => {
      await r.teardown();
    });

    it('approves a payment with auth code, masked card and token, after prompts', async () => {
      const prompts: string[] = [];
      r.device.on('prompt', (p) => prompts.push(p.message));
      const res = await r.device.pay({ amountFen: 12850, currency: 'CNY', reference: 'pay-1' });
      expect(res).toMatchObject({ outcome: 'approved', reference: 'pay-1', amountFen: 12850 });
      expect(res.authCode).toMatch(/^\d{6}$/);
      expect(res.maskedCard).toMatch(/^\d{6}\*+\d{4}$/);
      expect(res.cardToken).toBeTruthy();
      expect(prompts.length).toBeGreaterThan(0);
      expect(r.device.state).toBe('idle');
    });

    it('forwards the sale system’s acquirer data and returns the acquirer’s reference of the authorization', async () => {
      const saleToAcquirerData = 'req_Qm9vdHN0cmFwIHRhZw';
      const res = await r.device.pay({
        amountFen: 4560,
        currency: 'CNY',
        reference: 'pay-7',
        saleToAcquirerData,
      });
      expect(res).toMatchObject({ outcome: 'approved', reference: 'pay-7', amountFen: 4560 });
      expect(res.acquirerTransactionId).toBeTruthy();
      if (!r.sim) return; // a real terminal's reference is looked up at its real acquirer
      expect(r.sim.received.at(-1)).toMatchObject({
        PaymentRequest: {
          SaleTransactionID: 'pay-7',
          RequestedAmount: 4560,
          Currency: 'CNY',
          SaleToAcquirerData: saleToAcquirerData,
        },
      });
      // The control plane's simulated acquirer finds exactly this authorization under the reference.
      expect(acquirer.openSimAuthorization(res.acquirerTransactionId!)).toMatchObject({
        saleTransactionId: 'pay-7',
        amountFen: 4560,
        currency: 'CNY',
        saleToAcquirerData,
        approvalCode: res.authCode,
        poiTransactionId: res.terminalTxnId,
      });
      // The status query after a lost answer repeats the same reference.
      expect(await r.device.queryStatus('pay-7')).toMatchObject({
        acquirerTransactionId: res.acquirerTransactionId,
      });
    });

    it('rejects acquirer data that is not printable ASCII before anything is sent', async () => {
      const sent = r.sim?.received.length;
      await expect(
        r.device.pay({ amountFen: 100, currency: 'CNY', reference: 'pay-y', saleToAcquirerData: 'a b\n' }),
      ).rejects.toMatchObject({ code: 'DEVICE_INVALID_ARGUMENT' });
      expect(r.sim?.received.length).toBe(sent);
    });

    it('rejects a float amount before anything is sent', async () => {
      await expect(
        r.device.pay({ amountFen: 12.5, currency: 'CNY', reference: 'pay-x' }),
      ).rejects.toMatchObject({
        code: 'DEVICE_INVALID_ARGUMENT',
      });
    });

    it.skipIf(backend === 'hardware')('reports a decline as declined with a reason', async () => {
      r.sim!.behaviour = 'decline';
      const res = await r.device.pay({ amountFen: 100, currency: 'CNY', reference: 'pay-2' });
      expect(res.outcome).toBe('declined');
      expect(res.declineReason).toBeTruthy();
    });

    it.skipIf(backend === 'hardware')(
      'turns a terminal timeout into unknown, and the status query says still in progress',
      async () => {
        r.sim!.behaviour = 'timeout';
        const res = await r.device.pay({
          amountFen: 100,
          currency: 'CNY',
          reference: 'pay-3',
          timeoutMs: 300,
        });
        expect(res.outcome).toBe('unknown');
        expect((await r.device.queryStatus('pay-3')).outcome).toBe('unknown');
      },
    );

    it.skipIf(backend === 'hardware')(
      'resolves a lost response through the status query, never by guessing',
      async () => {
        r.sim!.behaviour = 'lost-response';
        const res = await r.device.pay({
          amountFen: 300,
          currency: 'CNY',
          reference: 'pay-4',
          timeoutMs: 500,
        });
        expect(res.outcome).toBe('unknown');
        const st = await r.device.queryStatus('pay-4');
        expect(st).toMatchObject({ outcome: 'approved', amountFen: 300 });
        expect((await r.device.queryStatus('never-seen')).outcome).toBe('not_found');
      },
    );

    it.skipIf(backend === 'hardware')('aborts a payment in progress', async () => {
      r.sim!.behaviour = 'timeout';
      const pending = r.device.pay({ amountFen: 100, currency: 'CNY', reference: 'pay-5', timeoutMs: 2000 });
      await new Promise((res) => setTimeout(res, 50));
      await r.device.abort('pay-5');
      expect((await pending).outcome).toBe('aborted');
    });

    it.skipIf(backend === 'hardware')('retransmits a frame the terminal NAKed', async () => {
      r.sim!.nakNext = 2;
      const res = await r.device.pay({ amountFen: 100, currency: 'CNY', reference: 'pay-6' });
      expect(res.outcome).toBe('approved');
    });
  });
}

describe('the simulated acquirer, split between terminal and control plane', () => {
  it('seals on the terminal side what the control plane opens, and nothing else', () => {
    expect(terminalHost.SIMULATED_ACQUIRER_DEMO_KEY).toBe(acquirer.SIMULATED_ACQUIRER_DEMO_KEY);
    const record = {
      SaleTransactionID: 'pay-8',
      AuthorizedAmount: 100,
      Currency: 'CNY',
      SaleToAcquirerData: 'req_x',
      TimeStamp: '2026-12-07T00:00:00.000Z',
    };
    const ref = terminalHost.issueAuthorization(record);
    expect(ref).toBe(acquirer.sealSimAuthorization(record));
    expect(acquirer.openSimAuthorization(ref)).toMatchObject({ saleTransactionId: 'pay-8', amountFen: 100 });
    // Another key, or one changed character, is no authorization of this acquirer.
    expect(
      acquirer.openSimAuthorization(terminalHost.issueAuthorization(record, 'other-key')),
    ).toBeUndefined();
    const [body, mac] = [ref.slice(0, ref.lastIndexOf('.')), ref.slice(ref.lastIndexOf('.') + 1)];
    const forged = acquirer.sealSimAuthorization({ ...record, AuthorizedAmount: 1 }).split('.');
    expect(acquirer.openSimAuthorization(`${forged[0]}.${forged[1]}.${mac}`)).toBeUndefined();
    expect(acquirer.openSimAuthorization(`${body}.${mac.slice(1)}A`)).toBeUndefined();
  });
});

paymentTerminalContract('sim');
describe.skipIf(missing('socat', hasSocat()))('over a real pty pair', () => paymentTerminalContract('pty'));
describe.skipIf(!hardwarePort('terminal'))('on real hardware', () => paymentTerminalContract('hardware'));
