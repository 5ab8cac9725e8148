import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';

/** Fastify's own error codes that are the client's fault, and what we call them. */
const FASTIFY_CODES: Readonly<Record<string, [ErrorCode, string]>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [
    ErrorCode.MALFORMED_JSON,
    'request body is not valid JSON; send a JSON object',
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    ErrorCode.MALFORMED_JSON,
    'Content-Type is application/json but the body is empty; send {} or drop the header',
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: [ErrorCode.BODY_TOO_LARGE, 'request body is larger than this server accepts'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [ErrorCode.BAD_REQUEST, 'unsupported Content-Type; send application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [ErrorCode.BAD_REQUEST, 'Content-Length does not match the body'],
};

/** Turns any error into `{error:{code,message,details?}}` with the code's status; 5xx never leak internals. */
export function toLinliError(err: FastifyError | Error): LinliError {
  if (isLinliError(err)) return err;
  const fe = err as FastifyError;
  if (fe.validation && fe.validation.length > 0) {
    const v = fe.validation[0]!;
    const where = fe.validationContext ?? 'body';
    const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
    const extra = (v.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    const path = `${where}${v.instancePath}${missing ? `/${missing}` : ''}${extra ? `/${extra}` : ''}`;
    const message = missing
      ? `${path} is required`
      : extra
        ? `${path} is not a known field; remove it`
        : `${path} ${v.message ?? 'is invalid'}`;
    // Money gets its own code: a negative, zero, fractional or absurd amount is never a generic typo.
    const code = /\/amountFen$/.test(path)
      ? ErrorCode.AMOUNT_INVALID
      : /\/billerId$/.test(path)
        ? ErrorCode.BILLER_UNKNOWN
        : ErrorCode.BAD_REQUEST;
    return new LinliError(code, message, { field: path });
  }
  if (fe.code && FASTIFY_CODES[fe.code]) {
    const [code, message] = FASTIFY_CODES[fe.code]!;
    return new LinliError(code, message);
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    return new LinliError(ErrorCode.MALFORMED_JSON, 'request body is not valid JSON');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new LinliError(ErrorCode.BAD_REQUEST, fe.message);
  }
  return new LinliError(ErrorCode.INTERNAL, 'internal error; it has been logged');
}

export const errorsPlugin = fp(
  async (fastify) => {
    fastify.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const linli = toLinliError(err);
      if (linli.code === ErrorCode.INTERNAL || linli.httpStatus >= 500) {
        req.log.error({ err }, 'request failed');
      } else {
        req.log.info({ code: linli.code, status: linli.httpStatus }, linli.message);
      }
      // A throttle says when to come back; the header is what HTTP clients and proxies read.
      const retryAfter = linli.details?.retryAfterSec;
      if (typeof retryAfter === 'number' && linli.httpStatus === 429) {
        reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
      }
      return reply.code(linli.httpStatus).type('application/json').send(linli.toJSON());
    });
    fastify.setNotFoundHandler((req, reply) => {
      const err = new LinliError(ErrorCode.NOT_FOUND, `no route ${req.method} ${req.url.split('?')[0]}`);
      return reply.code(404).type('application/json').send(err.toJSON());
    });
  },
  { name: 'linli-errors' },
);

export default errorsPlugin;
