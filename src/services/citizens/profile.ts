// Who the signed-in citizen is, as their last VNeID sign-in vouched for them: their own fields, this session's level
// of assurance, and their family (children first, then parents, spouse, head of household; oldest first).
import type { Db } from '../../db/client.js';
import { listRelations } from '../../db/repositories/citizens.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';

const RELATION_ORDER = ['child', 'parent', 'spouse', 'head_of_household'] as const;

export interface CitizenProfile {
  personalId: string; fullName: string; birthDate: string | null; gender: string | null; email: string | null; phone: string | null;
  permanentAddress: string | null; currentAddress: string | null; loa: string | null;
  family: Array<{ relation: (typeof RELATION_ORDER)[number]; personalId: string; fullName: string; birthDate: string | null; gender: string | null }>;
}

export async function citizenProfile(db: Db, caller: Caller): Promise<CitizenProfile> {
  if (caller.kind !== 'citizen') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập bằng VNeID.');
  const { citizen } = caller;
  const relations = await listRelations(db, citizen.id);
  const family = relations
    .sort((a, b) => RELATION_ORDER.indexOf(a.relation) - RELATION_ORDER.indexOf(b.relation)
      || (a.birthDate ?? '9999').localeCompare(b.birthDate ?? '9999') || a.fullName.localeCompare(b.fullName, 'vi'))
    .map((r) => ({ relation: r.relation, personalId: r.personalId, fullName: r.fullName, birthDate: r.birthDate, gender: r.gender }));
  return {
    personalId: citizen.personalId, fullName: citizen.fullName, birthDate: citizen.birthDate, gender: citizen.gender,
    email: citizen.email, phone: citizen.phone, permanentAddress: citizen.permanentAddress, currentAddress: citizen.currentAddress,
    loa: caller.loa, family,
  };
}
