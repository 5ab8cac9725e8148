// Lobby screen player: renders the verified notices the device pushes over /screen/ws, without reloading.
// The device has already verified every notice; this page only displays what it is given.

const ROTATE_MS = 15_000;
const CATEGORY = {
  general: ['通知', 'Notice'],
  utility: ['水电气', 'Utilities'],
  safety: ['安全', 'Safety'],
  event: ['活动', 'Event'],
  civic: ['社区事务', 'Community'],
  election: ['选举', 'Election'],
};

const main = document.getElementById('notices');
const index = document.getElementById('index');
const link = document.getElementById('link');
const clock = document.getElementById('clock');
let state = JSON.parse(document.getElementById('initial-state').textContent);
let current = 0;

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function noticeElement(n) {
  const a = el('article', {
    class: `notice priority-${n.priority}`,
    'data-id': n.id,
    'data-version': n.version,
  });
  const [zh, en] = CATEGORY[n.category] ?? CATEGORY.general;
  const tag = el('div', { class: 'tag' });
  tag.append(el('span', { lang: 'zh' }, zh), ' ', el('span', { lang: 'en' }, en));
  a.append(tag, el('h1', { class: 'title', lang: 'zh' }, n.title.zh));
  if (n.title.en) a.append(el('h2', { class: 'title-en', lang: 'en' }, n.title.en));
  a.append(el('p', { class: 'body', lang: 'zh' }, n.body.zh));
  if (n.body.en) a.append(el('p', { class: 'body-en', lang: 'en' }, n.body.en));
  return a;
}

/** Emergency notices take the whole rotation while any is active. */
function rotation() {
  const urgent = state.notices.filter((n) => n.priority === 'emergency');
  return urgent.length > 0 ? urgent : state.notices;
}

function render() {
  const keepId = rotation()[current]?.id;
  for (const old of main.querySelectorAll('article.notice')) old.remove();
  const empty = main.querySelector('.empty');
  empty.hidden = state.notices.length > 0;
  for (const n of state.notices) main.insertBefore(noticeElement(n), empty);
  index.replaceChildren(...state.notices.map((n) => el('li', { lang: 'zh' }, n.title.zh)));
  const list = rotation();
  const again = list.findIndex((n) => n.id === keepId);
  current = Math.max(again, 0);
  document.body.classList.toggle(
    'emergency',
    list.some((n) => n.priority === 'emergency'),
  );
  show();
}

function show() {
  const list = rotation();
  const id = list[current]?.id;
  for (const a of main.querySelectorAll('article.notice')) a.classList.toggle('active', a.dataset.id === id);
  [...index.children].forEach((li, i) => {
    li.classList.toggle('active', state.notices[i]?.id === id);
  });
}

setInterval(() => {
  const list = rotation();
  if (list.length > 1) {
    current = (current + 1) % list.length;
    show();
  }
}, ROTATE_MS);

function tick() {
  const tz = clock.dataset.timezone || undefined;
  const now = new Date();
  const time = new Intl.DateTimeFormat('zh-CN', {
    timeZone: tz,
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(now);
  const date = new Intl.DateTimeFormat('zh-CN', {
    timeZone: tz,
    month: 'long',
    day: 'numeric',
    weekday: 'long',
  }).format(now);
  clock.textContent = `${date} ${time}`;
}
tick();
setInterval(tick, 10_000);

function setLink(ok) {
  link.classList.toggle('ok', ok);
  link.replaceChildren(
    el('span', { lang: 'zh' }, ok ? '在线' : '离线 · 显示最近内容'),
    ' ',
    el('span', { lang: 'en' }, ok ? 'Online' : 'Offline · showing last content'),
  );
}

let retryMs = 1000;
function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/screen/ws`);
  ws.addEventListener('open', () => {
    retryMs = 1000;
    setLink(true);
  });
  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === 'state') {
      state = msg.state;
      document.body.dataset.contentVersion = state.contentVersion ?? '';
      render();
    } else if (msg.type === 'link') {
      setLink(msg.online);
    }
  });
  ws.addEventListener('close', () => {
    setLink(false);
    // The device server restarts with the runtime; come back with growing, jittered delays.
    setTimeout(connect, Math.random() * retryMs);
    retryMs = Math.min(retryMs * 2, 30_000);
  });
}
connect();
