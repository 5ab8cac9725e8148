import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Hardware } from '../../../protocol/schemas/enrollment.js';

/** What the device can say about itself, so an admin can tell devices apart; best effort, never secret. */
export async function hardwareInfo(): Promise<Hardware> {
  const hw: Hardware = { hostname: hostname().slice(0, 128) };
  const machineId = await readFirst(['/etc/machine-id', '/var/lib/dbus/machine-id']);
  if (machineId) hw.machineId = machineId.slice(0, 128);
  const model = await readFirst(['/sys/firmware/devicetree/base/model', '/sys/class/dmi/id/product_name']);
  if (model) hw.model = model.replace(/\0/g, '').slice(0, 128);
  return hw;
}

async function readFirst(paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      const v = (await readFile(p, 'utf8')).trim();
      if (v) return v;
    } catch {
      // not present on this board; try the next source
    }
  }
  return undefined;
}
