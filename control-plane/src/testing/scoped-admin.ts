import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { API } from '../../../protocol/api.js';
import type { AdminRole, CreateAdminResponse } from '../../../protocol/schemas/admin.js';
import type { Harness } from './harness.js';

export type AdminInject = (o: InjectOptions) => Promise<LightMyRequestResponse>;

/** Creates an admin or staff account at a node and returns inject() with its session token. */
export async function scopedAdmin(
  h: Harness,
  username: string,
  role: AdminRole,
  nodeId: string,
): Promise<AdminInject> {
  const created = await h.admin({ method: 'POST', url: API.admins, payload: { username, role, nodeId } });
  if (created.statusCode !== 201) throw new Error(`create admin: ${created.body}`);
  const { password } = created.json() as CreateAdminResponse;
  const login = await h.app.inject({ method: 'POST', url: API.login, payload: { username, password } });
  const token = (login.json() as { token: string }).token;
  return (o) => h.app.inject({ ...o, headers: { ...(o.headers ?? {}), authorization: `Bearer ${token}` } });
}
