// Claim, assign and reassign. Inside its unit a dossier is claimed by a staff member (or assigned by a leader);
// a leader or the one-stop desk may also hand it to another unit of the same agency, which is a control-slip entry
// like any workflow hand-over. Everything is one transaction with the history event, under the version check.
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { findUnitsByIds, insertHandover, listStaffInUnits } from '../../db/repositories/routing.js';
import { findStaffById, unitSubtree } from '../../db/repositories/staff.js';
import { AppError, dossierNotFound, staleVersion } from '../../errors.js';
import { availableActions } from '../../workflow/engine.js';
import { actorForDossier, reaches, staffReach, type Caller } from '../access.js';
import { ASSIGNMENT_EVENTS, type AssignmentEvent } from '../history-events.js';
import { recordDossierAction } from '../audit/dossier-action.js';
import { recordNationalStep } from '../national-portal/record-step.js';

export interface AssignmentInput {
  code: string;
  caller: Caller;
  version: number;
  /** Omitted: the caller claims it. null: nobody (back to the unit's queue). */
  staffId?: string | null;
  /** Hand the dossier over to this unit first. */
  unitId?: string;
  comment?: string | null;
}

export interface AssignmentOutcome { version: number; unitId: string; assignee: { id: string; name: string } | null }

export async function assignDossier(ctx: AppContext, input: AssignmentInput): Promise<AssignmentOutcome> {
  if (input.caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Cần đăng nhập bằng tài khoản cán bộ.');
  const dossier = await dossiers.findDossierByCode(ctx.db, input.code);
  if (!dossier) throw dossierNotFound();
  const actor = await actorForDossier(ctx, dossier, input.caller, 'act');
  const me = input.caller.staff;
  const isManager = me.roles.includes('leader') || me.roles.includes('clerk');
  // Claiming is for whoever can take the dossier's current step (the page offers it to them only); leaders and the
  // one-stop desk route dossiers and may claim any. Checked before the version: refused callers learn nothing more.
  if (input.staffId === undefined && !isManager) {
    const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
    if (availableActions(definition, dossier.status, { roles: actor.roles }).length === 0) {
      throw new AppError('FORBIDDEN', 'Bạn không xử lý bước hiện tại của hồ sơ này nên không nhận xử lý được.');
    }
  }
  if (input.version !== dossier.version) throw staleVersion();

  let unitId = dossier.unitId;
  if (input.unitId !== undefined && input.unitId !== dossier.unitId) {
    if (!isManager) throw new AppError('FORBIDDEN', 'Chỉ lãnh đạo hoặc bộ phận một cửa được chuyển hồ sơ sang đơn vị khác.');
    unitId = await checkMoveTarget(ctx, dossier, input.unitId);
  }

  const targetId = input.staffId === undefined ? me.id : input.staffId;
  let assignee: { id: string; name: string } | null = null;
  if (targetId !== null) {
    const target = targetId === me.id ? me : await findStaffById(ctx.db, targetId);
    if (!target || !target.active) throw new AppError('VALIDATION_FAILED', 'Cán bộ được phân công không tồn tại.', { staffId: 'Không có cán bộ này.' });
    if (target.id !== me.id && !isManager) throw new AppError('FORBIDDEN', 'Chỉ lãnh đạo được phân công hồ sơ cho cán bộ khác.');
    if (target.id === me.id && dossier.assigneeId && dossier.assigneeId !== me.id && !isManager) {
      throw new AppError('FORBIDDEN', 'Hồ sơ đã có cán bộ khác nhận xử lý; cần lãnh đạo phân công lại.');
    }
    if (!reaches(await staffReach(ctx.db, target), { unitId, agencyCode: dossier.agencyCode })) {
      throw new AppError('VALIDATION_FAILED', 'Cán bộ được phân công không thuộc đơn vị đang xử lý hồ sơ.', { staffId: 'Không thuộc đơn vị xử lý.' });
    }
    assignee = { id: target.id, name: target.fullName };
  } else if (dossier.assigneeId && dossier.assigneeId !== me.id && !isManager) {
    throw new AppError('FORBIDDEN', 'Chỉ người đang xử lý hoặc lãnh đạo được trả hồ sơ về đơn vị.');
  }

  const comment = input.comment?.normalize('NFC').trim() || null;
  const now = new Date();
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  let synced = false;
  const row = await ctx.db.transaction(async (tx) => {
    const updated = await dossiers.updateDossierIfVersion(tx, dossier.id, dossier.version, { unitId, assigneeId: assignee?.id ?? null });
    if (!updated) throw staleVersion();
    // The event names are labelled in history-events.ts (ASSIGNMENT_EVENTS).
    const action: AssignmentEvent = unitId !== dossier.unitId ? 'transfer_unit' : input.staffId === undefined ? 'claim' : 'assign';
    await dossiers.insertEvent(tx, {
      dossierId: dossier.id, at: now, action, fromStatus: dossier.status, toStatus: dossier.status,
      actorKind: 'staff', actorId: actor.id, actorName: actor.name, comment,
      data: { unitId, previousUnitId: dossier.unitId, assigneeId: assignee?.id ?? null, assigneeName: assignee?.name ?? null, previousAssigneeId: dossier.assigneeId },
      dossierVersion: updated.version,
    });
    // A claim, an assignment or a move to another unit is a processing step the national portal is told of.
    synced = await recordNationalStep(ctx, tx, definition, dossier.id);
    await recordDossierAction(tx, actor, input.caller, dossier.code, action, {
      from: dossier.status, to: dossier.status, version: updated.version, label: ASSIGNMENT_EVENTS[action],
      unitId, previousUnitId: dossier.unitId, assignee: assignee?.name ?? null,
    });
    if (unitId !== dossier.unitId) {
      await insertHandover(tx, {
        dossierId: dossier.id, at: now, fromUnitId: dossier.unitId, toUnitId: unitId, action,
        result: comment ? `Chuyển đơn vị xử lý: ${comment}` : 'Chuyển đơn vị xử lý', byStaffId: me.id, byName: me.fullName,
        status: dossier.status, dossierVersion: updated.version,
      });
    }
    return updated;
  });
  if (synced) ctx.jobs.wake();
  return { version: row.version, unitId: row.unitId, assignee };
}

/**
 * A manual move stays inside the agency holding the dossier (moves to another agency — a school, another
 * department — are the workflow's own hand-overs, `routeTo`), and goes only to a unit where someone can take the
 * dossier's next step (otherwise it would be orphaned: 403 for everyone).
 */
async function checkMoveTarget(ctx: AppContext, dossier: dossiers.DossierRow, targetId: string): Promise<string> {
  const units = new Map((await findUnitsByIds(ctx.db, [targetId, dossier.unitId])).map((u) => [u.id, u]));
  const target = units.get(targetId);
  if (!target) throw new AppError('VALIDATION_FAILED', 'Đơn vị nhận không tồn tại.', { unitId: 'Không có đơn vị này.' });
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  if (target.agencyCode !== units.get(dossier.unitId)?.agencyCode) {
    throw new AppError('UNIT_NOT_ALLOWED', `Không thể chuyển hồ sơ sang ${target.agencyName}: chỉ chuyển giữa các đơn vị của cùng cơ quan; hồ sơ đi sang cơ quan khác theo quy trình của thủ tục.`,
      { unitId: 'Đơn vị thuộc cơ quan khác.' });
  }
  const actingRoles = new Set(Object.values(definition.states[dossier.status]?.on ?? {}).flatMap((t) => t.roles));
  const staff = await listStaffInUnits(ctx.db, await unitSubtree(ctx.db, target.id));
  if (!staff.some((s) => s.roles.some((r) => actingRoles.has(r)))) {
    throw new AppError('UNIT_NOT_ALLOWED', `${target.name} chưa có cán bộ xử lý được bước này của hồ sơ.`, { unitId: 'Đơn vị chưa có cán bộ phù hợp.' });
  }
  return target.id;
}
