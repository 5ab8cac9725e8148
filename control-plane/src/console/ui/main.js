// Console shell: login, navigation by URL hash, flash messages. Each view module renders into #view.
import { ApiError, forget, login, session } from './api.js';
import { el } from './dom.js';
import { renderAlerts } from './view-alerts.js';
import { renderConfig } from './view-config.js';
import { renderDevices } from './view-devices.js';
import { renderNotices } from './view-notices.js';
import { renderOverview } from './view-overview.js';
import { renderPayments } from './view-payments.js';
import { renderReconciliation } from './view-reconciliation.js';
import { renderServices } from './view-services.js';
import { renderWebhooks } from './view-webhooks.js';

const VIEWS = {
  overview: renderOverview,
  devices: renderDevices,
  notices: renderNotices,
  payments: renderPayments,
  reconciliation: renderReconciliation,
  services: renderServices,
  config: renderConfig,
  alerts: renderAlerts,
  webhooks: renderWebhooks,
};

const $ = (id) => document.getElementById(id);

export function flash(message, kind = 'ok') {
  const f = $('flash');
  f.className = `flash ${kind}`;
  f.replaceChildren(el('strong', {}, kind === 'error' ? '✖ ' : '✔ '), message);
  f.hidden = false;
}

export function flashError(err) {
  if (err instanceof ApiError) {
    flash(el('span', {}, err.message, ' ', el('code', {}, err.code)), 'error');
    if (err.status === 401) showLogin();
  } else {
    flash(String(err?.message ?? err), 'error');
  }
}

function showLogin() {
  forget();
  $('login').hidden = false;
  $('nav').hidden = true;
  $('who').hidden = true;
  $('logout').hidden = true;
  $('view').replaceChildren();
  $('username').focus();
}

async function route() {
  const s = session();
  if (!s) return showLogin();
  $('login').hidden = true;
  $('nav').hidden = false;
  $('logout').hidden = false;
  $('who').hidden = false;
  $('who').textContent = `${s.admin.username}（${s.admin.role === 'admin' ? '管理员' : '工作人员'}）`;
  const name = location.hash.slice(1).split('?')[0] || 'overview';
  const render = VIEWS[name] ?? renderOverview;
  for (const a of $('nav').querySelectorAll('a')) {
    // An entry the role cannot use is not offered (the API refuses it anyway; the view says so).
    a.hidden = a.dataset.role !== undefined && a.dataset.role !== s.admin.role;
    if (a.getAttribute('href') === `#${name}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const view = $('view');
  view.replaceChildren(el('p', { class: 'muted' }, '加载中… Loading…'));
  try {
    await render(view, { session: s, flash, flashError, refresh: route });
  } catch (err) {
    view.replaceChildren();
    flashError(err);
  }
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    await login($('username').value.trim(), $('password').value);
    $('password').value = '';
    $('flash').hidden = true;
    await route();
  } catch (err) {
    flashError(err);
  }
});

$('logout').addEventListener('click', () => {
  forget();
  $('flash').hidden = true;
  showLogin();
});

window.addEventListener('hashchange', () => {
  $('flash').hidden = true;
  void route();
});
void route();
