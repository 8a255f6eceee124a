// The audit entry of an act on a dossier (a workflow action, a clock action, a claim or assignment): one
// `dossier.<action>` row, target = the dossier code, written in the act's own transaction by its use-case.
import type { Db } from '../../db/client.js';
import type { Actor, Caller } from '../access.js';
import { recordAudit, staffActor, SYSTEM_ACTOR, type AuditActor } from './audit.js';

/** Who acted, as the audit log keeps it: staff by account (and the address they came from), a citizen by name. */
export function auditActorOf(actor: Actor, caller?: Caller): AuditActor {
  const ip = caller?.kind === 'staff' ? caller.ip ?? null : null;
  if (actor.kind === 'staff' && actor.staff) return staffActor(actor.staff, ip);
  if (actor.kind === 'citizen') return { id: null, name: actor.name, kind: 'citizen', ip };
  if (actor.kind === 'system') return SYSTEM_ACTOR;
  return { id: actor.id, name: actor.name, kind: 'staff', ip };
}

export interface DossierActionDetails {
  from: string;
  to: string;
  /** The dossier's version after the act. */
  version: number;
  /** The action's Vietnamese label when it was taken (the log shows it as written, whatever the workflow says later). */
  label: string;
  [more: string]: unknown;
}

export async function recordDossierAction(
  db: Db, actor: Actor, caller: Caller | undefined, code: string, action: string, details: DossierActionDetails,
): Promise<void> {
  await recordAudit(db, auditActorOf(actor, caller), `dossier.${action}`, code, details);
}
