import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { API } from '../../../protocol/api.js';
import { canonicalJson } from '../../../protocol/canonical-json.js';
import { signEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { SigningKey } from '../../../protocol/keys.js';
import type { Signed } from '../../../protocol/schemas/common.js';
import type { SettingsPatch } from '../../../protocol/schemas/device-settings.js';
import { ConfigReport, type TargetState } from '../../../protocol/schemas/fleet.js';
import { validate } from '../../../protocol/validate.js';

/** What the double needs of the control-plane double. */
export interface ConfigDoubleHost {
  deviceOf(req: FastifyRequest): string;
  fleetKey(): SigningKey;
  pushRaw(msg: unknown): void;
}

/**
 * Remote configuration on the control-plane double (issue 12), as protocol/schemas/fleet.ts says the
 * control plane serves it: GET API.deviceConfig → `{ target }` signed by a fleet key, with `ETag: "<etag>"`
 * and 304 on If-None-Match; POST API.deviceConfigReport stores the (validated) report. Tests set a device's
 * settings (a new version, the etag the hash of the settings), or serve any envelope they made themselves
 * (an older replayed target, a foreign one, one with a bad value signed all the same).
 */
export class ConfigTargetsDouble {
  readonly reports = new Map<string, ConfigReport[]>();
  readonly #served = new Map<string, Signed<TargetState>>();
  readonly #versions = new Map<string, number>();
  readonly #host: ConfigDoubleHost;

  constructor(host: ConfigDoubleHost) {
    this.#host = host;
  }

  /** Signs the next version of `deviceId`'s target with `settings` (unchecked: a test may sign a bad one). */
  sign(
    deviceId: string,
    settings: Record<string, unknown>,
    o: { version?: number; key?: SigningKey; forDevice?: string } = {},
  ): Signed<TargetState> {
    const version = o.version ?? (this.#versions.get(deviceId) ?? 0) + 1;
    this.#versions.set(deviceId, Math.max(version, this.#versions.get(deviceId) ?? 0));
    return signEnvelope<TargetState>(
      {
        type: 'linli.target-state/v1',
        deviceId: o.forDevice ?? deviceId,
        version,
        etag: etagOf(settings),
        issuedAt: new Date().toISOString(),
        settings: settings as SettingsPatch,
      },
      o.key ?? this.#host.fleetKey(),
    );
  }

  /** Serves `envelope` to the device from now on and tells connected devices to sync `config`. */
  serve(deviceId: string, envelope: Signed<TargetState>, notify = true): Signed<TargetState> {
    this.#served.set(deviceId, envelope);
    if (notify) this.#host.pushRaw({ type: 'sync', topic: 'config' });
    return envelope;
  }

  /** sign + serve. */
  set(
    deviceId: string,
    settings: Record<string, unknown>,
    o: Parameters<ConfigTargetsDouble['sign']>[2] = {},
  ) {
    return this.serve(deviceId, this.sign(deviceId, settings, o));
  }

  lastReport(deviceId: string): ConfigReport | undefined {
    return this.reports.get(deviceId)?.at(-1);
  }

  routes(app: FastifyInstance): void {
    app.get(API.deviceConfig, async (req, reply) => {
      const deviceId = this.#host.deviceOf(req);
      const env = this.#served.get(deviceId);
      if (!env) throw new LinliError(ErrorCode.NOT_FOUND, 'no target state for this device yet');
      const tag = `"${env.payload.etag}"`;
      reply.header('etag', tag);
      if (req.headers['if-none-match'] === tag) return reply.status(304).send();
      return { target: env };
    });
    app.post(API.deviceConfigReport, async (req) => {
      const deviceId = this.#host.deviceOf(req);
      const report = validate(ConfigReport, req.body, 'config report');
      this.reports.set(deviceId, [...(this.reports.get(deviceId) ?? []), report]);
      return { ok: true };
    });
  }
}

export function etagOf(settings: unknown): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex').slice(0, 32);
}
