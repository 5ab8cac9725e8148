// The kiosk touch UI (issue #6): home, pay a bill, service matters, appointments, notices. Plain ES modules
// served by the device runtime; the page talks only to the local kiosk API (docs/kiosk-local-api.md).
import { connectEvents, get, post } from './api.js';
import { startAttract, stopAttract } from './attract.js';
import { clockText } from './community-time.js';
import { button, h, put } from './dom.js';
import { t } from './i18n.js';
import { icon } from './icons.js';
import { startIdle } from './idle.js';
import { currentScreen, home, nav, onRender, refresh, setHomeHook } from './router.js';
import { registerAppointmentScreens } from './screen-appointments.js';
import { registerCancelScreens } from './screen-appt-cancel.js';
import { registerHome } from './screen-home.js';
import { registerMatterScreen } from './screen-matter.js';
import { registerNoticeScreens } from './screen-notices.js';
import { onCardEvent, registerPayScreens } from './screen-pay.js';
import { registerPayStatus } from './screen-pay-status.js';
import { registerServiceScreens } from './screen-services.js';
import { applyLive, canIdleReset, onLive, paymentOpen, state } from './state.js';
import { repeat, say, setVolume, stop, voiceActive, voiceAvailable } from './voice.js';

const $ = (id) => document.getElementById(id);
let flash = null;

async function loadSettings() {
  try {
    const s = await get('/kiosk/api/settings');
    state.settings = { ...state.settings, ...s };
  } catch {
    // An older device without settings: keep the defaults (voice stays hidden, 90 s idle reset).
  }
  state.voice = state.settings.voice?.defaultOn !== false;
  state.lang = defaultLanguage();
  applyDeviceSettings();
}

function defaultLanguage() {
  return state.settings.ui?.defaultLanguage === 'en' ? 'en' : 'zh';
}

/**
 * Remote settings the page applies at once (the device sends them when it may: never during a payment or
 * booking): voice volume and screen rotation. The idle timeout is read at every tick (idle.js); the
 * default language and voice default apply at the next idle reset, for the next resident.
 */
function applyDeviceSettings() {
  setVolume(state.settings.audio?.volume ?? 70);
  document.documentElement.dataset.orientation = state.settings.screen?.orientation ?? 'landscape';
  // For people and tests reading the page: the idle timeout in use.
  document.documentElement.dataset.idleResetSec = String(state.settings.idle.resetSec);
}

function applyLook() {
  document.documentElement.classList.toggle('large', state.large);
  document.documentElement.classList.toggle('voice', voiceActive());
  document.documentElement.lang = state.lang === 'en' ? 'en' : 'zh-CN';
  document.title = `${state.settings.communityName || t('title')} · ${t('title')}`;
}

function drawHeader() {
  $('community').textContent = state.settings.communityName || t('title');
  const toggle = (label, iconName, pressed, onTap, testid) => {
    const b = button(label, onTap, { iconName, testid, cls: 'tool' });
    if (pressed !== undefined) b.setAttribute('aria-pressed', String(pressed));
    return b;
  };
  const lang = toggle(
    t('lang'),
    'globe',
    undefined,
    () => {
      state.lang = state.lang === 'zh' ? 'en' : 'zh';
      redraw();
    },
    'lang',
  );
  // The switch names the other language in that language.
  lang.querySelector('.btn-label').lang = state.lang === 'zh' ? 'en' : 'zh-CN';
  put(
    $('toolbar'),
    lang,
    toggle(
      t('larger'),
      'text',
      state.large,
      () => {
        state.large = !state.large;
        redraw();
      },
      'larger',
    ),
    voiceAvailable()
      ? toggle(
          state.voice ? t('voiceOn') : t('voiceOff'),
          'speaker',
          state.voice,
          () => {
            state.voice = !state.voice;
            if (!state.voice) stop();
            redraw();
          },
          'voice',
        )
      : null,
  );
  tick();
}

function tick() {
  $('clock').textContent = clockText(new Date(), state.lang, state.settings.timeZone);
}

function drawBottom(name) {
  const onHome = name === 'home';
  const guarded = (fn) => () => {
    if (paymentOpen() && currentScreen().name === 'pay-status') {
      showFlash(t('busyHere'));
      return;
    }
    fn();
  };
  put(
    $('bottom'),
    onHome
      ? null
      : button(
          t('back'),
          guarded(() => nav.back()),
          { iconName: 'back', testid: 'back', cls: 'nav' },
        ),
    onHome ? null : button(t('home'), guarded(goHome), { iconName: 'home', testid: 'home', cls: 'nav' }),
    voiceActive()
      ? h(
          'div',
          { class: 'voicebar', role: 'group', 'aria-label': t('voiceOn') },
          button(t('stop'), stop, { iconName: 'stop', testid: 'voice-stop', cls: 'nav' }),
          button(t('repeat'), repeat, { iconName: 'repeat', testid: 'voice-repeat', cls: 'nav' }),
        )
      : null,
  );
}

function showFlash(text) {
  flash = text;
  drawBanner();
  setTimeout(() => {
    if (flash === text) {
      flash = null;
      drawBanner();
    }
  }, 5000);
}

/** The banner under the header: an earlier payment being checked (blocks new payments), or a short notice. */
function drawBanner() {
  const blocked = state.session?.blocked;
  const b = $('banner');
  const text = blocked ? `${t('blocked')}` : flash;
  b.hidden = !text;
  b.dataset.kind = blocked ? 'blocked' : 'flash';
  if (text) b.replaceChildren(icon(blocked ? 'warning' : 'info'), h('span', {}, text));
}

function redraw() {
  applyLook();
  drawHeader();
  drawBottom(currentScreen().name);
  void refresh();
}

function goHome() {
  void home();
}

function onHome() {
  stopAttract();
  stop();
  void post('/kiosk/api/session/reset').catch(() => {});
}

/** Idle reset: the next resident starts from the home screen in the default language and text size. */
function idleReset() {
  state.lang = defaultLanguage();
  state.large = false;
  state.voice = state.settings.voice?.defaultOn !== false;
  applyLook();
  drawHeader();
  goHome();
}

async function main() {
  await loadSettings();
  setHomeHook(onHome);
  registerHome();
  registerPayScreens();
  registerPayStatus();
  registerServiceScreens();
  registerMatterScreen();
  registerAppointmentScreens();
  registerCancelScreens();
  registerNoticeScreens();
  onRender((name, def, params, { navigated }) => {
    drawBottom(name);
    document.body.dataset.busy = String(paymentOpen());
    if (navigated) void say(def.speech?.(params) ?? '');
  });
  onLive((msg) => {
    document.body.dataset.canIdleReset = String(canIdleReset());
    if (msg.type === 'session') {
      document.body.dataset.busy = String(paymentOpen());
      drawBanner();
    }
    if (msg.type === 'card') {
      stopAttract();
      onCardEvent(msg.card);
    }
    if (msg.type === 'settings') applyDeviceSettings();
    // A terminal or printer came or went, or the admin changed the methods: the bill screen follows at once.
    if (msg.type === 'methods' && currentScreen().name === 'pay-bill') void nav.refresh();
  });
  applyLook();
  drawHeader();
  setInterval(tick, 10_000);
  connectEvents(applyLive);
  // A payment still open after a reload (or a crash of the page) is shown again, never hidden.
  const session = await get('/kiosk/api/session').catch(() => undefined);
  if (session) applyLive({ type: 'session', session });
  if (paymentOpen()) await nav.replace('pay-status', { key: state.session.payment.key });
  else await home();
  startIdle({
    isHome: () => currentScreen().name === 'home',
    reset: idleReset,
    idle: (sec) => {
      if (sec >= state.settings.attract.afterSec) startAttract();
    },
  });
  // The touch that stops the attract loop does only that: its click must not press what lies beneath.
  let swallow = 0;
  addEventListener(
    'pointerdown',
    () => {
      if (stopAttract()) swallow = Date.now();
    },
    { capture: true },
  );
  addEventListener(
    'click',
    (ev) => {
      if (Date.now() - swallow < 1000) {
        swallow = 0;
        ev.preventDefault();
        ev.stopPropagation();
      }
    },
    { capture: true },
  );
}

void main();
