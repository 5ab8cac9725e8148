import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The player's static files (plain CSS/JS, no build step), served by the device's local web server. */
export const PLAYER_ASSETS = {
  'player.js': 'text/javascript; charset=utf-8',
  'player.css': 'text/css; charset=utf-8',
} as const;
export type PlayerAsset = keyof typeof PLAYER_ASSETS;

export function readPlayerAsset(name: PlayerAsset): Promise<Buffer> {
  return readFile(fileURLToPath(new URL(`./static/${name}`, import.meta.url)));
}
