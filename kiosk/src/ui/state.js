// The page's shared state. The device owns everything that matters (payments, session); this is only what
// the screen needs to draw: the resident's choices (language, text size, voice) and the latest device views.
export const state = {
  lang: 'zh',
  large: false,
  voice: true,
  /** GET /kiosk/api/settings (defaults until it answers). */
  settings: {
    communityName: '',
    deviceName: '',
    /** The community's IANA zone: every time on screen is in it (empty until the device says). */
    timeZone: '',
    idle: { resetSec: 90, warningSec: 20 },
    voice: { available: false, defaultOn: true },
    /** Remote settings the page puts into effect (issue 12); `settings` events on /kiosk/api/events. */
    audio: { volume: 70 },
    ui: { defaultLanguage: 'zh' },
    screen: { orientation: 'landscape' },
    attract: { afterSec: 120 },
  },
  /** The latest SessionView from the device. */
  session: undefined,
  /** Latest PaymentView per key, from events and answers. */
  payments: new Map(),
};

const listeners = new Set();

/** Subscribe to live device messages (already applied to `state`). */
export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Keep the newest view of a payment (a session event may carry an older copy than a payment event). */
function keep(p) {
  const had = state.payments.get(p.key);
  if (!had?.updatedAt || !p.updatedAt || p.updatedAt >= had.updatedAt) state.payments.set(p.key, p);
}

export function applyLive(msg) {
  if (msg.type === 'session') {
    state.session = msg.session;
    if (msg.session.payment) keep(msg.session.payment);
  } else if (msg.type === 'payment') {
    keep(msg.payment);
  } else if (msg.type === 'settings') {
    state.settings = { ...state.settings, ...msg.settings };
  } else if (msg.type === 'methods' && state.session) {
    // The payment methods offered changed (a setting, a terminal or printer came or went).
    state.session = { ...state.session, methods: msg.methods };
  }
  for (const fn of listeners) fn(msg);
}

/** A payment runs or is unresolved: the idle timer must not send the resident home, nor may "home" leave it. */
export function paymentOpen() {
  const p = state.session?.payment;
  return Boolean(p && !p.final && !['paid', 'declined', 'canceled', 'voided', 'failed'].includes(p.status));
}

/**
 * Whether the idle timer may send the resident home. The device's canIdleReset is the rule; but its last
 * session event of a payment can still show that payment running (the flow lets go after its final step
 * without another event), so a session payment that the newest payment event shows final counts as ended.
 */
export function canIdleReset() {
  const s = state.session;
  if (s?.canIdleReset !== false) return true;
  const newest = s.payment && state.payments.get(s.payment.key);
  return Boolean(newest?.final && !s.blocked && s.card?.status !== 'reading');
}
