// The units and unit-role assignments as intake routes with them, kept per process for a few seconds: every filing
// needs the units playing its procedure's roles and the schools it names, and on an admission season's first morning
// that is the same few rows read hundreds of times a second. A unit, agency or role saved through the administration
// services moves the administrative revision: AdminData's reload (context.ts) drops the copy at once in the process
// that saved it, in the others at their next poll; whatever changed them, none is older than ORGANISATION_CACHE_MS.
// Concurrent misses share one load; a failed one is not kept.
import type { Database } from '../../db/client.js';
import { listAllRoleAssignments, type RoleAssignment } from '../../db/repositories/procedure-units.js';
import { listRoutingUnits } from '../../db/repositories/routing.js';
import { TtlCache } from '../admission-lookup/cache.js';

/** How long intake may route with what it read: a unit or role assignment changed elsewhere counts within this. */
export const ORGANISATION_CACHE_MS = 5_000;

export type RoutingUnit = Awaited<ReturnType<typeof listRoutingUnits>>[number];

export interface IntakeOrganisation {
  units: ReadonlyMap<string, RoutingUnit>;
  assignments: readonly RoleAssignment[];
}

type Handle = Pick<Database, 'query'>;

// One cache per database handle: several apps (tests, tools) can live in one process on different databases.
const caches = new WeakMap<Handle, TtlCache<IntakeOrganisation>>();

/** Every unit (with its agency) and every role assignment, read at most once per ORGANISATION_CACHE_MS per process. */
export function intakeOrganisation(database: Handle): Promise<IntakeOrganisation> {
  let cache = caches.get(database);
  if (!cache) caches.set(database, (cache = new TtlCache(() => ORGANISATION_CACHE_MS, 1)));
  return cache.get('organisation', async () => {
    const [units, assignments] = await Promise.all([listRoutingUnits(database), listAllRoleAssignments(database)]);
    return { units: new Map(units.map((u) => [u.id, u])), assignments };
  });
}

/** Forget what this process read (an administrative change; tests that edit rows directly). */
export function forgetIntakeOrganisation(database: Handle): void {
  caches.get(database)?.clear();
}
