// Who is asking, and what they may see. Staff reach the dossiers of their unit's subtree, and a one-stop desk
// reaches every dossier of its agency; a citizen reaches a dossier by its tracking token (current generation, not
// expired: TRACKING_TOKEN_DAYS after the dossier closed). The public verification page shows a result's summary only
// to the holder of the key printed in the result's QR code (verificationKeyFor).
// Acting needs the dossier to be with one of the caller's units now; seeing it also covers units it was handed
// from (the sending school keeps sight of a transfer it released), via the control-slip rows. PERMISSIONS: what
// staff roles may do outside the workflow files (reports, exports).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import type { Db } from '../db/client.js';
import { findDossierByCode, type DossierRow } from '../db/repositories/dossiers.js';
import { handledByAny, unitIdsOfAgency } from '../db/repositories/routing.js';
import { findUnit, unitSubtree, type StaffRow } from '../db/repositories/staff.js';
import type { CitizenRow } from '../db/repositories/citizens.js';
import { AppError, dossierNotFound } from '../errors.js';
import { childOf, citizenFamily } from './citizens/family.js';

export type Caller =
  /** `ip`: where the request came from, for the audit log. */
  | { kind: 'staff'; staff: StaffRow; ip?: string }
  /**
   * A citizen signed in with VNeID (OpenID Connect): `loa` is the level of assurance of this sign-in. `bearer` is a
   * tracking token sent along (a signed-in citizen may still follow a dossier filed without an account).
   */
  | { kind: 'citizen'; citizen: CitizenRow; loa: string | null; bearer: string | null; ip?: string }
  | {
    kind: 'public'; bearer: string | null;
    /**
     * On routes where a Bearer is most often a citizen's tracking token (the status look-up, plugins/caller.ts), the
     * staff session it might also be is looked up only when it is not this dossier's token: the staff caller it
     * names, or undefined. May throw what the session check throws (PASSWORD_CHANGE_REQUIRED).
     */
    staffBearer?: () => Promise<Caller | undefined>;
  }
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
  /** Feedback and complaints (phản ánh, kiến nghị) of the caller's agency: the queue and the answers. */
  feedback: ['leader', 'clerk'],
  /** Effects that failed for good (a result, a form, an e-mail): see them and run them again. */
  operations: ['admin'],
  /** The organisation, staff accounts, keys, calendar, campaigns, procedures and the audit log. */
  administration: ['admin'],
} as const satisfies Record<string, readonly string[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(staff: Pick<StaffRow, 'roles'>, permission: Permission): boolean {
  const roles: readonly string[] = PERMISSIONS[permission];
  return staff.roles.some((r) => roles.includes(r));
}

/** What the access checks read from the application context. */
export type AccessContext = Pick<AppContext, 'db' | 'secret' | 'config'>;

/** The dossier and the caller as an actor on it; unknown codes and wrong tokens are the same 404. */
export async function loadDossierFor(
  ctx: AccessContext, code: string, caller: Caller, purpose: 'view' | 'act' = 'view',
): Promise<{ dossier: DossierRow; actor: Actor }> {
  const dossier = await findDossierByCode(ctx.db, code);
  if (!dossier) throw dossierNotFound();
  return { dossier, actor: await actorForDossier(ctx, dossier, caller, purpose) };
}

/** The caller as an actor on this dossier, or an error: unknown dossiers and wrong tokens look the same (404). */
export async function actorForDossier(ctx: AccessContext, dossier: DossierRow, caller: Caller, purpose: 'view' | 'act' = 'view'): Promise<Actor> {
  const { db } = ctx;
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
    case 'citizen': {
      if (await citizenConcernedBy(db, caller.citizen, dossier)) {
        return { kind: 'citizen', id: caller.citizen.id, name: caller.citizen.fullName, roles: ['citizen'] };
      }
      // Not theirs by identity: a tracking token sent along still opens it, as for anyone.
      return actorForDossier(ctx, dossier, { kind: 'public', bearer: caller.bearer }, purpose);
    }
    case 'public': {
      const state = caller.bearer ? trackingTokenState(ctx, dossier, caller.bearer) : 'wrong';
      if (state === 'valid') return { kind: 'citizen', id: null, name: dossier.applicantName, roles: ['citizen'] };
      // Not this dossier's token: the Bearer may be a staff session (a random token never equals an HMAC of ours).
      const staff = state === 'wrong' ? await caller.staffBearer?.() : undefined;
      if (staff) return actorForDossier(ctx, dossier, staff, purpose);
      // The holder of a right but expired token learns only what they already know: the dossier exists.
      if (state === 'expired') {
        throw new AppError('DOSSIER_NOT_FOUND', `Mã tra cứu đã hết hiệu lực: hồ sơ đã kết thúc hơn ${ctx.config.trackingTokenDays} ngày. `
          + 'Vui lòng liên hệ Bộ phận Tiếp nhận và Trả kết quả nếu cần thông tin về hồ sơ.');
      }
      throw dossierNotFound();
    }
  }
}

/**
 * Settles a caller whose staff session was left for later (staffBearer) when no dossier was found, so the answer is
 * what it would have been with the session looked up first (a session that must change its password: 403).
 */
export async function settleStaffBearer(caller: Caller): Promise<void> {
  if (caller.kind === 'public') await caller.staffBearer?.();
}

/**
 * Whether a signed-in citizen may see a dossier as theirs: they filed it, or it is about them or one of their children
 * (the person the dossier concerns, by ID number, as the identity provider's claims list the family).
 */
export async function citizenConcernedBy(db: Db, citizen: CitizenRow, dossier: Pick<DossierRow, 'citizenId' | 'subjectPersonalId'>): Promise<boolean> {
  if (dossier.citizenId === citizen.id) return true;
  if (!dossier.subjectPersonalId) return false;
  if (dossier.subjectPersonalId === citizen.personalId) return true;
  return childOf(await citizenFamily(db, citizen), dossier.subjectPersonalId) !== undefined;
}

/**
 * The citizen's tracking token is derived from the dossier id and the token's generation with the application
 * secret, so it can be handed out again (an idempotent replay, a notification) without ever being stored, and
 * revoked by bumping the generation (`dossiers.tracking_token_version`). Generation 1 is the id alone: tokens
 * handed out before generations existed stay valid.
 */
export function trackingTokenFor(secret: string, dossierId: string, generation = 1): string {
  const subject = generation === 1 ? `tracking:${dossierId}` : `tracking:${dossierId}:${generation}`;
  return createHmac('sha256', secret).update(subject).digest('base64url');
}

/** The dossier's current tracking token. */
export function currentTrackingToken(secret: string, dossier: Pick<DossierRow, 'id' | 'trackingTokenVersion'>): string {
  return trackingTokenFor(secret, dossier.id, dossier.trackingTokenVersion);
}

export function isTrackingToken(secret: string, dossierId: string, token: string, generation = 1): boolean {
  return sameText(trackingTokenFor(secret, dossierId, generation), token);
}

/**
 * 'valid': the dossier's current token, and the dossier is open or closed less than TRACKING_TOKEN_DAYS ago;
 * 'expired': the current token of a dossier closed longer ago; 'wrong': anything else (older generations too).
 */
export function trackingTokenState(
  ctx: Pick<AppContext, 'secret' | 'config'>, dossier: Pick<DossierRow, 'id' | 'trackingTokenVersion' | 'closedAt'>, token: string, now = new Date(),
): 'valid' | 'expired' | 'wrong' {
  if (!isTrackingToken(ctx.secret, dossier.id, token, dossier.trackingTokenVersion)) return 'wrong';
  if (dossier.closedAt && now.getTime() - dossier.closedAt.getTime() > ctx.config.trackingTokenDays * 86_400_000) return 'expired';
  return 'valid';
}

/**
 * The key printed with a result's verification link (`/verify/:code?k=…`): without it the public page says nothing
 * about a dossier, so sequential codes cannot be walked to learn which exist and who signed them.
 */
export function verificationKeyFor(secret: string, dossierId: string): string {
  return createHmac('sha256', secret).update(`verify:${dossierId}`).digest('base64url').slice(0, 16);
}

export function isVerificationKey(secret: string, dossierId: string, key: string): boolean {
  return sameText(verificationKeyFor(secret, dossierId), key);
}

/** The verification page of a dossier's result, with its key: the QR code on the result and the portal's links. */
export function verificationUrl(secret: string, dossier: Pick<DossierRow, 'id' | 'code'>, base = ''): string {
  return `${base}/verify/${encodeURIComponent(dossier.code)}?k=${verificationKeyFor(secret, dossier.id)}`;
}

function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
