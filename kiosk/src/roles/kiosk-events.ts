import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { KioskSession } from '../payment/kiosk-session.js';
import type { PayMethods, PayMethodsView } from '../payment/pay-methods.js';
import type { KioskPageSettings, PageSettingsView } from './kiosk-page-settings.js';

/**
 * Live updates for the kiosk page over a local WebSocket, GET /kiosk/api/events: on connect a `session`
 * message, then `payment` (a PaymentView whenever a payment changes), `prompt` (terminal prompts), `card`
 * (a card read), `methods` (the payment methods offered changed: a setting, or a terminal or printer came or
 * went; {type:'methods', methods: PayMethodsView}), `settings` (a remote setting the page applies changed:
 * the same view as GET /kiosk/api/settings) and `session` (anything else changed). Messages are JSON:
 * {type, ...}.
 */
export async function kioskEventRoutes(
  app: FastifyInstance,
  session: KioskSession,
  pageSettings?: KioskPageSettings,
  methods?: PayMethods,
): Promise<void> {
  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, msg: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const broadcast = (msg: unknown) => {
    for (const ws of clients) send(ws, msg);
  };
  const listeners = {
    change: (s: unknown) => broadcast({ type: 'session', session: s }),
    payment: (p: unknown) => broadcast({ type: 'payment', payment: p }),
    prompt: (p: { key: string; message: string }) => broadcast({ type: 'prompt', ...p }),
    card: (c: unknown) => broadcast({ type: 'card', card: c }),
    settings: (v: PageSettingsView) => broadcast({ type: 'settings', settings: v }),
    methods: (m: PayMethodsView) => broadcast({ type: 'methods', methods: m }),
  };
  pageSettings?.on('change', listeners.settings);
  methods?.on('change', listeners.methods);
  session.on('change', listeners.change);
  session.on('payment', listeners.payment);
  session.on('prompt', listeners.prompt);
  session.on('card', listeners.card);
  app.addHook('onClose', async () => {
    session.off('change', listeners.change);
    session.off('payment', listeners.payment);
    session.off('prompt', listeners.prompt);
    session.off('card', listeners.card);
    pageSettings?.off('change', listeners.settings);
    methods?.off('change', listeners.methods);
    for (const ws of clients) ws.close(1001, 'device stopping');
  });
  app.get('/kiosk/api/events', { websocket: true }, (socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => clients.delete(socket));
    send(socket, { type: 'session', session: session.session() });
    // A page that reconnects after a drop may have missed a change of its settings.
    if (pageSettings) void pageSettings.view().then((v) => send(socket, { type: 'settings', settings: v }));
  });
}
