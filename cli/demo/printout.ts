import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TIMEZONE } from '../../control-plane/src/services/hierarchy.js';
import { SEED_ACCOUNTS } from '../../control-plane/src/sim/biller/seed-accounts.js';
import { formatFen } from '../../protocol/money.js';
import { DEMO_CARD_UID, loadDemoState } from './setup.js';

/** The kiosk page's own words (kiosk/src/ui/i18n.js, `[zh, en]` per key), loaded where the page loads them. */
type KioskWords = Readonly<Record<string, readonly [string, string] | undefined>>;
const KIOSK_I18N = new URL('../../kiosk/src/ui/i18n.js', import.meta.url).href;

export async function kioskWords(): Promise<KioskWords> {
  return ((await import(KIOSK_I18N)) as { S: KioskWords }).S;
}

/** A kiosk label as the page shows it: `"演示：刷示范居民卡" (Demo: tap the sample card)`. */
export function kioskLabel(words: KioskWords, key: string): string {
  const w = words[key];
  if (!w) throw new Error(`the kiosk page has no label "${key}"`);
  return `"${w[0]}" (${w[1]})`;
}

export interface PrintoutInput {
  serverUrl: string;
  /** Known on the first run (printed once by the control plane); undefined on later runs. */
  password: string | undefined;
  urls: Readonly<Record<string, string | undefined>>;
  dataDir: string;
  words: KioskWords;
  now?: number;
}

const PASSWORD_PLACEHOLDER = '<admin password>';

function readDeviceId(stateDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(stateDir, 'identity.json'), 'utf8')) as { deviceId: string })
      .deviceId;
  } catch {
    return undefined;
  }
}

/**
 * What the demo prints once everything runs. Every shell line is meant to be pasted as is: the one variable
 * the curl lines use ($TOKEN) is set by the login line printed before them.
 */
export function demoPrintout(o: PrintoutInput): string[] {
  const { urls, serverUrl } = o;
  const password = o.password ?? PASSWORD_PLACEHOLDER;
  const accounts = ['water', 'electricity', 'gas', 'property'].map((b) => {
    const a = SEED_ACCOUNTS.find((s) => s.billerId === b)!;
    return `${b} ${a.account} (￥${formatFen(a.bills[0]!.amountFen)})`;
  });
  const state = loadDemoState(join(o.dataDir, 'demo.json'));
  const lobby = readDeviceId(join(o.dataDir, 'devices', 'lobby'));
  const led = readDeviceId(join(o.dataDir, 'devices', 'led'));
  const auth = `--server ${serverUrl} --password ${password}`;
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: DEFAULT_TIMEZONE }).format(o.now ?? Date.now());
  const report = `${serverUrl}/api/v1/admin/reconciliation?date=${today}`;
  const loginBody = JSON.stringify({ username: 'admin', password });
  return [
    '',
    'Linli is running. Open:',
    `  Admin console         ${serverUrl}/console   (log in with the admin password below)`,
    `  Admin API docs        ${serverUrl}/docs`,
    `  Lobby screen          ${urls.lobby}/screen`,
    `  Kiosk                 ${urls.kiosk}/kiosk`,
    `  LED sign (live)       ${urls.led}/led`,
    `  Receipt verification  ${serverUrl}/r/<receipt id>  (the QR on each printed receipt)`,
    '',
    o.password
      ? `Admin login: admin / ${o.password}   (shown once; only its hash is stored)`
      : `Admin login: admin — the password was shown on the first run; get a new one with:\n  node bin/linli.js control-plane --data ${join(o.dataDir, 'control-plane')} --reset-admin-password\n(then put it where the lines below say ${PASSWORD_PLACEHOLDER})`,
    `Seeded accounts to pay: ${accounts.join(', ')}`,
    `Resident card: on the kiosk press ${kioskLabel(o.words, 'payTitle')}, then ${kioskLabel(o.words, 'demoCard')} (card ${DEMO_CARD_UID}, 3 accounts)`,
    'Pay by card terminal or by QR: for QR, open the "simulated wallet" link (or scan the code) and confirm',
    `Printed receipts (ESC/POS bytes and PNG previews): ${join(o.dataDir, 'devices', 'kiosk', 'printer')}`,
    '',
    'The admin API from a shell: log in once; the curl lines below use $TOKEN:',
    `  TOKEN=$(curl -s ${serverUrl}/api/v1/admin/login -H 'content-type: application/json' -d '${loginBody}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')`,
    `Today's reconciliation report (JSON; add &format=csv for a spreadsheet):`,
    `  curl -s -H "authorization: Bearer $TOKEN" "${report}"`,
    '',
    'Publish from the admin side and watch the lobby screen and the LED sign follow (signed, over TUF):',
    `  node bin/linli.js notice publish ${auth} --node ${state.communityId} \\`,
    "    --title '明日停水通知' --body '因管道检修，明日上午九点至下午三点停水，请提前储水。' --category utility --priority important",
    'An emergency takes over every screen of the street at once; it lapses after --ttl seconds unless renewed:',
    `  node bin/linli.js notice emergency ${auth} --node ${state.streetId} \\`,
    "    --title '燃气泄漏，请立即撤离' --body '请按工作人员指引从最近的安全出口离开大楼。' --ttl 120",
    'The same with curl (create with publish:true; $TOKEN from the login line above):',
    `  curl -s ${serverUrl}/api/v1/admin/notices -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"targets":{"nodeIds":["${state.streetId}"]},"title":{"zh":"暴雨红色预警"},"body":{"zh":"请勿外出，远离低洼地带。"},"priority":"emergency","emergencyTtlSec":120,"publish":true}'`,
    'Then: who showed it, and when; what the screens show now:',
    `  node bin/linli.js notice list ${auth}`,
    `  node bin/linli.js notice plays <notice id> ${auth}`,
    `  node bin/linli.js notice screenshot ${lobby ?? '<lobby device id>'} ${auth} --out .`,
    `  node bin/linli.js notice screenshot ${led ?? '<led device id>'} ${auth} --out .`,
    '',
    'Press Ctrl-C to stop.',
  ];
}
