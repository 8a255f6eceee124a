// Who is asking, and what they may see. Staff reach the dossiers of their unit's subtree, and a one-stop desk
// reaches every dossier of its agency; a citizen reaches a dossier by its tracking token.
// Acting needs the dossier to be with one of the caller's units now; seeing it also covers units it was handed
// from (the sending school keeps sight of a transfer it released), via the control-slip rows. PERMISSIONS: what
// staff roles may do outside the workflow files (reports, exports).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import type { Db } from '../db/client.js';
import { findDossierByCode, type DossierRow } from '../db/repositories/dossiers.js';
import { handledByAny, unitIdsOfAgency } from '../db/repositories/routing.js';
import { findUnit, unitSubtree, type StaffRow } from '../db/repositories/staff.js';
import { AppError, dossierNotFound } from '../errors.js';

export type Caller =
  | { kind: 'staff'; staff: StaffRow }
  | { kind: 'public'; bearer: string | null }
  | { kind: 'system' };

export interface Actor {
  kind: 'citizen' | 'staff' | 'system';
  id: string | null;
  name: string;
  roles: string[];
  staff?: StaffRow;
}

export interface StaffReach { unitIds: string[]; agencyCodes: string[] }

/**
 * A one-stop desk reaches every unit of its own agency (by unit, not by the dossier's agency code: a transfer between
 * two schools carries the department's code in its dossier code but is none of the department desk's business).
 * `agencyCodes` stays in the shape for callers that filter by it; it is empty now.
 */
export async function staffReach(db: Db, staff: StaffRow): Promise<StaffReach> {
  const [subtree, unit] = await Promise.all([unitSubtree(db, staff.unitId), findUnit(db, staff.unitId)]);
  if (unit?.kind !== 'one_stop_desk') return { unitIds: subtree, agencyCodes: [] };
  const agencyUnits = await unitIdsOfAgency(db, unit.agencyCode);
  return { unitIds: [...new Set([...subtree, ...agencyUnits])], agencyCodes: [] };
}

export function reaches(reach: StaffReach, dossier: Pick<DossierRow, 'unitId' | 'agencyCode'>): boolean {
  return reach.unitIds.includes(dossier.unitId) || reach.agencyCodes.includes(dossier.agencyCode);
}

/**
 * What staff may do outside a dossier's workflow, by role: one table, so a page (the menu, a link) and the service
 * behind it can never disagree. Dossier actions are not here: the workflow file names their roles.
 */
export const PERMISSIONS = {
  /** Export the tracking book (sổ theo dõi hồ sơ). */
  'tracking-book': ['clerk', 'leader', 'admin'],
  /** The service-quality indicators (Decision 766) and their dashboard. */
  stats: ['leader', 'admin'],
  /** Effects that failed for good (a result, a form, an e-mail): see them and run them again. */
  operations: ['admin'],
} as const satisfies Record<string, readonly string[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(staff: Pick<StaffRow, 'roles'>, permission: Permission): boolean {
  const roles: readonly string[] = PERMISSIONS[permission];
  return staff.roles.some((r) => roles.includes(r));
}

/** The dossier and the caller as an actor on it; unknown codes and wrong tokens are the same 404. */
export async function loadDossierFor(
  ctx: AppContext, code: string, caller: Caller, purpose: 'view' | 'act' = 'view',
): Promise<{ dossier: DossierRow; actor: Actor }> {
  const dossier = await findDossierByCode(ctx.db, code);
  if (!dossier) throw dossierNotFound();
  return { dossier, actor: await actorForDossier(ctx.db, ctx.secret, dossier, caller, purpose) };
}

/** The caller as an actor on this dossier, or an error: unknown dossiers and wrong tokens look the same (404). */
export async function actorForDossier(db: Db, secret: string, dossier: DossierRow, caller: Caller, purpose: 'view' | 'act' = 'view'): Promise<Actor> {
  switch (caller.kind) {
    case 'system':
      return { kind: 'system', id: null, name: 'Hệ thống', roles: ['system'] };
    case 'staff': {
      const reach = await staffReach(db, caller.staff);
      if (!reaches(reach, dossier)) {
        if (purpose === 'act' || !(await handledByAny(db, dossier.id, reach.unitIds))) {
          throw new AppError('UNIT_FORBIDDEN', purpose === 'act' ? 'Hồ sơ hiện không do đơn vị của bạn xử lý.' : 'Hồ sơ không thuộc đơn vị của bạn.');
        }
        // Seen, not acted on: no role, so no action is offered.
        return { kind: 'staff', id: caller.staff.id, name: caller.staff.fullName, roles: [], staff: caller.staff };
      }
      return { kind: 'staff', id: caller.staff.id, name: caller.staff.fullName, roles: caller.staff.roles, staff: caller.staff };
    }
    case 'public': {
      if (caller.bearer && isTrackingToken(secret, dossier.id, caller.bearer)) {
        return { kind: 'citizen', id: null, name: dossier.applicantName, roles: ['citizen'] };
      }
      throw dossierNotFound();
    }
  }
}

/**
 * The citizen's tracking token is derived from the dossier id with the application secret, so it can be handed out
 * again for an idempotent replay without ever being stored.
 */
export function trackingTokenFor(secret: string, dossierId: string): string {
  return createHmac('sha256', secret).update(`tracking:${dossierId}`).digest('base64url');
}

export function isTrackingToken(secret: string, dossierId: string, token: string): boolean {
  const expected = Buffer.from(trackingTokenFor(secret, dossierId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
