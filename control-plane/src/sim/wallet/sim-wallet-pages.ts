import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { formatFen } from '../../../../protocol/money.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import type { SimWalletOrder } from '../sim-records.js';
import { SIM_WALLET_PATH, type SimulatedWallet } from './simulated-wallet.js';

const Params = Type.Object({ orderId: Type.String({ pattern: '^wxo_[0-9A-HJKMNP-TV-Z]{26}$' }) });

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STATUS: Record<string, [string, string]> = {
  NOTPAY: ['待支付', 'Waiting for payment'],
  SUCCESS: ['支付成功', 'Paid'],
  REFUND: ['已退款', 'Refunded'],
  CLOSED: ['订单已关闭', 'Order closed'],
  REVOKED: ['订单已撤销', 'Order revoked'],
};

function page(o: SimWalletOrder | undefined): string {
  const body = !o
    ? '<h1>订单不存在 <small>No such order</small></h1>'
    : `<h1>模拟钱包 <small>Simulated wallet</small></h1>
<p class="desc">${esc(o.description)}</p>
<p class="amount">￥${formatFen(o.amountFen)}</p>
<p class="status" data-status="${o.status}">${STATUS[o.status]![0]} <small>${STATUS[o.status]![1]}</small></p>
${
  o.status === 'NOTPAY'
    ? `<form method="post" action="${SIM_WALLET_PATH}/pay/${o.orderId}/confirm"><button type="submit" id="confirm">确认支付 Confirm payment</button></form>`
    : ''
}`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>模拟钱包 Simulated wallet</title><style>
body{font-family:"Noto Sans CJK SC",sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.4rem}small{color:#555;font-weight:normal}.amount{font-size:2.6rem;font-weight:bold;margin:.5rem 0}
.status{font-size:1.2rem}button{font-size:1.3rem;padding:1rem 2rem;width:100%;background:#0a6b2e;color:#fff;border:0;border-radius:.5rem}
.note{color:#555;font-size:.9rem;margin-top:2rem}</style></head><body>${body}
<p class="note">这是演示用的模拟支付页面，不会产生真实扣款。A simulated wallet for the demo: no real money moves.</p></body></html>`;
}

/**
 * The simulated wallet provider's own pages (not part of the control plane's API): what a resident's phone
 * opens after scanning the kiosk's QR code. "Confirm payment" pays the order, and the provider then sends its
 * signed notification to the control plane like a real one would.
 */
export const simWalletRoutes: FastifyPluginAsync<{ wallet: SimulatedWallet }> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  // The payer page posts an empty HTML form; its body carries nothing we read.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, _body, done) =>
    done(null, {}),
  );
  app.get(`${SIM_WALLET_PATH}/pay/:orderId`, { schema: { hide: true, params: Params } }, async (req, reply) =>
    reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(page(await opts.wallet.orderForPage(req.params.orderId))),
  );
  app.post(
    `${SIM_WALLET_PATH}/pay/:orderId/confirm`,
    { schema: { hide: true, params: Params } },
    async (req, reply) => {
      const order = await opts.wallet.pay(req.params.orderId);
      if (req.headers.accept?.includes('application/json'))
        return { orderId: order.orderId, status: order.status };
      return reply.redirect(`${SIM_WALLET_PATH}/pay/${order.orderId}`, 303);
    },
  );
};
