import type { FastifyInstance, FastifyReply } from 'fastify';
import { framePreviewPng, frameToPng } from '../../../notice-render/led/frame-png.js';
import type { LedSign } from './led-sign.js';

export interface LedRoutesOptions {
  sign: LedSign;
  previewScale: number;
}

function sendPng(reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.header('content-type', 'image/png').header('cache-control', 'no-store').send(body);
}

/** GET /led (live page), /led/frame.png (1:1, what the panel gets), /led/preview.png (scaled up), /led/state.json. */
const LIVE_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>LED 屏 LED sign</title>
<style>body{margin:0;background:#111;color:#ccc;font-family:"Noto Sans CJK SC",sans-serif;display:grid;place-items:center;min-height:100vh}
img{max-width:96vw;image-rendering:pixelated;border:8px solid #222;border-radius:8px}p{font-size:18px}</style></head>
<body><div><img id="p" src="/led/preview.png" alt="LED"><p id="s"></p></div>
<script>
const img=document.getElementById('p'),s=document.getElementById('s');
async function tick(){try{const b=await (await fetch('/led/preview.png',{cache:'no-store'})).blob();const old=img.src;img.src=URL.createObjectURL(b);if(old.startsWith('blob:'))URL.revokeObjectURL(old);
const st=await (await fetch('/led/state.json')).json();s.textContent=(st.emergency?'紧急 · ':'')+st.text+' · 亮度 '+st.brightness+'/16';}catch{}
setTimeout(tick,250)}tick();
</script></body></html>`;

export async function ledRoutes(app: FastifyInstance, opts: LedRoutesOptions): Promise<void> {
  app.get('/', async (_req, reply) => reply.redirect('/led'));
  // A page that follows the panel live (the preview reloaded a few times a second), for people and demos.
  app.get('/led', async (_req, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(LIVE_PAGE),
  );
  app.get('/led/frame.png', async (_req, reply) => sendPng(reply, await frameToPng(opts.sign.frame)));
  app.get('/led/preview.png', async (_req, reply) =>
    sendPng(reply, await framePreviewPng(opts.sign.frame, opts.previewScale)),
  );
  app.get('/led/state.json', async (_req, reply) =>
    reply.header('cache-control', 'no-store').send(opts.sign.state),
  );
}
