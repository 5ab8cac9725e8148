import type { NoticeCategory } from '../../protocol/schemas/notice.js';
import { winningEmergency } from '../emergency-precedence.js';
import type { PlayNotice } from '../play-types.js';
import { isTickerNotice, type ScreenState } from './screen-state.js';

export const CATEGORY_LABEL: Record<NoticeCategory, { zh: string; en: string }> = {
  general: { zh: '通知', en: 'Notice' },
  utility: { zh: '水电气', en: 'Utilities' },
  safety: { zh: '安全', en: 'Safety' },
  event: { zh: '活动', en: 'Event' },
  civic: { zh: '社区事务', en: 'Community' },
  election: { zh: '选举', en: 'Election' },
};

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON inside <script>: `<` escaped so notice text can never close the script element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const en = (s: string | undefined, tag: string, cls: string) =>
  s ? `<${tag} class="${cls}" lang="en">${escapeHtml(s)}</${tag}>` : '';

function slideHtml(n: PlayNotice, active: boolean): string {
  const cat = CATEGORY_LABEL[n.category];
  const img = n.images[0];
  return `<article class="slide priority-${n.priority}${img ? ' has-image' : ''}${active ? ' active' : ''}" data-id="${escapeHtml(n.id)}" data-version="${n.version}">
  <div class="text">
    <div class="tag"><span lang="zh">${cat.zh}</span><span lang="en">${cat.en}</span></div>
    <h1 class="title" lang="zh">${escapeHtml(n.title.zh)}</h1>
    ${en(n.title.en, 'h2', 'title-en')}
    <p class="body" lang="zh">${escapeHtml(n.body.zh)}</p>
    ${en(n.body.en, 'p', 'body-en')}
  </div>
  ${img ? `<figure class="media"><img src="${escapeHtml(img.src)}" alt="${escapeHtml(img.alt?.zh ?? '')}" width="${img.width}" height="${img.height}"></figure>` : ''}
</article>`;
}

/**
 * The lobby page, rendered with the verified notices in it (readable without JavaScript); player.js then
 * runs the carousel, the ticker, the clock and the emergency takeover, and keeps it current over /screen/ws
 * without reloading. `preview`: the console's preview of a draft (served by the control plane): the same page
 * and player, which then neither connects to a device nor reports plays.
 */
export function renderScreenPage(
  state: ScreenState,
  assetBase = '/screen',
  opts: { preview?: boolean } = {},
): string {
  const slides = state.notices.filter((n) => !isTickerNotice(n));
  const ticker = state.notices.filter(isTickerNotice);
  const emergency = winningEmergency(state.emergencies);
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(state.community.name)} · 社区公告 Community notices</title>
<link rel="stylesheet" href="${assetBase}/player.css">
</head>
<body${emergency ? ' class="emergency"' : ''}${opts.preview ? ' data-preview' : ''}>
<header class="bar top">
  <div class="community"><span class="name">${escapeHtml(state.community.name)}</span>
    <span class="label"><span lang="zh">社区公告</span> <span lang="en">Community notices</span></span></div>
  <div class="clock" id="clock" data-timezone="${escapeHtml(state.community.timezone)}"><span class="time"></span><span class="date"></span></div>
</header>
<main id="stage" aria-live="polite">
${slides.map((n, i) => slideHtml(n, i === 0)).join('\n')}
  <section class="idle"${slides.length ? ' hidden' : ''}>
    <p class="idle-name">${escapeHtml(state.community.name)}</p>
    <p class="idle-date" id="idle-date"></p>
    <div class="none"${ticker.length ? ' hidden' : ''}><p lang="zh">暂无通知</p><p lang="en">No notices at the moment</p></div>
  </section>
</main>
<nav class="dots" id="dots" aria-hidden="true"></nav>
<footer class="bar ticker"${ticker.length ? '' : ' hidden'}>
  <span class="ticker-label"><span lang="zh">简讯</span> <span lang="en">In brief</span></span>
  <div class="ticker-window"><div class="ticker-track" id="ticker">${ticker
    .map(
      (n) =>
        `<span class="item" data-id="${escapeHtml(n.id)}"><b>${escapeHtml(n.title.zh)}</b> ${escapeHtml(n.body.zh)}</span>`,
    )
    .join('')}</div></div>
</footer>
<section id="takeover" class="takeover"${emergency ? '' : ' hidden'} role="alert">
  <div class="takeover-head"><span class="sign">!</span><span lang="zh">紧急通知</span><span lang="en">Emergency</span></div>
  <h1 class="takeover-title" lang="zh">${emergency ? escapeHtml(emergency.title.zh) : ''}</h1>
  <h2 class="takeover-title-en" lang="en">${emergency?.title.en ? escapeHtml(emergency.title.en) : ''}</h2>
  <p class="takeover-body" lang="zh">${emergency ? escapeHtml(emergency.body.zh) : ''}</p>
  <p class="takeover-body-en" lang="en">${emergency?.body.en ? escapeHtml(emergency.body.en) : ''}</p>
</section>
<span id="link" class="link ok"><span lang="zh">在线</span></span>
<script id="initial-state" type="application/json">${scriptJson(state)}</script>
<script type="module" src="${assetBase}/player.js"></script>
</body>
</html>
`;
}
