// The sections of the console's device page (issue 12), one module each, in page order. Each entry is
// { id, title, render(container, device, ctx) } where `device` is the admin API's device record and `ctx`
// the view context of main.js ({ session, flash, flashError, refresh }). The device view (view-devices.js)
// renders them under its own header (role, node, online history, version, screenshot).
import { commandsSection } from './device-section-commands.js';

export const DEVICE_SECTIONS = [commandsSection];
