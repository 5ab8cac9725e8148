// The sections of the console's device page (issue 12), one module each, in page order. Each entry is
// { id, title, render(container, device, ctx) }:
// - `id`: short and unique (kebab-case); the region is <section id="sec-<id>" aria-labelledby="sec-<id>-title">.
// - `title`: the heading, a string with zh then en ('配置 Configuration'), or an array of nodes/strings.
// - `render`: may be async; it fills `container` (a div under the heading, showing "Loading…" until then).
//   `device` is the admin API's device detail (GET /api/v1/admin/devices/:id: id, role, nodeId, nodePath,
//   timezone, online, runtime, …); `ctx` is main.js's view context ({ session, flash, flashError, refresh }).
//   A throw or rejection is shown inside that section only ("could not be shown" + its code); the page and
//   the other sections go on. A section that polls must stop when `container.isConnected` is false.
// The device view (device-page.js) renders them under its own header (role, node, online history, version,
// screenshot, proof of play).

import { commandsSection } from './device-section-commands.js';
import { configSection } from './device-section-config.js';
import { HEALTH_SECTION } from './device-section-health.js';

export const DEVICE_SECTIONS = [HEALTH_SECTION, commandsSection, configSection];
