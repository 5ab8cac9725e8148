/**
 * The screen browser moved to kiosk/src/screen/browser-supervisor.ts (issue 12: supervised over DevTools,
 * restarted on crash or hang). This name stays for code written against the first version.
 */
export { BrowserSupervisor as ScreenBrowser } from '../screen/browser-supervisor.js';
export { identifyLabel, type PageMarks } from '../screen/page-scripts.js';
