import { describe, expect, it } from 'vitest';
import { Keyring, signEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import { generateSigningKey, verifyKeyOf } from '../../../protocol/keys.js';
import type { AppointmentSlip, BookRequest } from '../../../protocol/schemas/services.js';
import { silentLogger } from '../logger.js';
import { PrinterDouble } from '../testing/peripheral-doubles.js';
import { serviceCatalogue } from '../testing/service-fixtures.js';
import { AppointmentDesk, type AppointmentDeskOptions, parseCode } from './appointment-desk.js';
import { ServiceCatalogueView } from './service-catalogue.js';

const transaction = generateSigningKey('transaction');
const content = generateSigningKey('content');
const keyring = new Keyring([verifyKeyOf(transaction), verifyKeyOf(content)]);
const catalogue = serviceCatalogue();
const matter = catalogue.matters[0]!;
const office = catalogue.offices[0]!;
const deviceId = newId('dev');
const SLOT = '2026-11-30T01:00:00.000Z';
const offline = () =>
  new LinliError(ErrorCode.UNAVAILABLE, 'cannot reach the control plane', { network: true });

function slip(over: Partial<AppointmentSlip> = {}): AppointmentSlip {
  return {
    type: 'linli.appointment/v1',
    id: newId('apt'),
    number: 'A001',
    code: '12345678',
    status: 'booked',
    deviceId,
    matterId: matter.id,
    matterName: matter.name,
    officeId: office.id,
    officeName: office.name,
    officeAddress: office.address,
    officePhone: office.phone,
    slotStart: SLOT,
    slotEnd: '2026-11-30T01:30:00.000Z',
    slotLabel: '2026-11-30 09:00–09:30',
    createdAt: new Date().toISOString(),
    verifyUrl: 'http://cp.example/a/apt_x',
    ...over,
  };
}

/** A desk over a scripted control plane: each book call answers from `answers` in turn. */
function desk(
  book: (key: string, body: BookRequest) => Promise<unknown>,
  over: Partial<AppointmentDeskOptions> = {},
) {
  const printer = new PrinterDouble();
  const api: AppointmentDeskOptions['api'] = {
    appointmentDays: async () => {
      throw offline();
    },
    appointmentSlots: async () => {
      throw offline();
    },
    bookAppointment: async (key, body) => ({ envelope: await book(key, body) }),
    lookupAppointment: async (code) => ({ envelope: signEnvelope(slip({ code }), transaction) }),
    cancelAppointment: async (code) => ({
      envelope: signEnvelope(slip({ code, status: 'booked' }), transaction),
    }),
  };
  const d = new AppointmentDesk({
    api,
    trust: { keyring },
    catalogue: new ServiceCatalogueView(() => ({ catalogue, version: 'v' })),
    printer,
    deviceId,
    communityName: '幸福里社区',
    log: silentLogger,
    ...over,
  });
  return { d, printer };
}

describe('appointment desk', () => {
  it('keeps the idempotency key after a lost answer, so tapping "book" again is the same booking', async () => {
    const keys: string[] = [];
    let calls = 0;
    const { d, printer } = desk(async (key, body) => {
      keys.push(key);
      if (++calls === 1) throw offline();
      return signEnvelope(slip({ matterId: body.matterId, slotStart: body.slotStart }), transaction);
    });
    await expect(d.book(matter.id, SLOT)).rejects.toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      details: { phone: office.phone },
    });
    const r = await d.book(matter.id, SLOT);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(r).toMatchObject({ printed: true, appointment: { number: 'A001', status: 'booked' } });
    expect(printer.jobs.at(-1)?.id).toBe(`slip-${r.appointment.id}`);
    // A new booking after a successful one gets a new key.
    await d.book(matter.id, SLOT);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('tells when the booking screens are in use: open on days and slots, closed when booked or refused', async () => {
    const activity: boolean[] = [];
    let calls = 0;
    const { d } = desk(
      async (_k, b) => {
        if (++calls === 1) throw offline();
        if (calls === 3) throw new LinliError(ErrorCode.SLOT_FULL, 'full');
        return signEnvelope(slip({ slotStart: b.slotStart }), transaction);
      },
      { activity: (open) => activity.push(open) },
    );
    await expect(d.days(matter.id)).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    await expect(d.slots(matter.id, '2026-11-30')).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect(activity).toEqual([true, true]);
    // A lost answer keeps it open (the resident taps again); the booking closes it.
    await expect(d.book(matter.id, SLOT)).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect(activity).toEqual([true, true]);
    await d.book(matter.id, SLOT);
    expect(activity).toEqual([true, true, false]);
    await expect(d.book(matter.id, SLOT)).rejects.toMatchObject({ code: ErrorCode.SLOT_FULL });
    expect(activity).toEqual([true, true, false, false]);
  });

  it('refuses a slip that is forged, signed by the wrong key, or for another slot, and prints nothing', async () => {
    const forged = signEnvelope(slip(), transaction);
    (forged.payload as { number: string }).number = 'Z999';
    const wrongSlot = signEnvelope(slip({ slotStart: '2026-11-30T02:00:00.000Z' }), transaction);
    const otherKiosk = signEnvelope(slip({ deviceId: newId('dev') }), transaction);
    for (const [envelope, code] of [
      [forged, ErrorCode.SIGNATURE_INVALID],
      [wrongSlot, ErrorCode.SIGNATURE_INVALID],
      [otherKiosk, ErrorCode.SIGNATURE_INVALID],
      [{ ...signEnvelope(slip(), transaction), kid: content.kid }, ErrorCode.SIGNATURE_INVALID],
      [{ payload: slip() }, ErrorCode.SIGNATURE_INVALID],
    ] as const) {
      const { d, printer } = desk(async () => envelope);
      await expect(d.book(matter.id, SLOT)).rejects.toMatchObject({ code });
      expect(printer.jobs).toHaveLength(0);
    }
  });

  it('books even when the printer is out of paper, and says so', async () => {
    const { d, printer } = desk(async (_k, b) => signEnvelope(slip({ slotStart: b.slotStart }), transaction));
    printer.paperOut = true;
    const r = await d.book(matter.id, SLOT);
    expect(r.printed).toBe(false);
    expect(r.printError?.code).toBe('DEVICE_PAPER_OUT');
    expect(d.slip(r.appointment.id).id).toBe(r.appointment.id);
  });

  it('answers offline with the office phone, and a cancel only when the slip says canceled', async () => {
    const { d } = desk(async () => undefined);
    await expect(d.days(matter.id)).rejects.toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      details: { phone: office.phone },
    });
    await expect(d.cancel('12345678')).rejects.toMatchObject({ code: ErrorCode.SIGNATURE_INVALID });
    expect((await d.lookup('1234 5678')).code).toBe('12345678');
    await expect(d.days(catalogue.matters[1]!.id)).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
  });

  it('looks up a slip even before this kiosk has a catalogue', async () => {
    const { d } = desk(async () => undefined, {
      catalogue: new ServiceCatalogueView(() => ({ catalogue: undefined, version: undefined })),
    });
    const v = await d.lookup('12345678');
    expect(v.office).toMatchObject({ id: office.id, phone: office.phone, name: office.name });
  });

  it('reads a typed code or a scanned URL', () => {
    expect(parseCode(' 4821-3906 ')).toEqual({ send: '48213906', want: { code: '48213906' } });
    expect(parseCode('https://linli.example/a/apt_01')).toEqual({
      send: 'https://linli.example/a/apt_01',
      want: { scanned: 'https://linli.example/a/apt_01' },
    });
    expect(() => parseCode('1234')).toThrow(expect.objectContaining({ code: ErrorCode.BAD_REQUEST }));
    expect(() => parseCode('javascript:alert(1)')).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_REQUEST }),
    );
  });
});
