/**
 * The shell of the pages a printed QR opens (receipts `/r/:id`, appointment slips `/a/:id`): one glance says
 * genuine or not, Chinese first, phone-sized, no script. Each page supplies its banner texts, the details
 * table and a few extra style rules.
 */
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export interface Banner {
  icon: string;
  zh: string;
  en: string;
  color: string;
  bg: string;
}

export interface VerdictPage {
  status: string;
  banner: Banner;
  reason: { zh: string; en: string };
  /** Trusted HTML (built with escapeHtml), shown only for a genuine document. */
  details: string;
  /** Page-specific CSS rules, appended after the shared ones. */
  css: string;
  footer: { zh: string; en: string };
  /** The LINLI_ERR code shown under a failed verdict. */
  code?: string | undefined;
}

export function renderVerdictPage(p: VerdictPage): string {
  const b = p.banner;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${b.zh} · ${b.en} — Linli 邻里</title>
<style>
  body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; margin: 0;
         font-size: 22px; line-height: 1.5; color: #111; background: #fafafa; }
  main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  .banner { background: ${b.bg}; color: ${b.color}; border: 3px solid ${b.color}; border-radius: 12px;
            padding: 1.25rem; text-align: center; }
  .icon { font-size: 4rem; line-height: 1; font-weight: 700; }
  h1 { font-size: 2rem; margin: .5rem 0 0; }
  .reason { margin: 1rem 0 0; font-size: 1.1rem; }
  .reason span { display: block; }
  table { width: 100%; border-collapse: collapse; background: #fff; }
  th, td { text-align: left; padding: .6rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { font-weight: 600; }
  td { overflow-wrap: anywhere; }
  footer { margin-top: 2rem; font-size: .9rem; }
${p.css}
</style>
</head>
<body>
<main>
  <section class="banner" role="status" aria-live="polite" data-status="${escapeHtml(p.status)}">
    <div class="icon" aria-hidden="true">${b.icon}</div>
    <h1><span lang="zh">${b.zh}</span><small lang="en">${b.en}</small></h1>
    <p class="reason"><span lang="zh">${escapeHtml(p.reason.zh)}</span><span lang="en">${escapeHtml(p.reason.en)}</span></p>
  </section>
  ${p.details}
  <footer>
    <span lang="zh">${p.footer.zh}</span> · <span lang="en">${p.footer.en}</span>
    ${p.code && p.status !== 'valid' ? `<br><code>${escapeHtml(p.code)}</code>` : ''}
  </footer>
</main>
</body>
</html>
`;
}
