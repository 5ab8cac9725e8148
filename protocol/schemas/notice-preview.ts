import { type Static, Type } from '@sinclair/typebox';
import { strict } from './common.js';
import { NoticeDraftInput } from './notice-admin.js';

/**
 * Bounds of the console's previews. The panel bounds are the device's own (`led.width`/`led.height` in
 * kiosk/src/config.ts); the picture is at most `pixelsMax` pixels however it is scaled.
 */
export const PREVIEW_LIMITS = {
  ledWidthMin: 8,
  ledWidthMax: 1024,
  ledHeightMin: 8,
  ledHeightMax: 256,
  /** 1: the frame 1:1 (what the device's screenshot gives); 2+: LED dots as a person sees the panel. */
  ledScaleMax: 16,
  ledScaleDefault: 6,
  pixelsMax: 4_000_000,
} as const;

export const LedPanelSpec = Type.Object(
  {
    width: Type.Integer({ minimum: PREVIEW_LIMITS.ledWidthMin, maximum: PREVIEW_LIMITS.ledWidthMax }),
    height: Type.Integer({ minimum: PREVIEW_LIMITS.ledHeightMin, maximum: PREVIEW_LIMITS.ledHeightMax }),
    colors: Type.Union([Type.Literal(1), Type.Literal(2)]),
  },
  { ...strict, description: 'the panel, as in the sign’s device.json (led.width, led.height, led.colors)' },
);
export type LedPanelSpec = Static<typeof LedPanelSpec>;

/** The LED preview: the draft as the composer would save it, on a panel (default 128×32, one colour). */
export const LedPreviewRequest = Type.Object(
  {
    notice: NoticeDraftInput,
    panel: Type.Optional(LedPanelSpec),
    scale: Type.Optional(Type.Integer({ minimum: 1, maximum: PREVIEW_LIMITS.ledScaleMax })),
    font: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9 ]{1,64}$',
        description: 'font family, as the sign’s led.font (default Noto Sans CJK SC)',
      }),
    ),
  },
  strict,
);
export type LedPreviewRequest = Static<typeof LedPreviewRequest>;

/** The lobby preview: the draft on the lobby page of its first target's community. */
export const LobbyPreviewRequest = Type.Object({ notice: NoticeDraftInput }, strict);
export type LobbyPreviewRequest = Static<typeof LobbyPreviewRequest>;
