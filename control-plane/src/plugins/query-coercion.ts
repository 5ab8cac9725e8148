import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Bodies are validated without type coercion (a JSON `"5"` is not the amount 5), but a query string has
 * only strings: `?limit=50` must still reach an integer schema as 50. This turns the query values that
 * the route's querystring schema types as integer, number or boolean into those types before validation;
 * anything that does not parse stays a string, so the schema rejects it with a coded 400.
 */
type Props = Record<string, { type?: string | string[]; anyOf?: { type?: string }[] }>;

function typeOf(prop: Props[string]): string | undefined {
  const types = [prop.type, ...(prop.anyOf ?? []).map((p) => p.type)].flat().filter(Boolean);
  return types.find((t) => t === 'integer' || t === 'number' || t === 'boolean');
}

function coerce(value: string, type: string): unknown {
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  if (!/^-?\d+(\.\d+)?$/.test(value)) return value;
  const n = Number(value);
  if (type === 'integer' && !Number.isSafeInteger(n)) return value;
  return n;
}

export const queryCoercionPlugin = fp(
  async (fastify) => {
    fastify.addHook('preValidation', async (req: FastifyRequest) => {
      const props = (req.routeOptions.schema?.querystring as { properties?: Props } | undefined)?.properties;
      const query = req.query as Record<string, unknown> | undefined;
      if (!props || !query) return;
      for (const [key, value] of Object.entries(query)) {
        const prop = props[key];
        const type = prop && typeof value === 'string' ? typeOf(prop) : undefined;
        if (type) query[key] = coerce(value as string, type);
      }
    });
  },
  { name: 'linli-query-coercion' },
);

export default queryCoercionPlugin;
