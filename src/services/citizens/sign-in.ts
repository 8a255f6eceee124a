// A citizen's VNeID sign-in and sign-out as use-cases: the checked claims (identity/citizen-claims.ts) written as the
// citizen and their family, the session started with the sign-in's level of assurance and ID token, and the audit
// entry — in one transaction, so a sign-in is either all there or not at all. The citizen's dead sessions go then too.
import type { Db } from '../../db/client.js';
import {
  findCitizenById, findCitizenBySubject, upsertCitizen, type CitizenRelationInput, type CitizenRow,
} from '../../db/repositories/citizens.js';
import { AppError } from '../../errors.js';
import type { CompletedLogin } from '../../identity/oidc-client.js';
import { citizenActor, recordAudit } from '../audit/audit.js';
import { endCitizenSession, pruneCitizenSessions, startCitizenSession } from './sessions.js';

export interface CitizenSignIn { citizen: CitizenRow; token: string; expiresAt: Date }

const accountOfAnother = () => new AppError('CITIZEN_LOGIN_FAILED',
  'Đăng nhập bằng VNeID không thành công: tài khoản định danh này đã gắn với một số định danh cá nhân khác trên Cổng. '
  + 'Vui lòng liên hệ Bộ phận Tiếp nhận và Trả kết quả để được hỗ trợ; bạn vẫn có thể nộp hồ sơ không cần đăng nhập.');

/**
 * A provider account (issuer, subject) is one person's: when the portal knows it under another personal ID number the
 * sign-in is refused and logged, not re-keyed — a provider fault or a re-used subject must not hand one citizen's space
 * (dossiers, children, documents) to another. A known ID number coming back through a new account is re-keyed (the
 * same person with another provider or account), unless that account is someone else's.
 */
export async function signInCitizen(db: Db, login: CompletedLogin, ip: string | null, log?: { warn(obj: object, msg: string): void }): Promise<CitizenSignIn> {
  const { claims } = login;
  const family: CitizenRelationInput[] = claims.family.map((m) => ({
    relation: m.relation, personalId: m.personalId, fullName: m.fullName, birthDate: m.birthDate, gender: m.gender,
  }));
  const refuse = (citizenId: string | null) => {
    // No ID numbers in the log: the citizen id tells the operator which row to look at.
    log?.warn({ issuer: login.issuer, citizenId }, 'citizen sign-in refused: the provider account is known under another personal ID number');
    return accountOfAnother();
  };
  return db.transaction(async (tx) => {
    const holder = await findCitizenBySubject(tx, login.issuer, login.subject);
    if (holder && holder.personalId !== claims.personalId) throw refuse(holder.id);
    const citizen = await upsertCitizen(tx, {
      personalId: claims.personalId, issuer: login.issuer, subject: login.subject, fullName: claims.fullName,
      birthDate: claims.birthDate, gender: claims.gender, email: claims.email, phone: claims.phone,
      permanentAddress: claims.permanentAddress, currentAddress: claims.currentAddress, loa: claims.loa,
      claims: { ...claims }, lastLoginAt: new Date(),
    }, family).catch((error: unknown) => {
      // The same account signing in twice at once with two ID numbers: the second meets the first's row.
      if (violates(error, 'citizens_subject_uq')) throw refuse(null);
      throw error;
    });
    await pruneCitizenSessions(tx, citizen.id);
    const session = await startCitizenSession(tx, citizen.id, claims.loa, login.idToken);
    await recordAudit(tx, citizenActor(citizen, ip), 'citizen.login', claims.personalId, {
      issuer: login.issuer, loa: claims.loa, family: family.length,
    });
    return { citizen, ...session };
  });
}

function violates(error: unknown, constraint: string): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { constraint_name?: unknown }).constraint_name === constraint) return true;
  }
  return false;
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
