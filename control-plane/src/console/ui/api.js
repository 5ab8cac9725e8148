// The admin API client: bearer token from the login, errors as {code, message} thrown to the views.

const KEY = 'linli.console.session';

export function session() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    if (s && new Date(s.expiresAt).getTime() > Date.now()) return s;
  } catch {}
  return null;
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

export async function login(username, password) {
  const s = await call('POST', '/api/v1/admin/login', { username, password }, { anonymous: true });
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function call(method, path, body, opts = {}) {
  const headers = {};
  if (!opts.anonymous) {
    const s = session();
    if (!s)
      throw new ApiError(
        401,
        'LINLI_ERR_SESSION_EXPIRED',
        '登录已过期，请重新登录 Session expired: log in again',
      );
    headers.authorization = `Bearer ${s.token}`;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (opts.raw && res.ok) return res;
  const json = await res.json().catch(() => undefined);
  if (!res.ok) {
    const e = json?.error;
    if (res.status === 401) forget();
    throw new ApiError(res.status, e?.code ?? 'LINLI_ERR_INTERNAL', e?.message ?? `HTTP ${res.status}`);
  }
  return json;
}

export const get = (path) => call('GET', path);
export const post = (path, body, opts) => call('POST', path, body ?? {}, opts);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
