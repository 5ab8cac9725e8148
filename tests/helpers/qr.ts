import { readFileSync } from 'node:fs';
import jsQRImport from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS with `exports.default`; under NodeNext the default import may be the module object.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRImport as unknown as { default?: Decode }).default ?? jsQRImport) as unknown as Decode;

/** Decodes the first QR code in a PNG (file path or bytes); null when there is none. */
export function decodeQrPng(png: string | Buffer): string | null {
  const img = PNG.sync.read(typeof png === 'string' ? readFileSync(png) : png);
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data ?? null;
}

export function decodeQrRgba(data: Uint8ClampedArray, width: number, height: number): string | null {
  return jsQR(data, width, height)?.data ?? null;
}
