import { type Static, Type } from '@sinclair/typebox';

export const PERIPHERAL_KINDS = [
  'receipt-printer',
  'payment-terminal',
  'card-reader',
  'led-controller',
] as const;
export type PeripheralKind = (typeof PERIPHERAL_KINDS)[number];

/** A USB device wanted by profile (any of its ids) or by explicit ids; USB bulk is for receipt printers. */
export const WantedUsb = Type.Object(
  {
    profile: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Printer profile whose USB ids match; omitted = any printer profile',
      }),
    ),
    vendorId: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffff })),
    productId: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffff })),
  },
  { additionalProperties: false },
);

/**
 * One peripheral the device runtime wants: what it is, how to find it, and the driver options (the factory's
 * own schema for that kind, without `transport`, which the manager fills in from what it found).
 */
export const WantedPeripheral = Type.Object(
  {
    id: Type.String({
      pattern: '^[a-z][a-z0-9-]{0,63}$',
      description: 'Logical name, e.g. "printer"; also the driver name',
    }),
    kind: Type.Union(
      PERIPHERAL_KINDS.map((k) => Type.Literal(k)),
      { description: 'Which driver to open' },
    ),
    path: Type.Optional(
      Type.String({
        pattern: '^/',
        description:
          'Serial device by a stable name: /dev/serial/by-id/usb-… or a udev symlink (/dev/linli-printer); never /dev/ttyUSBn',
      }),
    ),
    usb: Type.Optional(WantedUsb),
    baudRate: Type.Optional(Type.Integer({ minimum: 1200, maximum: 921600 })),
    options: Type.Record(Type.String(), Type.Unknown(), {
      default: {},
      description: "Driver options for the kind's factory (profile, timeouts, …), without transport",
    }),
  },
  { additionalProperties: false },
);
export type WantedPeripheral = Static<typeof WantedPeripheral>;

export const DeviceManagerConfig = Type.Object(
  {
    peripherals: Type.Array(WantedPeripheral, { maxItems: 32 }),
    serialPollMs: Type.Integer({
      minimum: 50,
      maximum: 60_000,
      default: 1000,
      description: 'How often stable serial paths are checked (besides directory change events)',
    }),
    usbPollMs: Type.Integer({
      minimum: 50,
      maximum: 60_000,
      default: 5000,
      description: 'USB poll interval where there is no hotplug (no /sys/bus/usb)',
    }),
    retryBaseMs: Type.Integer({ minimum: 1, maximum: 60_000, default: 500 }),
    retryCapMs: Type.Integer({
      minimum: 10,
      maximum: 600_000,
      default: 30_000,
      description: 'Longest wait between attempts to open a present device that failed to start',
    }),
  },
  { additionalProperties: false },
);
export type DeviceManagerConfig = Static<typeof DeviceManagerConfig>;
