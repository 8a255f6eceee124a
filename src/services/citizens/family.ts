// A signed-in citizen's family as their last VNeID sign-in's claims listed it (citizen_relations): read once, in one
// order, for everything that depends on it — whose dossiers they reach (access.ts), whose their space and store show,
// whom they may file for, and /api/me.
import type { Db } from '../../db/client.js';
import { listRelations, type CitizenRow } from '../../db/repositories/citizens.js';
import { CITIZEN_RELATIONS, type CitizenRelation } from '../../db/schema/citizens.js';

export interface FamilyMember { relation: CitizenRelation; personalId: string; fullName: string; birthDate: string | null; gender: string | null }

export interface CitizenFamily {
  /** Everyone the claims listed: children, then parents, spouse, head of household; oldest first, then by name. */
  members: FamilyMember[];
  /** The children alone, in the same order. */
  children: FamilyMember[];
}

export async function citizenFamily(db: Db, citizen: Pick<CitizenRow, 'id'>): Promise<CitizenFamily> {
  const members = (await listRelations(db, citizen.id))
    .map((r) => ({ relation: r.relation, personalId: r.personalId, fullName: r.fullName, birthDate: r.birthDate, gender: r.gender }))
    // Without a birth date a person comes after those with one.
    .sort((a, b) => CITIZEN_RELATIONS.indexOf(a.relation) - CITIZEN_RELATIONS.indexOf(b.relation)
      || (a.birthDate ?? '9999').localeCompare(b.birthDate ?? '9999') || a.fullName.localeCompare(b.fullName, 'vi'));
  return { members, children: members.filter((m) => m.relation === 'child') };
}

/** The child of that ID number as the claims list them; undefined for anyone else (never an ID number typed in). */
export function childOf(family: CitizenFamily, personalId: string): FamilyMember | undefined {
  return family.children.find((c) => c.personalId === personalId);
}
