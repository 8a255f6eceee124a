// A citizen signed in without going through the identity provider: the citizen and their family written as a VNeID
// sign-in would write them, and a live session. For tests of what a signed-in citizen may see and do; the sign-in
// itself is tested against a real OpenID Provider (oidc-provider).
import type { Db } from '../../src/db/client.js';
import { upsertCitizen, type CitizenRelationInput, type CitizenRow } from '../../src/db/repositories/citizens.js';
import { CITIZEN_COOKIE, startCitizenSession } from '../../src/services/citizens/sessions.js';

export interface SignedInCitizen {
  citizen: CitizenRow;
  token: string;
  /** `Cookie` header value for inject / fetch. */
  cookie: string;
}

let seq = 0;

/** A 12-digit personal ID number unlikely to collide within one test database. */
export function testPersonalId(): string {
  seq += 1;
  return `0${String(Date.now() % 1e8).padStart(8, '0')}${String(seq % 1000).padStart(3, '0')}`;
}

export async function signInCitizen(db: Db, person: {
  personalId?: string; fullName: string; birthDate?: string; email?: string; phone?: string;
  permanentAddress?: string; currentAddress?: string; loa?: string;
  family?: CitizenRelationInput[];
}): Promise<SignedInCitizen> {
  const personalId = person.personalId ?? testPersonalId();
  const citizen = await upsertCitizen(db, {
    personalId, issuer: 'test', subject: `test:${personalId}`, fullName: person.fullName, birthDate: person.birthDate ?? null,
    email: person.email ?? null, phone: person.phone ?? null, permanentAddress: person.permanentAddress ?? null,
    currentAddress: person.currentAddress ?? null, loa: person.loa ?? '2', lastLoginAt: new Date(),
  }, person.family ?? []);
  const { token } = await startCitizenSession(db, citizen.id, person.loa ?? '2', null);
  return { citizen, token, cookie: `${CITIZEN_COOKIE}=${token}` };
}
