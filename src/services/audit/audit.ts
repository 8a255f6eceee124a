// The audit trail of every staff and administrator act, and of citizens' sign-ins (audit_log, append-only: a trigger
// refuses UPDATE, DELETE and TRUNCATE). A use-case records its entry with the same `db`/transaction as the change it
// describes, so an act is logged if and only if it happened; refusals (a wrong password, a wrong PIN) are logged on
// their own.
import type { Db } from '../../db/client.js';
import { insertAuditEntry } from '../../db/repositories/audit.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import type { Actor, Caller } from '../access.js';
import type { AuditAction } from './actions.js';

export interface AuditActor {
  id: string | null;
  name: string;
  kind: 'staff' | 'citizen' | 'system' | 'anonymous';
  ip: string | null;
}

export function staffActor(staff: Pick<StaffRow, 'id' | 'fullName' | 'username'>, ip?: string | null): AuditActor {
  return { id: staff.id, name: `${staff.fullName} (${staff.username})`, kind: 'staff', ip: ip ?? null };
}

/** A citizen signed in with VNeID, named with their ID number: citizens have no username. */
export function citizenActor(citizen: { id: string; fullName: string; personalId: string }, ip?: string | null): AuditActor {
  return { id: citizen.id, name: `${citizen.fullName} (${citizen.personalId})`, kind: 'citizen', ip: ip ?? null };
}

export function anonymousActor(ip?: string | null, name = 'Không xác định'): AuditActor {
  return { id: null, name, kind: 'anonymous', ip: ip ?? null };
}

/** The audit actor of a citizen acting on a dossier: signed in with VNeID and concerned by it, or holding its tracking token. */
export function dossierCitizenActor(caller: Caller, actor: Actor, ip: string | null): AuditActor {
  if (caller.kind === 'citizen' && actor.id === caller.citizen.id) return citizenActor(caller.citizen, ip);
  return anonymousActor(ip, 'Người giữ mã tra cứu hồ sơ');
}

export const SYSTEM_ACTOR: AuditActor = { id: null, name: 'Hệ thống', kind: 'system', ip: null };

export async function recordAudit(
  db: Db, actor: AuditActor, action: AuditAction, target: string | null = null, details: Record<string, unknown> = {},
): Promise<void> {
  await insertAuditEntry(db, { actorId: actor.id, actorName: actor.name, actorKind: actor.kind, action, target, ip: actor.ip, details });
}
