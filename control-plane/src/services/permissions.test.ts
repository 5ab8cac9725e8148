import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS, permissionsOf, roleHas } from './permissions.js';

const DOC = join(import.meta.dirname, '..', '..', '..', 'docs', 'architecture.md');

/** The rows of the table between the permissions markers in docs/architecture.md. */
function docTable(): [string, string[]][] {
  const text = readFileSync(DOC, 'utf8');
  const body = /<!-- permissions:start -->\n([\s\S]*?)\n<!-- permissions:end -->/.exec(text)?.[1];
  if (!body) throw new Error('docs/architecture.md has no permissions table between its markers');
  return body
    .split('\n')
    .slice(2)
    .map((line) => {
      const [perm, admin, staff] = line
        .split('|')
        .slice(1, 4)
        .map((c) => c.trim());
      const roles = [admin === '✓' ? 'admin' : '', staff === '✓' ? 'staff' : ''].filter(Boolean);
      return [perm!.replaceAll('`', ''), roles];
    });
}

describe('the permission table', () => {
  it('is the one docs/architecture.md shows', () => {
    const doc = docTable();
    expect(doc.length).toBeGreaterThan(20);
    expect(doc).toEqual(Object.entries(PERMISSIONS).map(([p, roles]) => [p, [...roles]]));
  });

  it('gives admins everything and staff only drafting, cards, appointments and what those read', () => {
    expect(permissionsOf('admin')).toEqual(Object.keys(PERMISSIONS));
    expect(permissionsOf('staff')).toEqual([
      'nodes.read',
      'devices.read',
      'commands.read',
      'notices.read',
      'notices.draft',
      'media.upload',
      'cards.read',
      'cards.link',
      'cards.revoke',
      'catalogue.read',
      'appointments.read',
      'appointments.cancel',
      'config.read',
      // Staff at a desk see the alerts (paper out at their kiosk); only admins acknowledge them.
      'alerts.read',
    ]);
    expect(roleHas('staff', 'alerts.ack')).toBe(false);
    expect(roleHas('staff', 'enrollment.create')).toBe(false);
    expect(roleHas('staff', 'config.write')).toBe(false);
    expect(roleHas('staff', 'devices.revoke')).toBe(false);
  });
});
