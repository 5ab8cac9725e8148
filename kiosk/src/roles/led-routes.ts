import type { FastifyInstance, FastifyReply } from 'fastify';
import { framePreviewPng, frameToPng } from '../../../signage/src/led/frame-png.js';
import type { LedSign } from './led-sign.js';

export interface LedRoutesOptions {
  sign: LedSign;
  previewScale: number;
}

function sendPng(reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.header('content-type', 'image/png').header('cache-control', 'no-store').send(body);
}

/** GET /led/frame.png (1:1, what the panel gets), /led/preview.png (scaled up for people), /led/state.json. */
export async function ledRoutes(app: FastifyInstance, opts: LedRoutesOptions): Promise<void> {
  app.get('/', async (_req, reply) => reply.redirect('/led/preview.png'));
  app.get('/led/frame.png', async (_req, reply) => sendPng(reply, await frameToPng(opts.sign.frame)));
  app.get('/led/preview.png', async (_req, reply) =>
    sendPng(reply, await framePreviewPng(opts.sign.frame, opts.previewScale)),
  );
  app.get('/led/state.json', async (_req, reply) =>
    reply.header('cache-control', 'no-store').send(opts.sign.state),
  );
}
