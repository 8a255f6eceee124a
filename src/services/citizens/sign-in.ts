// A citizen's VNeID sign-in and sign-out as use-cases: the checked claims (identity/citizen-claims.ts) written as the
// citizen and their family, the session started with the sign-in's level of assurance and ID token, and the audit
// entry — in one transaction, so a sign-in is either all there or not at all.
import type { Db } from '../../db/client.js';
import { findCitizenById, upsertCitizen, type CitizenRelationInput, type CitizenRow } from '../../db/repositories/citizens.js';
import type { CompletedLogin } from '../../identity/oidc-client.js';
import { citizenActor, recordAudit } from '../audit/audit.js';
import { endCitizenSession, startCitizenSession } from './sessions.js';

export interface CitizenSignIn { citizen: CitizenRow; token: string; expiresAt: Date }

export async function signInCitizen(db: Db, login: CompletedLogin, ip: string | null): Promise<CitizenSignIn> {
  const { claims } = login;
  const family: CitizenRelationInput[] = claims.family.map((m) => ({
    relation: m.relation, personalId: m.personalId, fullName: m.fullName, birthDate: m.birthDate, gender: m.gender,
  }));
  return db.transaction(async (tx) => {
    const citizen = await upsertCitizen(tx, {
      personalId: claims.personalId, issuer: login.issuer, subject: login.subject, fullName: claims.fullName,
      birthDate: claims.birthDate, gender: claims.gender, email: claims.email, phone: claims.phone,
      permanentAddress: claims.permanentAddress, currentAddress: claims.currentAddress, loa: claims.loa,
      claims: { ...claims }, lastLoginAt: new Date(),
    }, family);
    const session = await startCitizenSession(tx, citizen.id, claims.loa, login.idToken);
    await recordAudit(tx, citizenActor(citizen, ip), 'citizen.login', claims.personalId, {
      issuer: login.issuer, loa: claims.loa, family: family.length,
    });
    return { citizen, ...session };
  });
}

/** Ends the session behind the token; returns its ID token (for the provider's logout) when there was one. */
export async function signOutCitizen(db: Db, token: string, ip: string | null): Promise<{ idToken: string | null } | undefined> {
  return db.transaction(async (tx) => {
    const ended = await endCitizenSession(tx, token);
    if (!ended) return undefined;
    const citizen = await findCitizenById(tx, ended.citizenId);
    if (citizen) await recordAudit(tx, citizenActor(citizen, ip), 'citizen.logout', citizen.personalId);
    return { idToken: ended.idToken };
  });
}
