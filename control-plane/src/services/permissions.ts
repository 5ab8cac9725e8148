import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { AdminRole } from '../../../protocol/schemas/admin.js';
import type { AdminPrincipal } from './context.js';

/**
 * What each admin role may do: the one table every admin route declares against (route `config.permission`,
 * enforced by `routes/admin/autohooks.ts`). Staff draft notices, link resident cards and look after office
 * appointments, and read what they need for that (nodes and devices to target, the catalogue); admins do
 * everything. Scope (which part of the hierarchy) and level rules (emergencies: district or higher;
 * categories: city) are the services' business, on top of this.
 */
export const PERMISSIONS = {
  'nodes.read': ['admin', 'staff'],
  'nodes.create': ['admin'],
  'admins.read': ['admin'],
  'admins.create': ['admin'],
  'enrollment.read': ['admin'],
  'enrollment.create': ['admin'],
  'enrollment.revoke': ['admin'],
  'devices.read': ['admin', 'staff'],
  'devices.revoke': ['admin'],
  'devices.plays': ['admin'],
  'devices.screenshot': ['admin'],
  'commands.send': ['admin'],
  'commands.read': ['admin', 'staff'],
  'notices.read': ['admin', 'staff'],
  'notices.draft': ['admin', 'staff'],
  'notices.approve': ['admin'],
  'notices.withdraw': ['admin'],
  'notices.emergency': ['admin'],
  'notices.plays': ['admin'],
  'media.upload': ['admin', 'staff'],
  'cards.read': ['admin', 'staff'],
  'cards.link': ['admin', 'staff'],
  'cards.revoke': ['admin', 'staff'],
  'payments.read': ['admin'],
  'payments.refund': ['admin'],
  'payments.reprint': ['admin'],
  'payments.reconcile': ['admin'],
  'catalogue.read': ['admin', 'staff'],
  'catalogue.write': ['admin'],
  'appointments.read': ['admin', 'staff'],
  'appointments.cancel': ['admin', 'staff'],
  'webhooks.manage': ['admin'],
  'config.read': ['admin', 'staff'],
  'config.write': ['admin'],
  'alerts.read': ['admin', 'staff'],
  'alerts.ack': ['admin'],
} as const satisfies Record<string, readonly AdminRole[]>;

export type Permission = keyof typeof PERMISSIONS;

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && Object.hasOwn(PERMISSIONS, value);
}

export function roleHas(role: AdminRole, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly AdminRole[]).includes(role);
}

/** The permissions a role holds, in table order. */
export function permissionsOf(role: AdminRole): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => roleHas(role, p));
}

/**
 * 403 FORBIDDEN when the admin's role lacks the permission. The message names only the caller's own role
 * and the permission, nothing about the object asked for.
 */
export function requirePermission(principal: AdminPrincipal, permission: Permission): void {
  if (!roleHas(principal.admin.role, permission)) {
    throw new LinliError(
      ErrorCode.FORBIDDEN,
      `your ${principal.admin.role} account lacks the permission ${permission}; ask an admin of your community or above`,
      { permission },
    );
  }
}
