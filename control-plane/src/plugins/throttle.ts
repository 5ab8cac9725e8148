import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { clockStore } from './rate-limit-store.js';

type Hook = (req: FastifyRequest) => Promise<void>;

export interface Throttles {
  /** onRequest of the admin login: every attempt from one address (each costs a 32 MiB scrypt). */
  loginByIp: Hook;
  /** preHandler of the admin login: every attempt at one account name, from anywhere. */
  loginByAccount: Hook;
  /** onRequest of the enrollment routes: guesses at token secrets and nonce churn from one address. */
  enrollByIp: Hook;
  /** preHandler of the kiosk's appointment-code lookups, per device (many kiosks may share one NAT address). */
  codeLookupByDevice: Hook;
}

declare module 'fastify' {
  interface FastifyInstance {
    throttle: Throttles;
  }
}

const MINUTE = 60_000;
/** Attempts at one account name per minute from anywhere; the per-account lockout (LoginLockout) sits behind. */
export const LOGIN_PER_ACCOUNT_PER_MINUTE = 10;

function usernameOf(req: FastifyRequest): string {
  const name = (req.body as { username?: unknown } | null | undefined)?.username;
  return typeof name === 'string' ? name.slice(0, 200) : '';
}

/**
 * @fastify/rate-limit on the routes where an unauthenticated (or a device) caller can guess: login, enrollment,
 * appointment codes. Counted on the app's clock (tests move it); a refusal is a coded 429 with Retry-After.
 */
export const throttlePlugin = fp(
  async (fastify) => {
    await fastify.register(rateLimit, { global: false, store: clockStore(fastify.now) });
    const { config } = fastify;
    const perMinute = (max: number) => ({ max, timeWindow: MINUTE });
    const ip = (req: FastifyRequest) => normalizeIP(req.ip);
    const limiter = (
      name: string,
      limits: { max: number; timeWindow: number },
      key: (req: FastifyRequest) => string,
      refuse: (retryAfterSec: number) => LinliError,
    ): Hook => {
      const check = fastify.createRateLimit({ ...limits, keyGenerator: (req) => `${name}:${key(req)}` });
      return async (req) => {
        const r = await check(req);
        if (!r.isAllowed && r.isExceeded) throw refuse(Math.max(1, r.ttlInSeconds));
      };
    };
    const loginRefused = (retryAfterSec: number) =>
      new LinliError(ErrorCode.LOGIN_THROTTLED, `too many login attempts; try again in ${retryAfterSec} s`, {
        retryAfterSec,
      });
    const rateRefused = (what: string) => (retryAfterSec: number) =>
      new LinliError(ErrorCode.RATE_LIMITED, `too many ${what}; try again in ${retryAfterSec} s`, {
        retryAfterSec,
      });
    fastify.decorate('throttle', {
      loginByIp: limiter('login-ip', perMinute(config.loginPerIpPerMinute), ip, loginRefused),
      loginByAccount: limiter(
        'login-account',
        perMinute(LOGIN_PER_ACCOUNT_PER_MINUTE),
        usernameOf,
        loginRefused,
      ),
      enrollByIp: limiter(
        'enroll-ip',
        perMinute(config.enrollPerIpPerMinute),
        ip,
        rateRefused('enrollment requests'),
      ),
      codeLookupByDevice: limiter(
        'code-device',
        perMinute(config.codeLookupsPerDevicePerMinute),
        (req) => req.devicePrincipal?.device.id ?? ip(req),
        rateRefused('appointment-code lookups from this kiosk'),
      ),
    } satisfies Throttles);
  },
  { name: 'linli-throttle', dependencies: ['linli-config'] },
);

export default throttlePlugin;
