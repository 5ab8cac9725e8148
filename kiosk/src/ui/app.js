// Minimal kiosk page: biller → account → verified bill → pay → result. The device verifies every bill,
// payment and receipt signature before this page sees it; the page only talks to the local kiosk API.

const $ = (id) => document.getElementById(id);
const STEPS = ['step-biller', 'step-account', 'step-bills', 'step-paying', 'step-result'];
const BILLERS = {
  water: ['水费', 'Water'],
  electricity: ['电费', 'Electricity'],
  gas: ['燃气费', 'Gas'],
  property: ['物业费', 'Property fee'],
};
let billerId = null;

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
  $('account').value = '';
  clearError();
  show('step-biller');
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

function renderBills(bills) {
  const list = $('bills');
  if (bills.length === 0) {
    list.replaceChildren(el('p', { class: 'big' }, ...bi('没有待缴账单', 'Nothing to pay')));
    return;
  }
  list.replaceChildren(
    ...bills.map((b) => {
      const pay = el(
        'button',
        { type: 'button', class: 'primary pay', 'data-bill': b.id },
        ...bi('支付', 'Pay'),
        ` ${b.amountText}`,
      );
      pay.addEventListener('click', () => payBill(b));
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
        pay,
      );
    }),
  );
}

function details(rows) {
  return el(
    'dl',
    { class: 'details' },
    ...rows.flatMap(([[zh, en], v]) => [el('dt', {}, ...bi(zh, en)), el('dd', {}, v)]),
  );
}

async function payBill(bill) {
  clearError();
  $('paying-amount').textContent = bill.amountText;
  show('step-paying');
  try {
    renderResult(await api('POST', '/kiosk/api/payments', { billId: bill.id }));
  } catch (body) {
    show('step-bills');
    showError(body);
  }
}

const TITLES = {
  paid: ['缴费成功', 'Payment complete'],
  declined: ['付款被拒绝，未扣款', 'Payment declined; nothing was charged'],
  canceled: ['付款已取消，未扣款', 'Payment canceled; nothing was charged'],
  failed: ['无法缴费', 'The payment could not start'],
  unresolved: ['正在确认付款结果，请勿重复缴费', 'Confirming the payment; please do not pay again'],
  in_progress: ['正在处理', 'Processing'],
};

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
  show('step-result');
}

$('home').addEventListener('click', reset);
$('done').addEventListener('click', reset);
reset();
