// Words (zh + en) and marks for alerts and device health, shared by the alerts view and the device page's
// health section. A state is always an icon AND words, never colour alone.
import { badge } from './dom.js';

export const RULES = {
  'device-offline': ['设备离线', 'Device offline'],
  'printer-offline': ['打印机离线', 'Printer offline'],
  'paper-out': ['打印机缺纸', 'Paper out'],
  'paper-low': ['打印纸将尽', 'Paper low'],
  'printer-cover-open': ['打印机盖未关', 'Printer cover open'],
  'card-reader-gone': ['读卡器未连接', 'Card reader gone'],
  'terminal-unreachable': ['支付终端无响应', 'Terminal unreachable'],
  'led-offline': ['LED 屏离线', 'LED sign offline'],
  'emergency-unacknowledged': ['紧急通知未确认显示', 'Emergency not acknowledged'],
  'payment-unknown-repeated': ['多笔支付结果未知', 'Repeated unknown payments'],
};

const SEVERITY = {
  critical: ['bad', '严重', 'Critical'],
  warning: ['warn', '警告', 'Warning'],
  info: ['info', '提示', 'Info'],
};

const STATE = {
  open: ['alert', '未处理', 'open'],
  acknowledged: ['info', '已确认', 'acknowledged'],
  resolved: ['ok', '已解决', 'resolved'],
};

export const ruleText = (rule) => (RULES[rule] ? `${RULES[rule][0]} ${RULES[rule][1]}` : rule);

export function severityBadge(s) {
  const [kind, zh, en] = SEVERITY[s] ?? ['info', s, ''];
  return badge(kind, `${zh} ${en}`);
}

export function stateBadge(s) {
  const [kind, zh, en] = STATE[s] ?? ['info', s, ''];
  return badge(kind, `${zh} ${en}`);
}

/** Unresolved first (open, then acknowledged), newest first: the order the API answers in too. */
export function sortAlerts(alerts) {
  const rank = { open: 0, acknowledged: 1, resolved: 2 };
  return [...alerts].sort((a, b) => rank[a.state] - rank[b.state] || b.openedAt.localeCompare(a.openedAt));
}
