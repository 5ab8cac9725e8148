import { type Static, Type } from '@sinclair/typebox';
import { AdminView, NodeView } from './admin.js';
import { DeviceRole, IdSchema, strict } from './common.js';
import { SettingSource } from './fleet.js';

/** PATCH /api/v1/admin/nodes/:id — the same name rule as at creation (trimmed, 1–100 characters). */
export const RenameNodeRequest = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, strict);
export type RenameNodeRequest = Static<typeof RenameNodeRequest>;

/** POST /api/v1/admin/nodes/:id/move — dryRun answers what the move would do and changes nothing. */
export const MoveNodeRequest = Type.Object(
  { parentId: IdSchema('node'), dryRun: Type.Optional(Type.Boolean({ default: false })) },
  strict,
);
export type MoveNodeRequest = Static<typeof MoveNodeRequest>;

/** One setting whose effective value changes for one device because its inheritance changes. */
export const MovedSetting = Type.Object({
  deviceId: IdSchema('dev'),
  key: Type.String(),
  from: Type.Object({ value: Type.Unknown(), source: SettingSource }),
  to: Type.Object({ value: Type.Unknown(), source: SettingSource }),
});
export type MovedSetting = Static<typeof MovedSetting>;

export const MoveNodeReport = Type.Object({
  dryRun: Type.Boolean(),
  /** The node as it is after the move (dry run: as it would be). */
  node: NodeView,
  from: Type.Object({ parentId: IdSchema('node'), path: Type.Array(Type.String()) }),
  to: Type.Object({ parentId: IdSchema('node'), path: Type.Array(Type.String()) }),
  /** Nodes that move: the node and everything below it. */
  nodes: Type.Integer(),
  /** Active devices at or below the node: their targets (notices, config) change. */
  devices: Type.Array(Type.Object({ id: IdSchema('dev'), name: Type.String(), role: DeviceRole })),
  /** Accounts scoped at or below the node: they move with it and keep their scope. */
  accounts: Type.Array(AdminView),
  /** Accounts above the old parent (not above the new one) that no longer see the node. */
  losesSight: Type.Array(AdminView),
  /** Accounts above the new parent (not above the old one) that now see the node. */
  gainsSight: Type.Array(AdminView),
  /** Inherited remote settings whose effective value changes, per device. */
  settings: Type.Array(MovedSetting),
});
export type MoveNodeReport = Static<typeof MoveNodeReport>;
