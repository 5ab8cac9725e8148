import type { WebSocket } from 'ws';

/** An unmasked, final, text WebSocket frame (RFC 6455 §5.2) around a payload, built once for many sockets. */
export function textFrame(payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + len);
  frame[0] = 0x81;
  if (len < 126) {
    frame[1] = len;
  } else if (len < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  payload.copy(frame, head);
  return frame;
}

/** The parts of a `ws` socket the fast path reads; ws keeps them stable, but they are not its typed API. */
interface WsInternals {
  _socket?: { write(b: Buffer): boolean; writable?: boolean } | null;
  _sender?: { _state?: number; _queue?: unknown[] } | null;
  _extensions?: Record<string, unknown>;
}

/**
 * Writes a pre-built frame straight to the TCP socket under a ws connection, so a fan-out to N sockets frames
 * once and makes one write per socket (ws would build a header and cork/writev for each). Only when ws has
 * nothing of its own in flight for that socket (no compression, no queued send), which keeps frame order;
 * otherwise it hands the payload to ws.send. Returns false when it fell back.
 */
export function writeFrame(socket: WebSocket, frame: Buffer, payload: Buffer): boolean {
  const ws = socket as unknown as WsInternals;
  const raw = ws._socket;
  const sender = ws._sender;
  if (
    raw &&
    raw.writable !== false &&
    sender &&
    sender._state === 0 &&
    (sender._queue?.length ?? 0) === 0 &&
    !ws._extensions?.['permessage-deflate']
  ) {
    raw.write(frame);
    return true;
  }
  socket.send(payload, { binary: false });
  return false;
}

/**
 * The HTTP upgrade leaves the plugin's ServerResponse (and through it the IncomingMessage with every header)
 * attached to the TCP socket for as long as the channel lives. Nothing writes to it after the 101, so it is
 * detached: kilobytes per held connection.
 */
export function releaseUpgradeResponse(socket: WebSocket): void {
  const raw = (
    socket as unknown as { _socket?: { _httpMessage?: { detachSocket?(s: unknown): void } | null } }
  )._socket;
  const res = raw?._httpMessage;
  if (raw && res && typeof res.detachSocket === 'function') res.detachSocket(raw);
}
