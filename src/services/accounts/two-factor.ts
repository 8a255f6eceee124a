// Optional TOTP two-factor sign-in (any account; meant for those who sign). Enrolment stores a new secret — encrypted
// like a server-held signing key (SignerKeys.sealSecret) — which counts only once a code from the app confirms it
// (totp_enabled_at). At sign-in a code is accepted once: the time step it matched is kept with the secret
// ("<sealed>#<step>") and written by compare-and-set, so the same code (or an older one) replayed inside its window,
// even by two requests at once, is refused. An administrator turns it off for a lost phone (staff-accounts.ts).
import type { AppContext } from '../../app-context.js';
import { groupedSecret, matchTotp, newTotpSecret, totpUri } from '../../accounts/totp.js';
import type { Db } from '../../db/client.js';
import { clearLoginFailures, findStaffById, replaceTotpSecret, storePendingTotpSecret, updateStaff, type StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { recordAudit, staffActor } from '../audit/audit.js';
import type { SignerKeys } from '../keys/signer-keys.js';
import { confirmOwnPassword, countAttempt } from './attempts.js';

/** Where TOTP secrets are sealed and opened. */
export type SecretBox = Pick<SignerKeys, 'sealSecret' | 'openSecret'>;
type TwoFactorContext = Pick<AppContext, 'db' | 'signerKeys' | 'organisation'>;

interface StoredTotp { sealed: string; lastStep: number | null }

function parseStored(stored: string): StoredTotp {
  const at = stored.lastIndexOf('#');
  return at < 0 ? { sealed: stored, lastStep: null } : { sealed: stored.slice(0, at), lastStep: Number(stored.slice(at + 1)) };
}

const formatStored = (sealed: string, step: number) => `${sealed}#${step}`;

export const totpEnabled = (staff: Pick<StaffRow, 'totpEnabledAt' | 'totpSecret'>) => staff.totpEnabledAt !== null && staff.totpSecret !== null;

/**
 * Whether `code` is the account's current code and was never accepted before; an accepted code's step is recorded
 * (the caller counts the attempt under the throttle first).
 */
export async function acceptTotpCode(db: Db, box: SecretBox, staff: StaffRow, code: string): Promise<boolean> {
  if (!staff.totpSecret) return false;
  const stored = parseStored(staff.totpSecret);
  const step = matchTotp(await box.openSecret(stored.sealed), code);
  if (step === null || (stored.lastStep !== null && step <= stored.lastStep)) return false;
  return replaceTotpSecret(db, staff.id, staff.totpSecret, formatStored(stored.sealed, step));
}

export interface TotpEnrolment { secret: string; groupedSecret: string; uri: string }
export interface TotpStatus { enabled: boolean; enabledAt: string | null; pending: TotpEnrolment | null }

async function enrolmentOf(ctx: TwoFactorContext, staff: StaffRow): Promise<TotpEnrolment> {
  const secret = await ctx.signerKeys.openSecret(parseStored(staff.totpSecret!).sealed);
  return { secret, groupedSecret: groupedSecret(secret), uri: totpUri(secret, ctx.organisation.departmentName, staff.username) };
}

async function freshAccount(db: Db, staff: StaffRow): Promise<StaffRow> {
  const fresh = await findStaffById(db, staff.id);
  if (!fresh || !fresh.active) throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  return fresh;
}

/** The account's two-factor state: on, or an enrolment begun and waiting for its first code. */
export async function totpStatus(ctx: TwoFactorContext, staff: StaffRow): Promise<TotpStatus> {
  const fresh = await freshAccount(ctx.db, staff);
  if (totpEnabled(fresh)) return { enabled: true, enabledAt: fresh.totpEnabledAt!.toISOString(), pending: null };
  return { enabled: false, enabledAt: null, pending: fresh.totpSecret ? await enrolmentOf(ctx, fresh) : null };
}

/**
 * A new secret for the account's app; two-factor is not on until confirmEnrolment gets a code made from it. The
 * current password is asked first (a counted attempt): a stolen session cookie alone cannot enrol another's app.
 */
export async function beginTotpEnrolment(ctx: TwoFactorContext, staff: StaffRow, currentPassword: string): Promise<TotpEnrolment> {
  const fresh = await freshAccount(ctx.db, staff);
  await confirmOwnPassword(ctx.db, fresh, currentPassword);
  const alreadyEnabled = () => new AppError('TOTP_ALREADY_ENABLED', 'Xác thực hai lớp đang bật. Tắt trước khi thiết lập lại với thiết bị khác.');
  if (totpEnabled(fresh)) throw alreadyEnabled();
  // Written only while two-factor is still off: a confirmation (another tab) that landed meanwhile is not undone.
  const updated = await storePendingTotpSecret(ctx.db, fresh.id, await ctx.signerKeys.sealSecret(newTotpSecret()));
  if (!updated) throw alreadyEnabled();
  return enrolmentOf(ctx, updated);
}

const wrongCode = () => new AppError('VALIDATION_FAILED', 'Mã xác thực không đúng hoặc đã hết hạn.', { otp: 'Mã không đúng: nhập mã 6 chữ số đang hiện trong ứng dụng.' });

/** The first code from the app turns two-factor on (that code cannot then be used to sign in). */
export async function confirmTotpEnrolment(ctx: TwoFactorContext, staff: StaffRow, code: string, ip: string | null = null): Promise<void> {
  const fresh = await freshAccount(ctx.db, staff);
  if (totpEnabled(fresh)) throw new AppError('TOTP_ALREADY_ENABLED', 'Xác thực hai lớp đã được bật.');
  if (!fresh.totpSecret) throw new AppError('VALIDATION_FAILED', 'Chưa bắt đầu thiết lập xác thực hai lớp.', { otp: 'Bấm "Bắt đầu thiết lập" trước.' });
  const stored = parseStored(fresh.totpSecret);
  const step = matchTotp(await ctx.signerKeys.openSecret(stored.sealed), code);
  if (step === null) {
    await recordAudit(ctx.db, staffActor(fresh, ip), 'auth.totp_failed', fresh.username, { during: 'enrolment' });
    throw wrongCode();
  }
  await ctx.db.transaction(async (tx) => {
    // Compare-and-set: an enrolment begun meanwhile (another tab) holds a newer secret, which this code did not prove.
    if (!(await replaceTotpSecret(tx, fresh.id, fresh.totpSecret!, formatStored(stored.sealed, step)))) {
      throw new AppError('TOTP_ENROLMENT_REPLACED', 'Việc thiết lập đã được bắt đầu lại ở nơi khác (một thẻ hoặc thiết bị khác). Tải lại trang, quét mã QR mới rồi nhập mã.', {
        otp: 'Mã QR đã thay đổi: quét lại mã mới.',
      });
    }
    await updateStaff(tx, fresh.id, { totpEnabledAt: new Date() });
    await recordAudit(tx, staffActor(fresh, ip), 'auth.totp_enabled', fresh.username, {});
  });
}

/** The account turns its own two-factor off, proving it still holds the app with a current code (a counted attempt). */
export async function disableOwnTotp(ctx: TwoFactorContext, staff: StaffRow, code: string, ip: string | null = null): Promise<void> {
  const fresh = await freshAccount(ctx.db, staff);
  if (!fresh.totpSecret) return;
  if (totpEnabled(fresh)) {
    await countAttempt(ctx.db, fresh.id);
    if (!(await acceptTotpCode(ctx.db, ctx.signerKeys, fresh, code))) {
      await recordAudit(ctx.db, staffActor(fresh, ip), 'auth.totp_failed', fresh.username, { during: 'disable' });
      throw wrongCode();
    }
    await clearLoginFailures(ctx.db, fresh.id);
  }
  await ctx.db.transaction(async (tx) => {
    await updateStaff(tx, fresh.id, { totpSecret: null, totpEnabledAt: null });
    if (totpEnabled(fresh)) await recordAudit(tx, staffActor(fresh, ip), 'auth.totp_disabled', fresh.username, { by: 'self' });
  });
}
