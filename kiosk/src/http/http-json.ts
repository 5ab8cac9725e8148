import { ErrorCode, errorFromBody, LinliError } from '../../../protocol/errors.js';

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** `fetch`, injectable so tests can cut a connection at a precise moment. */
export type FetchFn = typeof fetch;

/**
 * One JSON request to the control plane. Network failures become LINLI_ERR_UNAVAILABLE with
 * `details.network = true` (the request may or may not have reached the server); error bodies become the
 * server's LinliError (protocol errorFromBody). 304 is returned as a response, not an error.
 */
export async function httpJson<T>(
  baseUrl: string,
  req: HttpRequest,
  fetchFn: FetchFn = fetch,
): Promise<HttpResponse<T>> {
  const url = new URL(req.path, baseUrl);
  for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let payload: string | undefined;
  if (req.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(req.body);
  }
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: req.method,
      headers,
      body: payload,
      signal: AbortSignal.timeout(req.timeoutMs ?? 10_000),
    });
  } catch (cause) {
    const reason = describeNetworkError(cause);
    throw new LinliError(
      ErrorCode.UNAVAILABLE,
      `cannot reach the control plane at ${url.origin} (${reason}); check the server URL and the network`,
      { network: true, url: url.origin, reason },
      { cause },
    );
  }
  if (res.status === 304) return { status: 304, headers: res.headers, body: undefined as T };
  let text: string;
  try {
    text = await res.text();
  } catch (cause) {
    throw new LinliError(
      ErrorCode.UNAVAILABLE,
      `the connection to ${url.origin} broke while reading the answer to ${req.method} ${req.path}`,
      { network: true, url: url.origin, reason: describeNetworkError(cause) },
      { cause },
    );
  }
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    throw new LinliError(
      ErrorCode.INTERNAL,
      `${req.method} ${req.path} answered HTTP ${res.status} with a body that is not JSON; is ${url.origin} a Linli control plane?`,
      { status: res.status },
    );
  }
  if (!res.ok) throw errorFromBody(res.status, body);
  return { status: res.status, headers: res.headers, body: body as T };
}

export function isNetworkError(err: unknown): boolean {
  return err instanceof LinliError && err.details?.network === true;
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return cause.code;
    return cause?.message ?? err.message;
  }
  return String(err);
}
