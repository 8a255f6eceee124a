// A workflow action on a dossier (receive, verify, approve, resubmit ...). The pure engine decides; this use-case
// checks who may act, then commits the new state, its history event, new files and its outbox rows in one transaction,
// guarded by the dossier's version so a concurrent change is a 409, never a silent overwrite.
import type { AppContext } from '../context.js';
import * as dossiers from '../db/repositories/dossiers.js';
import { insertFiles, newFileKey } from '../db/repositories/files.js';
import { insertOutbox } from '../db/repositories/outbox.js';
import { AppError } from '../errors.js';
import { transition } from '../workflow/engine.js';
import { classifyEffect } from '../workflow/registry.js';
import type { WorkflowDefinition } from '../workflow/types.js';
import { actorForDossier, type Actor, type Caller } from './access.js';
import { clockChanges } from './clock.js';
import { checkUploads, documentUploads, type UploadedFile } from './uploads.js';

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
  const actor = await actorForDossier(ctx.db, ctx.secret, dossier, input.caller);
  const expectedVersion = input.version ?? (actor.kind === 'system' ? dossier.version : undefined);
  if (expectedVersion === undefined) throw new AppError('VALIDATION_FAILED', 'Thiếu phiên bản hồ sơ.', { version: 'Bắt buộc.' });
  if (expectedVersion !== dossier.version) throw staleVersion();

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

  const uploads = documentUploads(files, actor.id ?? actor.kind).map(({ data, ...row }) => ({ ...row, dossierId: dossier.id, storageKey: newFileKey('uploads'), data }));
  const now = new Date();
  const updated = await ctx.db.transaction(async (tx) => {
    const row = await dossiers.updateDossierIfVersion(tx, dossier.id, expectedVersion, {
      status: result.next,
      ...clockChanges(definition, dossier, result.effects, now),
    });
    if (!row) throw staleVersion();
    await insertFiles(tx, uploads.map((u) => ({ key: u.storageKey, data: u.data })));
    await dossiers.insertDocuments(tx, uploads.map(({ data: _, ...row }) => row));
    await dossiers.insertEvent(tx, {
      dossierId: dossier.id, at: now, action: result.event.action, fromStatus: result.event.from, toStatus: result.event.to,
      actorKind: actor.kind, actorId: actor.id, actorName: actor.name, comment: result.event.comment, data: result.event.data,
      dossierVersion: row.version,
    });
    await insertOutbox(tx, jobEffects(result.effects, dossier.id, actor));
    return row;
  });
  if (result.effects.some((e) => classifyEffect(e) === 'job')) ctx.jobs.wake();
  return { status: updated.status, version: updated.version, code: updated.code };
}

/** Job payloads carry ids only; the handler reads the current state when it runs. */
function jobEffects(effects: string[], dossierId: string, actor: Actor): Array<{ job: string; payload: Record<string, unknown> }> {
  return effects.filter((e) => classifyEffect(e) === 'job').map((job) => ({ job, payload: { dossierId, actorStaffId: actor.kind === 'staff' ? actor.id : null } }));
}

function staleVersion(): AppError {
  return new AppError('STALE_VERSION', 'Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại và thử lại.');
}

/** The one action the system may take in the dossier's current state (e.g. "result issued"), if any. */
export function systemActionIn(definition: WorkflowDefinition, status: string): string | undefined {
  const actions = Object.entries(definition.states[status]?.on ?? {});
  return actions.find(([, t]) => t.roles.includes('system'))?.[0];
}
