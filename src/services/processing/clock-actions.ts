// Clock actions every procedure has, outside the workflow files: `extend` (a reasoned extension that moves the
// legal due date by working days) and `apologise` (the apology for lateness with a new return date, required before
// an overdue dossier can go on). Both are history events on the dossier, written with the version check.
import { z } from 'zod';
import { isIsoDay, vnInstant, vnToday } from '../../calendar/vn-time.js';
import { addWorkingDays, isWorkingDay, workingCalendar } from '../../calendar/working-days.js';
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import { AppError, staleVersion } from '../../errors.js';
import { MAX_COMMENT_LENGTH } from '../../workflow/engine.js';
import type { Actor, Caller } from '../access.js';
import { recordDossierAction } from '../audit/dossier-action.js';
import { recordNationalStep } from '../national-portal/record-step.js';
import { effectiveDueAt, extendDueAt } from '../../effects/clock.js';
import type { ActionOutcome } from './perform-action.js';

export const SLA_ACTIONS = {
  extend: 'Gia hạn thời gian giải quyết',
  apologise: 'Xin lỗi và hẹn lại ngày trả kết quả',
} as const;

export function isSlaAction(action: string): action is keyof typeof SLA_ACTIONS {
  return Object.hasOwn(SLA_ACTIONS, action);
}

/** A dossier is extended at most twice, by at most twice its statutory time in all (never less than 5 days). */
const MAX_EXTENSIONS = 2;
const extensionBudget = (slaWorkingDays: number) => Math.max(5, 2 * slaWorkingDays);
/** An apology's new date is at most this many working days away. */
const MAX_APOLOGY_WORKING_DAYS = 30;

async function checkExtensionLimit(ctx: AppContext, dossier: dossiers.DossierRow, slaWorkingDays: number, asked: number): Promise<void> {
  const earlier = (await dossiers.listEvents(ctx.db, dossier.id)).filter((e) => e.action === 'extend');
  const used = earlier.reduce((sum, e) => sum + Number((e.data as { workingDays?: number } | null)?.workingDays ?? 0), 0);
  const budget = extensionBudget(slaWorkingDays);
  if (earlier.length >= MAX_EXTENSIONS || used + asked > budget) {
    throw new AppError('EXTENSION_LIMIT',
      `Hồ sơ chỉ được gia hạn tối đa ${MAX_EXTENSIONS} lần, tổng cộng không quá ${budget} ngày làm việc (đã gia hạn ${earlier.length} lần, ${used} ngày).`,
      { workingDays: `Còn gia hạn được tối đa ${Math.max(0, budget - used)} ngày làm việc.` });
  }
}

const extendData = z.object({ workingDays: z.coerce.number().int().min(1).max(30) });
const apologyData = z.object({ newDate: z.string().refine(isIsoDay, 'Ngày phải dạng yyyy-mm-dd.') });

export async function performSlaAction(
  ctx: AppContext, dossier: dossiers.DossierRow, actor: Actor, action: keyof typeof SLA_ACTIONS,
  input: { comment: string | null; data: unknown }, caller?: Caller,
): Promise<ActionOutcome> {
  // Only staff of the unit holding the dossier (actorForDossier 'act' checked the unit) with a handling role.
  if (actor.kind !== 'staff' || !actor.roles.some((r) => ['clerk', 'specialist', 'leader', 'school'].includes(r))) {
    throw new AppError('ACTION_FORBIDDEN', `Bạn không có quyền thực hiện thao tác "${SLA_ACTIONS[action]}".`);
  }
  if (dossier.clockState !== 'running' || !dossier.dueAt) {
    throw new AppError('ACTION_NOT_AVAILABLE', 'Chỉ gia hạn hoặc hẹn lại khi hồ sơ đang được tính thời hạn giải quyết.');
  }
  const reason = (input.comment ?? '').normalize('NFC').trim();
  if (reason === '') throw new AppError('COMMENT_REQUIRED', `Thao tác "${SLA_ACTIONS[action]}" cần ghi rõ lý do.`, { comment: 'Vui lòng nhập lý do.' });
  if (reason.length > MAX_COMMENT_LENGTH) throw new AppError('VALIDATION_FAILED', 'Lý do quá dài.', { comment: `Tối đa ${MAX_COMMENT_LENGTH} ký tự.` });

  const now = new Date();
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  let patch: Partial<dossiers.NewDossier>;
  let data: Record<string, unknown>;
  if (action === 'extend') {
    const parsed = extendData.safeParse(input.data ?? {});
    if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'Số ngày gia hạn không hợp lệ.', { workingDays: 'Từ 1 đến 30 ngày làm việc.' });
    await checkExtensionLimit(ctx, dossier, definition.sla.workingDays, parsed.data.workingDays);
    const dueAt = extendDueAt(dossier.dueAt, parsed.data.workingDays);
    patch = { dueAt, slaMark: null };
    data = { workingDays: parsed.data.workingDays, previousDueAt: dossier.dueAt.toISOString(), newDueAt: dueAt.toISOString() };
  } else {
    const parsed = apologyData.safeParse(input.data ?? {});
    if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'Ngày hẹn mới không hợp lệ.', { newDate: 'Ngày phải dạng yyyy-mm-dd.' });
    const { newDate } = parsed.data;
    if (newDate <= vnToday(now) || !isWorkingDay(newDate)) {
      throw new AppError('VALIDATION_FAILED', 'Ngày hẹn mới phải là một ngày làm việc sau hôm nay.', { newDate: 'Chọn một ngày làm việc sau hôm nay.' });
    }
    if (newDate > addWorkingDays(vnToday(now), MAX_APOLOGY_WORKING_DAYS)) {
      throw new AppError('EXTENSION_LIMIT', `Ngày hẹn mới không được quá ${MAX_APOLOGY_WORKING_DAYS} ngày làm việc kể từ hôm nay.`, { newDate: `Tối đa ${MAX_APOLOGY_WORKING_DAYS} ngày làm việc.` });
    }
    const apologyDueAt = vnInstant(newDate, workingCalendar.closeAt);
    patch = { apologyDueAt, slaMark: null };
    data = { newDate, newDueAt: apologyDueAt.toISOString(), previousDueAt: effectiveDueAt(dossier)!.toISOString() };
  }

  const updated = await ctx.db.transaction(async (tx) => {
    const row = await dossiers.updateDossierIfVersion(tx, dossier.id, dossier.version, patch);
    if (!row) throw staleVersion();
    await dossiers.insertEvent(tx, {
      dossierId: dossier.id, at: now, action, fromStatus: dossier.status, toStatus: dossier.status,
      actorKind: 'staff', actorId: actor.id, actorName: actor.name, comment: reason, data, dossierVersion: row.version,
    });
    // The national portal hears of the new appointment date (NgayHenTra) with this step.
    await recordNationalStep(ctx, tx, definition, dossier.id);
    await recordDossierAction(tx, actor, caller, dossier.code, action, { from: dossier.status, to: dossier.status, version: row.version, label: SLA_ACTIONS[action], ...data });
    // The apology form (Phiếu xin lỗi và hẹn lại ngày trả kết quả): the same job effect a workflow could name.
    if (action === 'apologise') {
      await insertOutbox(tx, [{ job: 'issue-apology', payload: { dossierId: dossier.id, dossierVersion: row.version, actorStaffId: actor.id } }]);
    }
    return row;
  });
  ctx.jobs.wake();
  return { status: updated.status, version: updated.version, code: updated.code };
}
