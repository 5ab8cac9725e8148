/**
 * One LED panel frame. The same shape as `LedFrame` in device-drivers/contracts/led-controller.ts (which the
 * device's driver takes), spelt again here so the control plane's preview can render frames without importing
 * device-drivers/: TypeScript compares the two structurally, so a frame from here goes to a driver unchanged.
 */
export interface LedFrame {
  readonly width: number;
  readonly height: number;
  /** 1: single-colour panel; 2: dual-colour (pixel values 1 red, 2 green, 3 amber). */
  readonly colors: 1 | 2;
  /** One value per pixel, row-major; 0 is unlit. */
  readonly pixels: Uint8Array;
}
