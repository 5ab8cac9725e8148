/** Writes systemd/udev/99-linli-devices.rules from the profiles: `npx tsx device-drivers/discovery/generate-udev-rules.ts`. */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateUdevRules, UDEV_RULES_FILE } from './udev-rules.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
writeFileSync(join(root, UDEV_RULES_FILE), generateUdevRules());
process.stdout.write(`wrote ${UDEV_RULES_FILE}\n`);
