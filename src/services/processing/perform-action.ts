// A workflow action on a dossier (receive, verify, approve, resubmit ...). The pure engine decides; this use-case
// checks who may act, then commits the new state, its history event, new files, the hand-over to another unit (a
// control-slip row), database rules (quota) and its outbox rows in one transaction, guarded by the dossier's
// version so a concurrent change is a 409, never a silent overwrite.
// `extend` and `apologise` are clock actions every procedure has; they live in services/sla.ts.
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { insertFiles, newFileKey } from '../../db/repositories/files.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import { findUnitsByIds, insertHandover } from '../../db/repositories/routing.js';
import { AppError } from '../../errors.js';
import { transition } from '../../workflow/engine.js';
import { classifyEffect } from '../../workflow/registry.js';
import type { WorkflowDefinition } from '../../workflow/types.js';
import { actorForDossier, type Actor, type Caller } from '../access.js';
import { takeAdmissionPlace } from '../intake/admissions.js';
import { clockChanges, needsApology } from '../../effects/clock.js';
import { notifyCitizenRow } from '../notifications/notify-citizen.js';
import { routeTargetUnit } from '../intake/routing.js';
import { isSlaAction, performSlaAction } from './clock-actions.js';
import { checkUploads, documentUploads, type UploadedFile } from '../intake/uploads.js';

export interface PerformActionInput {
  code: string;
  action: string;
  caller: Caller;
  /** The version the caller saw; omitted only by the system (jobs), which acts on the current one. */
  version?: number;
  comment?: string | null;
  data?: unknown;
  files?: UploadedFile[];
}

export interface ActionOutcome { status: string; version: number; code: string }

export async function performAction(ctx: AppContext, input: PerformActionInput): Promise<ActionOutcome> {
  const dossier = await dossiers.findDossierByCode(ctx.db, input.code);
  if (!dossier) throw new AppError('DOSSIER_NOT_FOUND', 'Không tìm thấy hồ sơ.');
  const actor = await actorForDossier(ctx.db, ctx.secret, dossier, input.caller, 'act');
  const expectedVersion = input.version ?? (actor.kind === 'system' ? dossier.version : undefined);
  if (expectedVersion === undefined) throw new AppError('VALIDATION_FAILED', 'Thiếu phiên bản hồ sơ.', { version: 'Bắt buộc.' });
  if (expectedVersion !== dossier.version) throw staleVersion();
  if (isSlaAction(input.action)) return performSlaAction(ctx, dossier, actor, input.action, { comment: input.comment ?? null, data: input.data });

  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const allowedDocuments = definition.states[dossier.status]?.on[input.action]?.documents ?? [];
  const files = await checkUploads(definition, input.files ?? [], allowedDocuments);
  const existing = await dossiers.listDocuments(ctx.db, dossier.id);
  const result = transition(
    definition,
    { status: dossier.status, formData: dossier.formData, documentKeys: [...existing.map((d) => d.documentKey), ...files.map((f) => f.documentKey)] },
    input.action,
    { roles: actor.roles },
    { comment: input.comment ?? null, data: input.data },
  );
  const now = new Date();
  // A dossier past its date goes on only once the citizen has been apologised to with a new date (Decree 61/2018 art. 19).
  if (actor.kind === 'staff' && needsApology(dossier, now)) {
    throw new AppError('APOLOGY_REQUIRED', 'Hồ sơ đã quá hạn giải quyết: cần lập phiếu xin lỗi và hẹn lại ngày trả kết quả (thao tác "apologise") trước khi xử lý tiếp.');
  }

  const t = definition.states[dossier.status]!.on[input.action]!;
  const toUnit = t.routeTo ? routeTargetUnit(t.routeTo, dossier.formData) : null;
  const handover = toUnit !== null && toUnit !== dossier.unitId ? toUnit : null;
  if (handover && (await findUnitsByIds(ctx.db, [handover])).length === 0) {
    throw new AppError('INTERNAL_ERROR', `routeTo of ${definition.id}.${dossier.status}.${input.action} names unknown unit ${handover}`);
  }

  const uploads = documentUploads(files, actor.id ?? actor.kind).map(({ data, ...row }) => ({ ...row, dossierId: dossier.id, storageKey: newFileKey('uploads'), data }));
  const updated = await ctx.db.transaction(async (tx) => {
    // Database rules of the transition; what they decide is kept in the form data (e.g. the admitting school).
    const ruleData = result.effects.includes('take-admission-place') ? await takeAdmissionPlace(tx, dossier) : null;
    const row = await dossiers.updateDossierIfVersion(tx, dossier.id, expectedVersion, {
      status: result.next,
      ...clockChanges(definition, dossier, result.effects, now, result.next),
      // A hand-over puts the dossier in the new unit's queue, unclaimed.
      ...(handover ? { unitId: handover, assigneeId: null } : {}),
      ...(ruleData ? { formData: { ...dossier.formData, ...ruleData } } : {}),
    });
    if (!row) throw staleVersion();
    await insertFiles(tx, uploads.map((u) => ({ key: u.storageKey, data: u.data })));
    await dossiers.insertDocuments(tx, uploads.map(({ data: _, ...row }) => row));
    await dossiers.insertEvent(tx, {
      dossierId: dossier.id, at: now, action: result.event.action, fromStatus: result.event.from, toStatus: result.event.to,
      actorKind: actor.kind, actorId: actor.id, actorName: actor.name, comment: result.event.comment, data: result.event.data,
      dossierVersion: row.version,
    });
    if (handover) {
      await insertHandover(tx, {
        dossierId: dossier.id, at: now, fromUnitId: dossier.unitId, toUnitId: handover, action: input.action,
        result: result.event.comment ? `${t.label}: ${result.event.comment}` : t.label,
        byStaffId: actor.kind === 'staff' ? actor.id : null, byName: actor.name, status: result.next, dossierVersion: row.version,
      });
    }
    await insertOutbox(tx, [
      ...jobEffects(result.effects, dossier.id, actor, row.version),
      // The citizen hears of every status change (services/notifications.ts), committed with the change itself.
      ...(result.next !== dossier.status ? [notifyCitizenRow(dossier.id, row.version)] : []),
    ]);
    return row;
  });
  if (result.next !== dossier.status || result.effects.some((e) => classifyEffect(e) === 'job')) ctx.jobs.wake();
  return { status: updated.status, version: updated.version, code: updated.code };
}

/**
 * Job payloads carry ids only; the handler reads the current state when it runs. `dossierVersion` names the history
 * event that caused the job (the one-stop forms print that event's reason, officer and time).
 */
function jobEffects(effects: string[], dossierId: string, actor: Actor, dossierVersion: number): Array<{ job: string; payload: Record<string, unknown> }> {
  return effects.filter((e) => classifyEffect(e) === 'job')
    .map((job) => ({ job, payload: { dossierId, dossierVersion, actorStaffId: actor.kind === 'staff' ? actor.id : null } }));
}

export function staleVersion(): AppError {
  return new AppError('STALE_VERSION', 'Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại và thử lại.');
}

/** The one action the system may take in the dossier's current state (e.g. "result issued"), if any. */
export function systemActionIn(definition: WorkflowDefinition, status: string): string | undefined {
  const actions = Object.entries(definition.states[status]?.on ?? {});
  return actions.find(([, t]) => t.roles.includes('system'))?.[0];
}
