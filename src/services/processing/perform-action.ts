// A workflow action on a dossier (receive, verify, approve, resubmit ...). The pure engine decides; this use-case
// checks who may act, then commits the new state, its history event, new files, the hand-over to another unit (a
// control-slip row), its effects (clock, rules such as the quota, outbox rows for jobs — effects/) in one transaction, guarded by the dossier's
// version so a concurrent change is a 409, never a silent overwrite.
// `extend` and `apologise` are clock actions every procedure has; they live in services/sla.ts.
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { newFileKey } from '../../db/repositories/files.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import { findUnitsByIds, insertHandover } from '../../db/repositories/routing.js';
import { clockChanges, needsApology } from '../../effects/clock.js';
import type { ClockEffect, EffectRegistry, RuleEffect } from '../../effects/types.js';
import { AppError, dossierNotFound, staleVersion } from '../../errors.js';
import { transition } from '../../workflow/engine.js';
import { actorForDossier, type Actor, type Caller } from '../access.js';
import { assertMaySignResult } from '../results/signing-authority.js';
import { notifyCitizenRow } from '../notifications/notify-citizen.js';
import { routeTargetUnit } from '../intake/routing.js';
import { isSlaAction, performSlaAction } from './clock-actions.js';
import { checkUploads, documentUploads, type UploadedFile } from '../intake/uploads.js';
import { recordDossierAction } from '../audit/dossier-action.js';
import { assertFeePaidBeforeProcessing } from '../payments/payment-rules.js';
import { recordNationalStep } from '../national-portal/record-step.js';

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
  if (!dossier) throw dossierNotFound();
  const actor = await actorForDossier(ctx, dossier, input.caller, 'act');
  const expectedVersion = input.version ?? (actor.kind === 'system' ? dossier.version : undefined);
  if (expectedVersion === undefined) throw new AppError('VALIDATION_FAILED', 'Thiếu phiên bản hồ sơ.', { version: 'Bắt buộc.' });
  if (expectedVersion !== dossier.version) throw staleVersion();
  if (isSlaAction(input.action)) return performSlaAction(ctx, dossier, actor, input.action, { comment: input.comment ?? null, data: input.data }, input.caller);

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
  await assertFeePaidBeforeProcessing(ctx.db, definition, dossier, input.action, actor);
  const now = new Date();
  // A dossier past its date goes on only once the citizen has been apologised to with a new date (Decree 61/2018 art. 19).
  if (actor.kind === 'staff' && needsApology(dossier, now)) {
    throw new AppError('APOLOGY_REQUIRED', 'Hồ sơ đã quá hạn giải quyết: cần lập phiếu xin lỗi và hẹn lại ngày trả kết quả (thao tác "apologise") trước khi xử lý tiếp.');
  }

  const t = definition.states[dossier.status]!.on[input.action]!;
  // Approving a result is signing it: only an official of the organisation whose seal it carries, and not with a key
  // whose certificate is out of date (the signing job would refuse it after the dossier had moved on).
  if (actor.kind === 'staff' && actor.staff && ctx.effects.issuesResult(t.effects)) {
    await assertMaySignResult(ctx.db, definition, dossier, actor.staff);
    if (definition.result.signers.some((s) => s.kind !== 'seal')) await ctx.signerKeys.assertKeyCurrent({ staffId: actor.staff.id }, 'của bạn');
  }
  const toUnit = t.routeTo ? await routeTargetUnit(ctx.db, dossier.procedureId, t.routeTo, dossier.formData) : null;
  const handover = toUnit !== null && toUnit !== dossier.unitId ? toUnit : null;
  if (handover && (await findUnitsByIds(ctx.db, [handover])).length === 0) {
    throw new AppError('INTERNAL_ERROR', `routeTo of ${definition.id}.${dossier.status}.${input.action} names unknown unit ${handover}`);
  }

  const effects = planEffects(ctx.effects, result.effects);
  const uploads = documentUploads(files, actor.id ?? actor.kind).map(({ data, ...row }) => ({ ...row, dossierId: dossier.id, storageKey: newFileKey('uploads'), data }));
  // The bytes are made durable before the transaction that references them (storage/README.md).
  const stored = await ctx.files.put(ctx.db, uploads.map((u) => ({ key: u.storageKey, data: u.data })));
  const { row: updated, synced } = await ctx.db.transaction(async (tx) => {
    // Database rules of the transition; what they decide is kept in the form data (e.g. the admitting school).
    let ruleData: Record<string, unknown> | null = null;
    for (const rule of effects.rules) ruleData = { ...(ruleData ?? {}), ...(await rule.run(tx, dossier)) };
    const row = await dossiers.updateDossierIfVersion(tx, dossier.id, expectedVersion, {
      status: result.next,
      ...clockChanges(effects.clock, { definition, dossier, now }, result.next),
      // A hand-over puts the dossier in the new unit's queue, unclaimed.
      ...(handover ? { unitId: handover, assigneeId: null } : {}),
      ...(ruleData ? { formData: { ...dossier.formData, ...ruleData } } : {}),
      // The citizen's tracking token expires a while after this (services/access.ts).
      ...(definition.states[result.next]?.final ? { closedAt: now } : {}),
    });
    if (!row) throw staleVersion();
    await ctx.files.record(tx, stored);
    await dossiers.insertDocuments(tx, uploads.map(({ data: _, ...row }) => row));
    await dossiers.insertEvent(tx, {
      dossierId: dossier.id, at: now, action: result.event.action, fromStatus: result.event.from, toStatus: result.event.to,
      actorKind: actor.kind, actorId: actor.id, actorName: actor.name, comment: result.event.comment, data: result.event.data,
      dossierVersion: row.version,
    });
    // The step owed to the national portal, with the dossier's dates as this update left them.
    const synced = await recordNationalStep(ctx, tx, definition, dossier.id);
    await recordDossierAction(tx, actor, input.caller, dossier.code, input.action, { from: dossier.status, to: result.next, version: row.version, label: t.label });
    if (handover) {
      await insertHandover(tx, {
        dossierId: dossier.id, at: now, fromUnitId: dossier.unitId, toUnitId: handover, action: input.action,
        result: result.event.comment ? `${t.label}: ${result.event.comment}` : t.label,
        byStaffId: actor.kind === 'staff' ? actor.id : null, byName: actor.name, status: result.next, dossierVersion: row.version,
      });
    }
    await insertOutbox(tx, [
      ...effects.jobs.map((job) => jobRow(job, dossier.id, actor, row.version)),
      // The citizen hears of every status change (services/notifications.ts), committed with the change itself.
      ...(result.next !== dossier.status ? [notifyCitizenRow(dossier.id, row.version)] : []),
    ]);
    return { row, synced };
  });
  if (result.next !== dossier.status || effects.jobs.length > 0 || synced) ctx.jobs.wake();
  return { status: updated.status, version: updated.version, code: updated.code };
}

/** The transition's effects by kind, in the order the workflow file lists them. */
function planEffects(registry: EffectRegistry, names: readonly string[]): { clock: ClockEffect[]; rules: RuleEffect[]; jobs: string[] } {
  const plan = { clock: [] as ClockEffect[], rules: [] as RuleEffect[], jobs: [] as string[] };
  for (const name of names) {
    const effect = registry.get(name);
    if (effect.kind === 'clock') plan.clock.push(effect);
    else if (effect.kind === 'rule') plan.rules.push(effect);
    else plan.jobs.push(name);
  }
  return plan;
}

/**
 * A job effect's outbox row, named after the effect. Payloads carry ids only; the handler reads the current state
 * when it runs. `dossierVersion` names the history event that caused the job (the one-stop forms print that
 * event's reason, officer and time).
 */
function jobRow(job: string, dossierId: string, actor: Actor, dossierVersion: number): { job: string; payload: Record<string, unknown> } {
  return { job, payload: { dossierId, dossierVersion, actorStaffId: actor.kind === 'staff' ? actor.id : null } };
}
