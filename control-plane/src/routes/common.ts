import { Type } from '@sinclair/typebox';
import { ErrorResponse } from '../../../protocol/schemas/common.js';

/** Every route documents its error shape next to its success shape. */
export const ERRORS = { '4xx': ErrorResponse, '5xx': ErrorResponse } as const;

/** OpenAPI security requirement for routes that need a bearer session token. */
export const BEARER = [{ bearerAuth: [] }];

/** Body of POST routes that take no input: nothing, or an empty object. */
export const EmptyBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()]);

/** The route pattern for a protocol path builder: API.devicePayment → '/api/v1/device/payments/:id'. */
export function routeOf(build: (id: string) => string): string {
  const marker = 'ROUTEPARAMID';
  return build(marker).replace(marker, ':id');
}
