// Signing with a server-held key locked by the owner's PIN: one result, or many in one go. In a batch each
// dossier is signed, stored and moved on on its own (its own transaction); one failure is reported and the
// rest carry on. The key is unlocked (scrypt + parse) once, then reused from the cache for every document.
import type { AppContext } from '../../app-context.js';
import { listDraftsFor } from '../../db/repositories/signing.js';
import { findDossierById } from '../../db/repositories/dossiers.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { draftFor, moveOn, staffOf } from './external-signing.js';
import { applySigners, renderResult, storeResult } from './render-and-sign.js';
import type { ActionOutcome } from '../processing/perform-action.js';
import { recordAudit, staffActor, type AuditActor } from '../audit/audit.js';

export const MAX_BATCH = 500;
const BATCH_CONCURRENCY = 4;

/** The official typing their PIN, from the address of their request (audit: a wrong PIN, the signed result). */
function pinActor(caller: Caller): AuditActor {
  return staffActor(staffOf(caller), caller.kind === 'staff' ? caller.ip : null);
}

/**
 * The caller's own server-held key, opened with their PIN. Having none (never registered, or a signing device only)
 * is the caller's situation, not a fault of the server: 403 NO_SIGNING_KEY, where the signing job's
 * SIGNING_KEY_MISSING stays a 500 (retried until an admin registers the key).
 */
async function unlockOwnKey(ctx: AppContext, staffId: string, pin: string, actor: AuditActor): Promise<void> {
  try {
    await ctx.signerKeys.unlock({ staffId }, pin, actor);
  } catch (error) {
    if (error instanceof AppError && error.code === 'SIGNING_KEY_MISSING') {
      throw new AppError('NO_SIGNING_KEY', 'Bạn chưa có khóa ký số lưu trên máy chủ (mở bằng mã PIN); liên hệ quản trị viên, hoặc ký bằng thiết bị ký số.');
    }
    throw error;
  }
}

export async function signWithPin(ctx: AppContext, code: string, caller: Caller, pin: string, method: 'pin' | 'batch' = 'pin'): Promise<ActionOutcome> {
  const staff = staffOf(caller);
  const actor = pinActor(caller);
  const { dossier, draft, definition } = await draftFor(ctx, code, staff, 'pin');
  // Checked first so a wrong PIN fails before any signature is computed.
  await unlockOwnKey(ctx, staff.id, pin, actor);
  // Nothing signed yet: render again so the visible stamps show the time the official actually signs.
  const signedAt = new Date();
  const pdf = draft.signedCount === 0 ? await renderResult(ctx, dossier, definition, staff.id, signedAt) : draft.pdf;
  const outcome = await applySigners(ctx, { dossier, definition, pdf, from: draft.signedCount, leaderStaffId: staff.id, pin, pinActor: actor, signedAt });
  if (outcome.waitingFor) throw new AppError('SIGNING_KEY_MISSING', 'Văn bản còn chờ một chữ ký khác.');
  // The official's act, audited with the stored result (one transaction).
  await storeResult(ctx, dossier.id, outcome.pdf, staff.id, signedAt,
    (tx) => recordAudit(tx, actor, 'result.signed', dossier.code, { method, signatures: outcome.signedCount }));
  return moveOn(ctx, dossier.code);
}

export interface BatchItem { code: string; ok: boolean; status?: string; version?: number; error?: { code: string; message: string } }

export async function batchSign(ctx: AppContext, caller: Caller, input: { codes: string[]; pin: string }): Promise<{ signed: number; failed: number; results: BatchItem[] }> {
  const staff = staffOf(caller);
  if (input.codes.length > MAX_BATCH) throw new AppError('VALIDATION_FAILED', `Tối đa ${MAX_BATCH} hồ sơ mỗi lần ký.`, { codes: `Tối đa ${MAX_BATCH}.` });
  // A wrong PIN (or no key at all, or an expired one) is one answer for the whole batch, not N identical failures.
  await unlockOwnKey(ctx, staff.id, input.pin, pinActor(caller));
  const codes = [...new Set(input.codes)];
  const results: BatchItem[] = new Array(codes.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < codes.length; i = next++) {
      const code = codes[i]!;
      try {
        const outcome = await signWithPin(ctx, code, caller, input.pin, 'batch');
        results[i] = { code, ok: true, status: outcome.status, version: outcome.version };
      } catch (error) {
        const known = error instanceof AppError;
        if (!known) ctx.log.error({ err: error, code }, 'batch signing failed for one dossier');
        results[i] = { code, ok: false, error: known ? { code: error.code, message: error.message } : { code: 'INTERNAL_ERROR', message: 'Lỗi hệ thống khi ký hồ sơ này.' } };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, codes.length) }, worker));
  const signed = results.filter((r) => r.ok).length;
  return { signed, failed: results.length - signed, results };
}

/** Results waiting for this official's signature (PIN or signing device). */
export async function pendingSignatures(ctx: AppContext, caller: Caller): Promise<Array<{ code: string; waitingFor: string }>> {
  const staff = staffOf(caller);
  const drafts = await listDraftsFor(ctx.db, staff.id);
  const out: Array<{ code: string; waitingFor: string }> = [];
  for (const d of drafts) {
    const dossier = await findDossierById(ctx.db, d.dossierId);
    if (dossier) out.push({ code: dossier.code, waitingFor: d.waitingFor });
  }
  return out;
}
