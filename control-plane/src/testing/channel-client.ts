import WebSocket from 'ws';
import { signCanonical } from '../../../protocol/envelope.js';
import { channelSigningInput, type DeviceAuth } from '../../../protocol/schemas/channel.js';
import type { TestDevice } from './test-device.js';

/** A device's WebSocket channel as tests drive it: every message kept, `next(type)` waits for one. */
export interface ChannelClient {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export function connectChannel(url: string): Promise<ChannelClient> {
  const ws = new WebSocket(url);
  const messages: Record<string, unknown>[] = [];
  const waiters: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Record<string, unknown>;
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0]?.resolve(m);
    else messages.push(m);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const next = (type: string, timeoutMs = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = messages.find((m) => m.type === type);
      if (seen) {
        messages.splice(messages.indexOf(seen), 1);
        resolve(seen);
        return;
      }
      const timer = setTimeout(
        () => reject(new Error(`no ${type} message within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  const close = async () => {
    ws.close();
    await closed;
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, next, closed, close }));
    ws.once('error', reject);
  });
}

/** Connects and answers the challenge (telling `have`, e.g. its runtime, when given). */
export async function authChannel(url: string, dev: TestDevice, have?: unknown): Promise<ChannelClient> {
  const c = await connectChannel(url);
  const nonce = (await c.next('challenge')).nonce as string;
  const auth: Omit<DeviceAuth, 'have'> & { have?: unknown } = {
    type: 'auth',
    deviceId: dev.id,
    nonce,
    sig: signCanonical(channelSigningInput(dev.id, nonce), dev.privateKey),
    ...(have !== undefined ? { have } : {}),
  };
  c.ws.send(JSON.stringify(auth));
  return c;
}

/** Connects and answers the challenge; resolves once welcomed. */
export async function openChannel(
  url: string,
  dev: TestDevice,
  have?: DeviceAuth['have'],
): Promise<ChannelClient> {
  const c = await authChannel(url, dev, have);
  await c.next('welcome');
  return c;
}
