import { type Static, Type } from '@sinclair/typebox';
import { DeviceRole, IdSchema, IsoTime, NodeLevel, strict } from './common.js';

export const LoginRequest = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  strict,
);
export type LoginRequest = Static<typeof LoginRequest>;

export const AdminRole = Type.Union([Type.Literal('admin'), Type.Literal('staff')], {
  description:
    'admin: everything within its node; staff: drafts notices for approval, links resident cards, looks after office appointments (the permission table is in docs/architecture.md)',
});
export type AdminRole = Static<typeof AdminRole>;

export const AdminView = Type.Object({
  id: IdSchema('adm'),
  username: Type.String(),
  role: AdminRole,
  nodeId: IdSchema('node'),
});
export type AdminView = Static<typeof AdminView>;

export const LoginResponse = Type.Object({
  token: Type.String(),
  expiresAt: IsoTime,
  admin: AdminView,
});
export type LoginResponse = Static<typeof LoginResponse>;

export const NodeView = Type.Object({
  id: IdSchema('node'),
  parentId: Type.Union([IdSchema('node'), Type.Null()]),
  level: NodeLevel,
  name: Type.String(),
  timezone: Type.String(),
  path: Type.Array(Type.String(), { description: 'names from the city down to this node' }),
  createdAt: IsoTime,
});
export type NodeView = Static<typeof NodeView>;

export const CreateNodeRequest = Type.Object(
  {
    parentId: IdSchema('node'),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    level: Type.Optional(NodeLevel),
    timezone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Asia/Shanghai' }),
    ),
  },
  strict,
);
export type CreateNodeRequest = Static<typeof CreateNodeRequest>;

/** A device tag given through a token: short kebab-case, so notice targeting and the tag index can match it. */
export const TokenTag = Type.String({
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  minLength: 1,
  maxLength: 32,
  description: 'lower-case kebab-case, 1–32 chars, e.g. lobby-east',
});

export const CreateTokenRequest = Type.Object(
  {
    nodeId: IdSchema('node'),
    role: DeviceRole,
    expiresInSec: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 24 * 3600, default: 86_400 })),
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
    tags: Type.Optional(
      Type.Array(TokenTag, {
        maxItems: 16,
        uniqueItems: true,
        description: 'up to 16 distinct tags every device enrolled with this token inherits',
      }),
    ),
  },
  strict,
);
export type CreateTokenRequest = Static<typeof CreateTokenRequest>;

export const TokenView = Type.Object({
  id: IdSchema('tok'),
  token: Type.String({ description: 'shown once; the control plane keeps only its hash' }),
  nodeId: IdSchema('node'),
  role: DeviceRole,
  expiresAt: IsoTime,
  maxUses: Type.Integer(),
  tags: Type.Array(Type.String()),
});
export type TokenView = Static<typeof TokenView>;

export const DeviceView = Type.Object({
  id: IdSchema('dev'),
  role: DeviceRole,
  nodeId: IdSchema('node'),
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked')]),
  tags: Type.Array(Type.String()),
  online: Type.Boolean(),
  lastSeenAt: Type.Union([IsoTime, Type.Null()]),
  enrolledAt: IsoTime,
});
export type DeviceView = Static<typeof DeviceView>;

export const NodeListQuery = Type.Object(
  { parentId: Type.Optional(IdSchema('node')) },
  { ...strict, description: 'without parentId: every node the admin may see (its subtree)' },
);
export type NodeListQuery = Static<typeof NodeListQuery>;

export const NodeListResponse = Type.Object({ nodes: Type.Array(NodeView) });
export type NodeListResponse = Static<typeof NodeListResponse>;

export const DeviceListQuery = Type.Object(
  {
    nodeId: Type.Optional(IdSchema('node')),
    role: Type.Optional(DeviceRole),
  },
  {
    ...strict,
    description: "devices at nodeId or below it (default: the admin's node), optionally one role",
  },
);
export type DeviceListQuery = Static<typeof DeviceListQuery>;

export const DeviceListResponse = Type.Object({ devices: Type.Array(DeviceView) });
export type DeviceListResponse = Static<typeof DeviceListResponse>;

export const TokenIdParams = Type.Object({ id: IdSchema('tok') }, strict);
export type TokenIdParams = Static<typeof TokenIdParams>;

export const DeviceIdParams = Type.Object({ id: IdSchema('dev') }, strict);
export type DeviceIdParams = Static<typeof DeviceIdParams>;

/** A token as listed after creation: never the token string, which is shown once. */
export const TokenStatusView = Type.Object({
  id: IdSchema('tok'),
  nodeId: IdSchema('node'),
  role: DeviceRole,
  expiresAt: IsoTime,
  maxUses: Type.Integer(),
  uses: Type.Integer(),
  revokedAt: Type.Union([IsoTime, Type.Null()]),
});
export type TokenStatusView = Static<typeof TokenStatusView>;

export const TokenState = Type.Union(
  [Type.Literal('active'), Type.Literal('used'), Type.Literal('expired'), Type.Literal('revoked')],
  { description: 'revoked, else used (no uses left), else expired, else active' },
);
export type TokenState = Static<typeof TokenState>;

export const TokenListQuery = Type.Object(
  {
    nodeId: Type.Optional(IdSchema('node')),
    state: Type.Optional(TokenState),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  {
    ...strict,
    description: "tokens of nodeId's subtree (default: the admin's node), newest first",
  },
);
export type TokenListQuery = Static<typeof TokenListQuery>;

/** A listed token: never the token string (shown once at creation) nor its hash. */
export const TokenListItem = Type.Object({
  ...TokenStatusView.properties,
  state: TokenState,
  usesLeft: Type.Integer(),
  tags: Type.Array(Type.String()),
  createdBy: Type.Object({
    id: IdSchema('adm'),
    username: Type.Union([Type.String(), Type.Null()], { description: 'null when the account is gone' }),
  }),
  createdAt: IsoTime,
  lastUsedAt: Type.Union([IsoTime, Type.Null()], { description: 'when a device last enrolled with it' }),
});
export type TokenListItem = Static<typeof TokenListItem>;

export const TokenListResponse = Type.Object({ tokens: Type.Array(TokenListItem) });
export type TokenListResponse = Static<typeof TokenListResponse>;

export const CreateAdminRequest = Type.Object(
  {
    username: Type.String({
      pattern: '^[a-z][a-z0-9._-]{2,31}$',
      description: 'lower-case login name, 3–32 chars',
    }),
    role: AdminRole,
    nodeId: IdSchema('node'),
  },
  strict,
);
export type CreateAdminRequest = Static<typeof CreateAdminRequest>;

export const CreateAdminResponse = Type.Object({
  admin: AdminView,
  password: Type.String({ description: 'random first password, shown once; only its hash is stored' }),
});
export type CreateAdminResponse = Static<typeof CreateAdminResponse>;

export const AdminListResponse = Type.Object({ admins: Type.Array(AdminView) });
export type AdminListResponse = Static<typeof AdminListResponse>;
