import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';

/**
 * Application messages, nexo-like (SaleToPOI names, JSON instead of XML): a header with category, type and a
 * ServiceID, and one body. The terminal, not the host, sees cards and PINs; responses carry only masked data.
 */
const Header = Type.Object({
  MessageCategory: Type.Union([
    Type.Literal('Payment'),
    Type.Literal('Abort'),
    Type.Literal('TransactionStatus'),
    Type.Literal('Display'),
  ]),
  MessageType: Type.Union([Type.Literal('Request'), Type.Literal('Response'), Type.Literal('Notification')]),
  ServiceID: Type.String({ minLength: 1, maxLength: 64 }),
});

const Reference = Type.String({ minLength: 1, maxLength: 64 });
/** Printable ASCII without spaces: the terminal passes acquirer data through, the host never parses it. */
export const SaleToAcquirerData = Type.String({ pattern: '^[\\x21-\\x7e]{1,256}$' });
const AcquirerReference = Type.String({ pattern: '^[\\x21-\\x7e]{1,512}$' });

export const PaymentResponseBody = Type.Object({
  SaleTransactionID: Reference,
  Result: Type.Union([Type.Literal('Success'), Type.Literal('Failure')]),
  ErrorCondition: Type.Optional(
    Type.Union([
      Type.Literal('Refusal'),
      Type.Literal('Aborted'),
      Type.Literal('Busy'),
      Type.Literal('NotFound'),
      Type.Literal('InProgress'),
    ]),
  ),
  AuthorizedAmount: Type.Integer({ minimum: 0 }),
  ApprovalCode: Type.Optional(Type.String({ maxLength: 16 })),
  MaskedPAN: Type.Optional(Type.String({ pattern: '^[0-9]{4,8}\\*{2,12}[0-9]{4}$' })),
  PaymentToken: Type.Optional(Type.String({ maxLength: 128 })),
  POITransactionID: Type.Optional(Type.String({ maxLength: 64 })),
  /** The acquirer host's reference of the authorization (nexo PaymentAcquirerData.AcquirerTransactionID). */
  AcquirerTransactionID: Type.Optional(AcquirerReference),
  DeclineReason: Type.Optional(Type.String({ maxLength: 200 })),
});
export type PaymentResponseBody = Static<typeof PaymentResponseBody>;

export const TerminalMessage = Type.Union([
  Type.Object({ MessageHeader: Header, PaymentResponse: PaymentResponseBody }),
  Type.Object({
    MessageHeader: Header,
    TransactionStatusResponse: Type.Object({
      SaleTransactionID: Reference,
      Result: Type.Union([Type.Literal('Success'), Type.Literal('Failure')]),
      ErrorCondition: Type.Optional(Type.Union([Type.Literal('NotFound'), Type.Literal('InProgress')])),
      RepeatedResponse: Type.Optional(PaymentResponseBody),
    }),
  }),
  Type.Object({
    MessageHeader: Header,
    DisplayRequest: Type.Object({ SaleTransactionID: Reference, Text: Type.String({ maxLength: 200 }) }),
  }),
]);
export type TerminalMessage = Static<typeof TerminalMessage>;

export const HostMessage = Type.Union([
  Type.Object({
    MessageHeader: Header,
    PaymentRequest: Type.Object({
      SaleTransactionID: Reference,
      RequestedAmount: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
      Currency: Type.Literal('CNY'),
      /** nexo SaleData.SaleToAcquirerData: forwarded to the acquirer with the authorization. */
      SaleToAcquirerData: Type.Optional(SaleToAcquirerData),
    }),
  }),
  Type.Object({ MessageHeader: Header, AbortRequest: Type.Object({ SaleTransactionID: Reference }) }),
  Type.Object({
    MessageHeader: Header,
    TransactionStatusRequest: Type.Object({ SaleTransactionID: Reference }),
  }),
]);
export type HostMessage = Static<typeof HostMessage>;

function parse<T>(schema: Parameters<typeof Value.Check>[0], body: string, who: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new DeviceError(DeviceErrorCode.PROTOCOL, `${who} sent a frame that is not JSON`, {
      body: body.slice(0, 120),
    });
  }
  if (!Value.Check(schema, json)) {
    const first = Value.Errors(schema, json).First();
    throw new DeviceError(
      DeviceErrorCode.PROTOCOL,
      `${who} sent a message that does not match the protocol${first ? ` at ${first.path || '/'}: ${first.message}` : ''}`,
      { body: body.slice(0, 120) },
    );
  }
  return json as T;
}

export const parseTerminalMessage = (body: string): TerminalMessage =>
  parse<TerminalMessage>(TerminalMessage, body, 'Payment terminal');
export const parseHostMessage = (body: string): HostMessage => parse<HostMessage>(HostMessage, body, 'Host');
