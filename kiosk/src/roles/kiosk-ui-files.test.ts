import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UI_FILES } from './kiosk-routes.js';

describe('the kiosk page’s static files', () => {
  it('serves every module and style sheet in kiosk/src/ui (a missing one stops the page with a 404)', () => {
    const dir = fileURLToPath(new URL('../ui/', import.meta.url));
    const onDisk = readdirSync(dir).filter((f) => /\.(js|css)$/.test(f) && !f.includes('.test.'));
    expect(onDisk.length).toBeGreaterThan(10);
    expect(Object.keys(UI_FILES).sort()).toEqual(onDisk.sort());
  });
});
