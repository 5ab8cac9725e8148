import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * The one schema for every driver config the factory accepts: types, defaults and docs in one place. Validated
 * by `validateConfig`, which names the parameter, the expectation and what it got (sharp style).
 */
export const SimTransportConfig = Type.Object(
  {
    kind: Type.Literal('sim'),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Label used in addresses and logs' }),
    ),
  },
  { additionalProperties: false },
);
export const SerialTransportConfig = Type.Object(
  {
    kind: Type.Literal('serial'),
    path: Type.String({
      minLength: 1,
      description: '/dev/serial/by-id/... or a udev symlink such as /dev/linli-printer',
    }),
    baudRate: Type.Optional(
      Type.Integer({ minimum: 1200, maximum: 921600, description: 'Defaults to the profile baud rate' }),
    ),
  },
  { additionalProperties: false },
);
export const UsbTransportConfig = Type.Object(
  {
    kind: Type.Literal('usb'),
    vendorId: Type.Integer({ minimum: 0, maximum: 0xffff }),
    productId: Type.Integer({ minimum: 0, maximum: 0xffff }),
  },
  { additionalProperties: false },
);
export const TcpTransportConfig = Type.Object(
  {
    kind: Type.Literal('tcp'),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 9100 }),
  },
  { additionalProperties: false },
);
export const TRANSPORT_SCHEMAS: Record<string, TSchema> = {
  sim: SimTransportConfig,
  serial: SerialTransportConfig,
  usb: UsbTransportConfig,
  tcp: TcpTransportConfig,
};
export const TransportConfig = Type.Union([
  SimTransportConfig,
  SerialTransportConfig,
  UsbTransportConfig,
  TcpTransportConfig,
]);
export type TransportConfig = Static<typeof TransportConfig>;

export const SIM_FAULTS = [
  'paper-out',
  'paper-near-end',
  'cover-open',
  'slow-link',
  'garbage',
  'unplugged',
  'decline',
  'terminal-timeout',
  'lost-response',
  'led-nak',
] as const;
export type SimFault = (typeof SIM_FAULTS)[number];

export const SimConfig = Type.Object(
  {
    outputDir: Type.Optional(
      Type.String({ minLength: 1, description: 'Where simulators write .bin/.png output' }),
    ),
    faults: Type.Array(Type.Union(SIM_FAULTS.map((f) => Type.Literal(f))), {
      default: [],
      description: 'Faults active from the start',
    }),
    processingMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 600_000,
        description: 'Simulated terminal: time the payer takes at the terminal (default 200 ms)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SimConfig = Static<typeof SimConfig>;

const common = {
  transport: TransportConfig,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  sim: Type.Optional(SimConfig),
  claimTimeoutMs: Type.Integer({
    minimum: 0,
    maximum: 600_000,
    default: 5000,
    description: 'How long claim() retries a busy port',
  }),
};

export const ReceiptPrinterConfig = Type.Object(
  {
    ...common,
    profile: Type.String({
      default: 'cn-80mm',
      description: "Printer profile id: 'cn-80mm' or 'epson-tm-t88'",
    }),
    statusTimeoutMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 1000 }),
    printTimeoutMs: Type.Integer({ minimum: 1000, maximum: 600_000, default: 30_000 }),
    recoveryTimeoutMs: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 600_000 }),
  },
  { additionalProperties: false },
);
export type ReceiptPrinterConfig = Static<typeof ReceiptPrinterConfig>;

export const PaymentTerminalConfig = Type.Object(
  {
    ...common,
    profile: Type.String({ default: 'linli-ecr', description: 'Terminal link profile' }),
    baudRate: Type.Optional(Type.Integer({ minimum: 1200, maximum: 921600 })),
    paymentTimeoutMs: Type.Integer({ minimum: 1000, maximum: 600_000, default: 120_000 }),
    statusTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  },
  { additionalProperties: false },
);
export type PaymentTerminalConfig = Static<typeof PaymentTerminalConfig>;

export const CardReaderConfig = Type.Object(
  {
    ...common,
    profile: Type.String({ default: 'serial-card-reader', description: 'Card reader profile id' }),
  },
  { additionalProperties: false },
);
export type CardReaderConfig = Static<typeof CardReaderConfig>;

export const LedControllerConfig = Type.Object(
  {
    ...common,
    profile: Type.String({
      default: 'alpha',
      description: 'LED protocol profile: Alpha Sign Communications Protocol',
    }),
    width: Type.Integer({ minimum: 8, maximum: 255, default: 128 }),
    height: Type.Integer({ minimum: 7, maximum: 255, default: 32 }),
    colors: Type.Union([Type.Literal(1), Type.Literal(2)], { default: 1 }),
    address: Type.String({
      pattern: '^[0-9A-Fa-f]{2}$',
      default: '00',
      description: 'Alpha sign address, 00 = broadcast',
    }),
    ackTimeoutMs: Type.Integer({ minimum: 50, maximum: 30_000, default: 1500 }),
    retries: Type.Integer({ minimum: 0, maximum: 10, default: 3 }),
  },
  { additionalProperties: false },
);
export type LedControllerConfig = Static<typeof LedControllerConfig>;
