// Lobby screen player. The device verified everything it sends here; this page only displays it, tells the
// device what it showed (proof of play) and which notice failed to render (quarantine), and never goes black.

const CATEGORY = {
  general: ['通知', 'Notice'],
  utility: ['水电气', 'Utilities'],
  safety: ['安全', 'Safety'],
  event: ['活动', 'Event'],
  civic: ['社区事务', 'Community'],
  election: ['选举', 'Election'],
};
const TICKER_MAX_BODY = 48;
/** A showing in progress is reported again this often, so a power cut loses at most this much of it. */
const PROGRESS_MS = 30_000;

const stage = document.getElementById('stage');
const idle = stage.querySelector('.idle');
const dots = document.getElementById('dots');
const ticker = document.getElementById('ticker');
const tickerBar = document.querySelector('footer.ticker');
const takeover = document.getElementById('takeover');
const link = document.getElementById('link');
const clock = document.getElementById('clock');
/** The console's preview of a draft: the same page and code, with no device to talk to. */
const PREVIEW = document.body.hasAttribute('data-preview');

let state = JSON.parse(document.getElementById('initial-state').textContent);
const broken = new Set();
let list = [];
let index = 0;
/** The showing in progress: {playId, noticeId, version, startedAt, t0, emergency, timer} */
let showing = null;
let slideTimer = null;

const key = (n) => `${n.id}@${n.version}`;
const isTicker = (n) =>
  n.images.length === 0 && n.priority !== 'important' && n.body.zh.length <= TICKER_MAX_BODY;

// --- channel to the device
let ws = null;
const outbox = [];
function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  else if (outbox.length < 500) outbox.push(msg);
}

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// --- proof of play: one play id per showing, reported as it starts, every PROGRESS_MS, and as it ends
function newPlayId() {
  // getRandomValues works on plain http too (randomUUID needs a secure context).
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}
function report(s) {
  send({
    type: 'played',
    playId: s.playId,
    noticeId: s.noticeId,
    version: s.version,
    startedAt: s.startedAt,
    durationMs: Math.round(performance.now() - s.t0),
    emergency: s.emergency,
  });
}
function beginShowing(noticeId, version, emergency) {
  endShowing();
  const s = {
    playId: newPlayId(),
    noticeId,
    version,
    startedAt: new Date().toISOString(),
    t0: performance.now(),
    emergency,
  };
  s.timer = setInterval(() => report(s), PROGRESS_MS);
  showing = s;
  report(s);
}
function endShowing() {
  if (!showing) return;
  clearInterval(showing.timer);
  report(showing);
  showing = null;
}

// --- slides
function slideElement(n) {
  const a = el('article', {
    class: `slide priority-${n.priority}`,
    'data-id': n.id,
    'data-version': String(n.version),
  });
  const text = el('div', { class: 'text' });
  const [zh, en] = CATEGORY[n.category] ?? CATEGORY.general;
  const tag = el('div', { class: 'tag' });
  tag.append(el('span', { lang: 'zh' }, zh), el('span', { lang: 'en' }, en));
  text.append(tag, el('h1', { class: 'title', lang: 'zh' }, n.title.zh));
  if (n.title.en) text.append(el('h2', { class: 'title-en', lang: 'en' }, n.title.en));
  text.append(el('p', { class: 'body', lang: 'zh' }, n.body.zh));
  if (n.body.en) text.append(el('p', { class: 'body-en', lang: 'en' }, n.body.en));
  a.append(text);
  const img = n.images[0];
  if (img) {
    a.classList.add('has-image');
    const fig = el('figure', { class: 'media' });
    const image = el('img', { alt: img.alt?.zh ?? '', width: String(img.width), height: String(img.height) });
    image.addEventListener('error', () => fault(n, 'image failed to load or decode'));
    image.addEventListener('load', () => {
      if (image.naturalWidth === 0) fault(n, 'image decoded to nothing');
    });
    image.src = img.src;
    fig.append(image);
    a.append(fig);
  }
  return a;
}

/** A notice that cannot render is reported (the device quarantines it) and skipped at once. */
function fault(n, reason) {
  if (broken.has(key(n))) return;
  broken.add(key(n));
  send({ type: 'fault', noticeId: n.id, version: n.version, reason });
  const wasCurrent = list[index] && key(list[index]) === key(n);
  rebuild();
  if (wasCurrent) show(index);
}

function rebuild() {
  const keep = list[index] ? key(list[index]) : undefined;
  list = state.notices.filter((n) => !isTicker(n) && !broken.has(key(n)));
  const existing = new Map(
    [...stage.querySelectorAll('article.slide')].map((a) => [`${a.dataset.id}@${a.dataset.version}`, a]),
  );
  for (const [k, a] of existing) if (!list.some((n) => key(n) === k)) a.remove();
  for (const n of list) {
    let a = existing.get(key(n));
    if (!a?.dataset.live) {
      a?.remove();
      a = slideElement(n);
      a.dataset.live = '1';
    }
    stage.insertBefore(a, idle);
  }
  idle.hidden = list.length > 0;
  const again = list.findIndex((n) => key(n) === keep);
  index = again >= 0 ? again : Math.min(index, Math.max(list.length - 1, 0));
  dots.replaceChildren(...list.map(() => el('span')));
}

function show(i) {
  clearTimeout(slideTimer);
  if (state.emergencies.length > 0) return;
  if (list.length === 0) {
    endShowing();
    for (const a of stage.querySelectorAll('article.slide')) a.classList.remove('active');
    return;
  }
  index = ((i % list.length) + list.length) % list.length;
  const n = list[index];
  for (const a of stage.querySelectorAll('article.slide')) {
    a.classList.toggle('active', a.dataset.id === n.id && a.dataset.version === String(n.version));
  }
  [...dots.children].forEach((d, j) => {
    d.classList.toggle('active', j === index);
  });
  beginShowing(n.id, n.version, false);
  slideTimer = setTimeout(() => show(index + 1), n.displaySec * 1000);
}

// --- ticker
function renderTicker() {
  const items = state.notices.filter((n) => isTicker(n) && !broken.has(key(n)));
  tickerBar.hidden = items.length === 0;
  idle.querySelector('.none').hidden = items.length > 0;
  const make = () =>
    items.map((n) => {
      const s = el('span', { class: 'item', 'data-id': n.id });
      s.append(el('b', {}, n.title.zh), ` ${n.body.zh}`);
      return s;
    });
  // Two copies: the track scrolls by half its width and starts over seamlessly.
  ticker.replaceChildren(...make(), ...make());
  const width = ticker.scrollWidth / 2;
  ticker.style.animationDuration = `${Math.max(12, width / 90)}s`;
}

// --- emergency takeover
function renderTakeover() {
  // The device sends live emergencies in precedence order (notice-render/emergency-precedence.ts, the rule the
  // LED sign and the kiosk use too): the first is the one that shows.
  const e = state.emergencies[0];
  if (!e) {
    if (showing?.emergency) endShowing();
    takeover.hidden = true;
    document.body.classList.remove('emergency');
    return;
  }
  clearTimeout(slideTimer);
  document.body.classList.add('emergency');
  takeover.hidden = false;
  takeover.dataset.id = e.noticeId;
  takeover.querySelector('.takeover-title').textContent = e.title.zh;
  takeover.querySelector('.takeover-title-en').textContent = e.title.en ?? '';
  takeover.querySelector('.takeover-body').textContent = e.body.zh;
  takeover.querySelector('.takeover-body-en').textContent = e.body.en ?? '';
  if (!showing?.emergency || showing.noticeId !== e.noticeId || showing.version !== e.version) {
    beginShowing(e.noticeId, e.version, true);
  }
}

function apply(next) {
  state = next;
  document.body.dataset.contentVersion = state.contentVersion ?? '';
  // Remote setting screen.orientation (issue 12): player.css turns the page for a rotated mounting.
  document.documentElement.dataset.orientation = state.orientation ?? 'landscape';
  const wasShowing = showing;
  const before = new Set(list.map(key));
  rebuild();
  renderTicker();
  const stillThere =
    wasShowing &&
    !wasShowing.emergency &&
    list.some((n) => n.id === wasShowing.noticeId && n.version === wasShowing.version);
  renderTakeover();
  if (state.emergencies.length) return;
  // New content shows at once (as on the LED sign): a slide that just arrived takes the screen now, and the
  // carousel goes on from there. Otherwise the slide on screen keeps its turn when others come and go.
  const fresh = before.size > 0 || wasShowing ? list.findIndex((n) => !before.has(key(n))) : -1;
  if (fresh >= 0) show(fresh);
  else if (!stillThere) show(index);
}

// --- clock
function tick() {
  const tz = clock.dataset.timezone || undefined;
  const now = new Date();
  clock.querySelector('.time').textContent = new Intl.DateTimeFormat('zh-CN', {
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
  clock.querySelector('.date').textContent = date;
  document.getElementById('idle-date').textContent = date;
}
tick();
setInterval(tick, 5_000);

function setLink(ok) {
  link.classList.toggle('ok', ok);
  link.replaceChildren(el('span', { lang: 'zh' }, ok ? '在线' : '离线 · 显示最近内容'));
}

let retryMs = 1000;
function connect() {
  ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/screen/ws`);
  ws.addEventListener('open', () => {
    retryMs = 1000;
    while (outbox.length) ws.send(JSON.stringify(outbox.shift()));
  });
  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === 'state') apply(msg.state);
    else if (msg.type === 'link') setLink(msg.online);
  });
  ws.addEventListener('close', () => {
    // The device restarts with the runtime; what is on screen stays until it is back.
    setTimeout(connect, Math.random() * retryMs);
    retryMs = Math.min(retryMs * 2, 30_000);
  });
}

for (const a of stage.querySelectorAll('article.slide')) a.remove();
apply(state);
if (!PREVIEW) connect();
addEventListener('pagehide', endShowing);
