/**
 * Declarative printer profiles (herdsman-converters style): what differs between printers is data, not code.
 * The encoder, the udev generator and USB discovery all read these records.
 */
export interface PrinterProfile {
  readonly id: string;
  readonly vendor: string;
  readonly model: string;
  /** USB ids seen on this model; discovery and the udev rules match on them. */
  readonly usb: readonly { readonly vendorId: number; readonly productId: number }[];
  readonly paperWidthMm: 58 | 80;
  /** Characters per line in font A at normal size. */
  readonly columns: number;
  /** Printable dots per line (203 dpi): 576 for 80 mm, 384 for 58 mm. */
  readonly dotsPerLine: number;
  /** Built-in GB font: Chinese mode (FS &) with GBK double-byte text. Without it Chinese goes out as raster. */
  readonly chineseFont: boolean;
  /** Single-byte code pages the printer has (name → ESC t number); `text` picks the one used for Latin text. */
  readonly codePages: Readonly<Record<string, number>>;
  readonly textCodePage: string;
  /** Automatic Status Back (GS a): the printer reports paper and cover changes by itself. */
  readonly asb: boolean;
  readonly defaultBaudRate: number;
  /** Stable name for the udev symlink (/dev/<symlink>). */
  readonly symlink: string;
}

export const EPSON_TM_T88: PrinterProfile = {
  id: 'epson-tm-t88',
  vendor: 'Epson',
  model: 'TM-T88V/VI (international, no Chinese font)',
  usb: [
    { vendorId: 0x04b8, productId: 0x0202 },
    { vendorId: 0x04b8, productId: 0x0e27 },
  ],
  paperWidthMm: 80,
  columns: 48,
  dotsPerLine: 576,
  chineseFont: false,
  codePages: { cp437: 0, cp850: 2, cp860: 3, cp863: 4, cp865: 5, cp1252: 16, cp866: 17, cp858: 19 },
  textCodePage: 'cp437',
  asb: true,
  defaultBaudRate: 38400,
  symlink: 'linli-printer',
};

/** The ubiquitous Chinese 80 mm kiosk printer (Xprinter/Zjiang class, Winbond USB bridge), GB18030 font on board. */
export const CN_80MM: PrinterProfile = {
  id: 'cn-80mm',
  vendor: 'Generic (Xprinter/Zjiang class)',
  model: '80 mm thermal with GB18030 font',
  usb: [
    { vendorId: 0x0416, productId: 0x5011 },
    { vendorId: 0x1fc9, productId: 0x2016 },
  ],
  paperWidthMm: 80,
  columns: 48,
  dotsPerLine: 576,
  chineseFont: true,
  codePages: { cp437: 0 },
  textCodePage: 'cp437',
  asb: true,
  defaultBaudRate: 9600,
  symlink: 'linli-printer',
};

export const PRINTER_PROFILES: readonly PrinterProfile[] = [EPSON_TM_T88, CN_80MM];

export function printerProfile(id: string): PrinterProfile | undefined {
  return PRINTER_PROFILES.find((p) => p.id === id);
}
