// The local kiosk API client (docs/kiosk-local-api.md) and the live event stream. The page never talks to
// anything but the device: every bill, payment, receipt, catalogue and slip is verified there first.

/** An API error as the device sent it: {code, message, details}; `offline` when the device did not answer. */
export class ApiError extends Error {
  constructor(code, message, status, details) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details ?? {};
  }
}

export async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      body: body !== undefined ? JSON.stringify(body) : undefined,
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(
      'LINLI_ERR_UNAVAILABLE',
      '设备暂时无法连接，请稍后再试。The kiosk is not answering; please try again.',
      0,
    );
  }
  const json = await res.json().catch(() => undefined);
  if (!res.ok) {
    const e = json?.error;
    throw new ApiError(
      e?.code ?? 'LINLI_ERR_UNAVAILABLE',
      e?.message ?? `请求失败 Request failed (HTTP ${res.status})`,
      res.status,
      e?.details,
    );
  }
  return json;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);

/**
 * Live events over WebSocket (`session`, `payment`, `prompt`, `card`), reconnecting after a drop. While the
 * socket is down, the session is long-polled so a payment on screen still moves on.
 */
export function connectEvents(onMessage) {
  let version;
  let open = false;
  const connect = () => {
    const ws = new WebSocket(
      `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/kiosk/api/events`,
    );
    ws.onopen = () => {
      open = true;
    };
    ws.onmessage = (m) => {
      try {
        const msg = JSON.parse(m.data);
        if (msg.type === 'session') version = msg.session.version;
        onMessage(msg);
      } catch {
        // A malformed message is ignored; the next session event carries the whole state again.
      }
    };
    ws.onclose = () => {
      open = false;
      setTimeout(connect, 1000);
      void poll();
    };
  };
  const poll = async () => {
    while (!open) {
      try {
        const s = await get(
          `/kiosk/api/session?waitMs=10000${version !== undefined ? `&since=${version}` : ''}`,
        );
        if (s.version !== version) {
          version = s.version;
          onMessage({ type: 'session', session: s });
          if (s.payment) onMessage({ type: 'payment', payment: s.payment });
        }
      } catch {
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  };
  connect();
}
