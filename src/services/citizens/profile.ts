// Who the signed-in citizen is, as their last VNeID sign-in vouched for them: their own fields, this session's level
// of assurance, and their family (children first, then parents, spouse, head of household; oldest first).
import type { Db } from '../../db/client.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { citizenFamily, type FamilyMember } from './family.js';

export interface CitizenProfile {
  personalId: string; fullName: string; birthDate: string | null; gender: string | null; email: string | null; phone: string | null;
  permanentAddress: string | null; currentAddress: string | null; loa: string | null;
  family: FamilyMember[];
}

export async function citizenProfile(db: Db, caller: Caller): Promise<CitizenProfile> {
  if (caller.kind !== 'citizen') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập bằng VNeID.');
  const { citizen } = caller;
  const family = (await citizenFamily(db, citizen)).members;
  return {
    personalId: citizen.personalId, fullName: citizen.fullName, birthDate: citizen.birthDate, gender: citizen.gender,
    email: citizen.email, phone: citizen.phone, permanentAddress: citizen.permanentAddress, currentAddress: citizen.currentAddress,
    loa: caller.loa, family,
  };
}
