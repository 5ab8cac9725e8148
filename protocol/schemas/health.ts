import { type Static, Type } from '@sinclair/typebox';

/** `GET /healthz`: 200 when the control plane can serve, 503 when its storage does not answer. */
export const HealthResponse = Type.Object({
  ok: Type.Boolean(),
  version: Type.String(),
  storage: Type.Object({ engine: Type.String(), ok: Type.Boolean() }),
  uptimeSec: Type.Integer({ minimum: 0 }),
});
export type HealthResponse = Static<typeof HealthResponse>;
