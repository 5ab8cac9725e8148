// Minimal kiosk page: biller → account (or resident card) → verified bill → card terminal or QR → result.
// The device verifies every bill, payment and receipt signature before this page sees it; the page only
// talks to the local kiosk API (docs/kiosk-local-api.md). The accessible touch UI of issue #6 replaces it.

const $ = (id) => document.getElementById(id);
const STEPS = ['step-biller', 'step-account', 'step-bills', 'step-paying', 'step-result'];
const BILLERS = {
  water: ['水费', 'Water'],
  electricity: ['电费', 'Electricity'],
  gas: ['燃气费', 'Gas'],
  property: ['物业费', 'Property fee'],
};
const DEMO_CARD = '04A1B2C3D4E5F6';
let billerId = null;
let current = null; // key of the payment on screen

function show(step) {
  for (const s of STEPS) $(s).hidden = s !== step;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function bi(zh, en) {
  return [el('span', { lang: 'zh' }, zh), ' ', el('span', { lang: 'en' }, en)];
}

function showError(body) {
  const err = body?.error ?? { code: 'LINLI_ERR_UNAVAILABLE', message: '设备暂时无法处理，请稍后再试。' };
  $('error').replaceChildren(el('strong', {}, err.message), el('code', {}, err.code));
  $('error').hidden = false;
}

function clearError() {
  $('error').hidden = true;
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw json;
  return json;
}

function reset() {
  billerId = null;
  current = null;
  $('account').value = '';
  clearError();
  show('step-biller');
  void api('POST', '/kiosk/api/session/reset').catch(() => {});
}

for (const b of document.querySelectorAll('.biller')) {
  b.addEventListener('click', () => {
    billerId = b.dataset.biller;
    $('biller-label').replaceChildren(...bi(...BILLERS[billerId]));
    clearError();
    show('step-account');
    $('account').focus();
  });
}

$('account-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError();
  $('lookup').disabled = true;
  try {
    const { bills } = await api('POST', '/kiosk/api/bills', { billerId, account: $('account').value.trim() });
    renderBills(bills);
    show('step-bills');
  } catch (body) {
    showError(body);
  } finally {
    $('lookup').disabled = false;
  }
});

// The demo's card reader is simulated: this button makes it read a card; real readers need no button.
$('tap-card').addEventListener('click', async () => {
  clearError();
  try {
    await api('POST', '/kiosk/api/sim/card', { cardUid: DEMO_CARD });
  } catch (body) {
    showError(body);
  }
});

$('reprint-last').addEventListener('click', async () => {
  clearError();
  try {
    await api('POST', '/kiosk/api/receipts/reprint');
  } catch (body) {
    showError(body);
  }
});

function onCard(card) {
  if (card.status === 'reading' || current) return;
  if (card.status !== 'found') {
    showError({ error: card.error });
    return;
  }
  const bills = card.accounts.flatMap((a) => a.bills);
  renderBills(bills, card.label);
  show('step-bills');
}

function renderBills(bills, label) {
  const list = $('bills');
  if (bills.length === 0) {
    list.replaceChildren(el('p', { class: 'big' }, ...bi('没有待缴账单', 'Nothing to pay')));
    return;
  }
  const items = bills.map((b) => {
    const pay = (method, zh, en) => {
      const btn = el(
        'button',
        { type: 'button', class: 'primary pay', 'data-bill': b.id, 'data-method': method },
        ...bi(zh, en),
      );
      btn.addEventListener('click', () => payBill(b, method));
      return btn;
    };
    return el(
      'article',
      { class: 'bill' },
      el('h3', {}, ...bi(b.billerName.zh, b.billerName.en ?? '')),
      details([
        [['户号', 'Account'], b.accountMasked],
        [['户名', 'Holder'], b.holderMasked],
        [['账期', 'Period'], b.period],
        [['截止日期', 'Due'], b.dueDate],
        [['金额', 'Amount'], b.amountText],
      ]),
      pay('terminal', `刷卡支付 ${b.amountText}`, 'Pay by card'),
      ' ',
      pay('qr', '扫码支付', 'Pay by QR'),
    );
  });
  list.replaceChildren(...(label ? [el('p', {}, ...bi(`居民卡：${label}`, 'Resident card'))] : []), ...items);
}

function details(rows) {
  return el(
    'dl',
    { class: 'details' },
    ...rows.flatMap(([[zh, en], v]) => [el('dt', {}, ...bi(zh, en)), el('dd', {}, v)]),
  );
}

async function payBill(bill, method) {
  clearError();
  $('paying-amount').textContent = bill.amountText;
  $('paying-prompt').textContent = '';
  $('wallet-qr').hidden = true;
  $('wallet-link-help').hidden = true;
  $('cancel-pay').hidden = true;
  $('paying-title').replaceChildren(
    ...(method === 'qr'
      ? bi('请用手机扫码付款', 'Scan the code with your phone to pay')
      : bi('请在刷卡器上付款', 'Please pay at the card terminal')),
  );
  show('step-paying');
  try {
    const view = await api('POST', '/kiosk/api/payments', { billId: bill.id, method, wait: false });
    current = view.key;
    render(view);
  } catch (body) {
    show('step-bills');
    showError(body);
  }
}

$('cancel-pay').addEventListener('click', async () => {
  if (!current) return;
  try {
    render(await api('POST', `/kiosk/api/payments/${current}/cancel`));
  } catch (body) {
    showError(body);
  }
});

const TITLES = {
  paid: ['缴费成功', 'Payment complete'],
  declined: ['付款被拒绝，未扣款', 'Payment declined; nothing was charged'],
  canceled: ['付款已取消，未扣款', 'Payment canceled; nothing was charged'],
  voided: ['缴费未成功，款项已退回', 'The biller refused the payment; the money was released'],
  failed: ['无法缴费', 'The payment could not start'],
  unresolved: ['正在确认付款结果，请勿重复缴费', 'Confirming the payment; please do not pay again'],
  checking: [
    '正在确认付款结果，请勿重复缴费',
    'Checking whether the payment went through; please do not pay again',
  ],
  in_progress: ['正在处理', 'Processing'],
};

function render(p) {
  if (!p || p.key !== current) return;
  if (p.status === 'awaiting_card' || p.status === 'awaiting_scan' || p.status === 'in_progress') {
    if (p.prompt) $('paying-prompt').textContent = p.prompt;
    if (p.qr) {
      $('wallet-qr').src = p.qr.imageUrl;
      $('wallet-qr').hidden = false;
      $('wallet-link').href = p.qr.codeUrl;
      $('wallet-link-help').hidden = false;
    }
    $('cancel-pay').hidden = !p.cancelable;
    return;
  }
  renderResult(p);
}

function renderResult(p) {
  $('result-title').replaceChildren(...bi(...(TITLES[p.status] ?? TITLES.in_progress)));
  $('step-result').dataset.status = p.status;
  const rows = [
    [['缴费项目', 'Bill'], p.billerName.zh],
    [['户号', 'Account'], p.accountMasked],
    [['金额', 'Amount'], p.amountText],
  ];
  if (p.paymentId) rows.push([['交易号', 'Payment'], p.paymentId]);
  if (p.authCode) rows.push([['授权码', 'Auth code'], p.authCode]);
  if (p.receipt) rows.push([['凭证号', 'Receipt'], p.receipt.id]);
  if (p.reason) rows.push([['原因', 'Reason'], p.reason]);
  if (p.error) rows.push([['说明', 'Note'], `${p.error.message} (${p.error.code})`]);
  if (p.receipt?.printError)
    rows.push([['打印', 'Printing'], `凭证未能打印 Receipt not printed (${p.receipt.printError.code})`]);
  $('result-details').replaceChildren(...details(rows).childNodes);
  const preview = p.receipt?.previewUrl;
  $('receipt').hidden = !preview;
  if (preview) {
    $('receipt-link').href = preview;
    $('receipt-image').src = preview;
  }
  const noPaper = p.receipt && !p.receipt.printed;
  $('receipt-qr-box').hidden = !noPaper;
  if (noPaper) $('receipt-qr').src = p.receipt.qrImageUrl;
  show('step-result');
}

function connect() {
  const ws = new WebSocket(
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/kiosk/api/events`,
  );
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === 'payment') render(msg.payment);
    else if (msg.type === 'prompt' && msg.key === current) $('paying-prompt').textContent = msg.message;
    else if (msg.type === 'card') onCard(msg.card);
    else if (msg.type === 'session') $('blocked').hidden = !msg.session.blocked;
  };
  ws.onclose = () => setTimeout(connect, 1000);
}

$('home').addEventListener('click', reset);
$('done').addEventListener('click', reset);
reset();
connect();
