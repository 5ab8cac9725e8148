// Emergency takeover for the kiosk page. Polls the device's GET /kiosk/api/emergency (the same endpoint the
// kiosk UI uses) and, while the kiosk is idle, covers the page with the alert. A touch hides it for a minute
// so a resident in the middle of something can finish; a payment in progress is never covered.
(() => {
  const POLL_MS = 2_000;
  const IDLE_MS = 20_000;
  const SNOOZE_MS = 60_000;
  /** A takeover in progress is reported again this often (proof of play while it is still up). */
  const PROGRESS_MS = 30_000;
  let lastInput = 0;
  let snoozedUntil = 0;
  let shown = null;

  const css = `
#linli-emergency{position:fixed;inset:0;z-index:2147483000;display:flex;flex-direction:column;justify-content:center;
gap:3vmin;padding:8vmin;background:#b3261e;color:#fff;font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif}
#linli-emergency[hidden]{display:none}
#linli-emergency .h{font-size:4vmin;font-weight:700;letter-spacing:.1em}
#linli-emergency .t{margin:0;font-size:9vmin;line-height:1.15}
#linli-emergency .te{margin:0;font-size:4vmin;font-weight:400;opacity:.9}
#linli-emergency .b{margin:0;font-size:5vmin;line-height:1.5;white-space:pre-line}
#linli-emergency .be{margin:0;font-size:3.2vmin;opacity:.9;white-space:pre-line}
#linli-emergency [lang="en"]{color:#fff;opacity:.88}
#linli-emergency .hint{margin-top:4vmin;font-size:2.6vmin;opacity:.8}`;
  const style = document.createElement('style');
  style.textContent = css;
  document.head.append(style);
  const box = document.createElement('section');
  box.id = 'linli-emergency';
  box.hidden = true;
  box.setAttribute('role', 'alert');
  box.innerHTML =
    '<div class="h"><span lang="zh">紧急通知</span> <span lang="en">Emergency</span></div>' +
    '<h1 class="t" lang="zh"></h1><h2 class="te" lang="en"></h2><p class="b" lang="zh"></p><p class="be" lang="en"></p>' +
    '<p class="hint"><span lang="zh">轻触屏幕继续使用</span> <span lang="en">Touch the screen to continue</span></p>';
  document.body.append(box);

  const busy = () => document.querySelector('[data-busy="true"], #step-paying:not([hidden])') !== null;
  for (const ev of ['pointerdown', 'keydown', 'touchstart']) {
    addEventListener(
      ev,
      () => {
        lastInput = Date.now();
        if (!box.hidden) {
          snoozedUntil = Date.now() + SNOOZE_MS;
          hide();
        }
      },
      { capture: true },
    );
  }

  function newPlayId() {
    // getRandomValues works on plain http too (randomUUID needs a secure context).
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
  }
  // One play id per showing, reported as it starts, every PROGRESS_MS and as it ends. No version: the
  // device knows which version of the alert it put up (its API does not tell the page).
  function report(s) {
    fetch('/kiosk/api/notice-plays', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        playId: s.playId,
        noticeId: s.id,
        startedAt: s.startedAt,
        durationMs: Math.round(performance.now() - s.t0),
        emergency: true,
      }),
    }).catch(() => {});
  }
  function end() {
    if (!shown) return;
    clearInterval(shown.timer);
    report(shown);
    shown = null;
  }
  function hide() {
    box.hidden = true;
    end();
  }
  function show(e) {
    box.querySelector('.t').textContent = e.notice.title.zh;
    box.querySelector('.te').textContent = e.notice.title.en ?? '';
    box.querySelector('.b').textContent = e.notice.body.zh;
    box.querySelector('.be').textContent = e.notice.body.en ?? '';
    if (shown?.id !== e.notice.id) {
      end();
      const s = {
        playId: newPlayId(),
        id: e.notice.id,
        startedAt: new Date().toISOString(),
        t0: performance.now(),
      };
      s.timer = setInterval(() => report(s), PROGRESS_MS);
      shown = s;
      report(s);
    }
    box.hidden = false;
  }

  async function poll() {
    try {
      const res = await fetch('/kiosk/api/emergency', { cache: 'no-store' });
      const e = await res.json();
      const idle = Date.now() - lastInput > IDLE_MS && Date.now() > snoozedUntil && !busy();
      if (e.active && (idle || !box.hidden)) show(e);
      else if (!e.active) hide();
    } catch {
      // The device server restarts with the runtime; keep what is shown until it answers again.
    }
    setTimeout(poll, POLL_MS);
  }
  poll();
})();
