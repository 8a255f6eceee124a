// The procedures as administrators manage them: every procedure with its versions and the dossiers on each, switching
// a procedure on or off for new dossiers, and publishing a new version from an uploaded workflow file — checked by the
// same loader and with the same options as at boot (context.ts), so a file the server accepts here would also start.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { AppContext } from '../../app-context.js';
import { bumpRevision } from '../../db/repositories/administration.js';
import * as procedures from '../../db/repositories/procedures.js';
import { findStaffById } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { loadWorkflowDir, WORKFLOW_FILE, WorkflowCheckError, type WorkflowProblem } from '../../workflow/loader.js';
import type { WorkflowDefinition } from '../../workflow/types.js';
import type { Caller } from '../access.js';
import { recordAudit } from '../audit/audit.js';
import { ensureVersion } from '../procedures/catalog.js';
import { administratorOf } from './administrator.js';

/** Far above any real workflow file (≈ 10 KB each today), far below anything that could hurt the loader. */
export const MAX_WORKFLOW_FILE_BYTES = 256 * 1024;

export interface ProcedureVersionView {
  version: number;
  hash: string;
  /** 'file': read from workflows/ at boot; 'upload': published by an administrator. */
  source: 'file' | 'upload';
  uploadedBy: string | null;
  createdAt: string;
  dossiers: number;
  openDossiers: number;
  current: boolean;
}

export interface ProcedureAdminView {
  id: string;
  title: string;
  enabled: boolean;
  currentVersion: number;
  versions: ProcedureVersionView[];
}

export async function listProcedureAdministration(ctx: AppContext, caller: Caller): Promise<ProcedureAdminView[]> {
  administratorOf(caller);
  const [heads, counts] = await Promise.all([procedures.listVersionHeads(ctx.db), procedures.dossierCountsByVersion(ctx.db)]);
  const uploaders = await usernames(ctx, heads.map((h) => h.uploadedBy));
  const current = new Map(ctx.catalog.listAll().map((p) => [p.definition.id, p]));
  const views = new Map<string, ProcedureAdminView>();
  for (const head of heads) {
    const published = current.get(head.procedureId);
    let view = views.get(head.procedureId);
    if (!view) {
      view = {
        id: head.procedureId, title: published?.definition.title ?? head.procedureId, enabled: published?.enabled ?? true,
        currentVersion: published?.version ?? 0, versions: [],
      };
      views.set(head.procedureId, view);
    }
    const count = counts.get(head.id) ?? { total: 0, open: 0 };
    view.versions.push({
      version: head.version, hash: head.hash, source: head.uploaded ? 'upload' : 'file',
      uploadedBy: head.uploadedBy ? uploaders.get(head.uploadedBy) ?? null : null, createdAt: head.createdAt.toISOString(),
      dossiers: count.total, openDossiers: count.open, current: published?.version === head.version,
    });
  }
  for (const view of views.values()) view.versions.sort((a, b) => b.version - a.version);
  return [...views.values()].sort((a, b) => a.title.localeCompare(b.title, 'vi'));
}

async function usernames(ctx: AppContext, ids: Array<string | null>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of new Set(ids)) {
    if (id === null) continue;
    const staff = await findStaffById(ctx.db, id);
    if (staff) out.set(id, staff.username);
  }
  return out;
}

/** Switches a procedure on or off for new dossiers; dossiers already filed are not touched. */
export async function setProcedureEnabled(ctx: AppContext, caller: Caller, procedureId: string, enabled: boolean): Promise<{ id: string; enabled: boolean }> {
  const { actor } = administratorOf(caller);
  if (!ctx.catalog.listAll().some((p) => p.definition.id === procedureId)) throw new AppError('PROCEDURE_NOT_FOUND', 'Không tìm thấy thủ tục.');
  await ctx.db.transaction(async (tx) => {
    await procedures.setProcedureEnabled(tx, procedureId, enabled);
    await recordAudit(tx, actor, enabled ? 'procedure.enabled' : 'procedure.disabled', procedureId);
    await bumpRevision(tx);
  });
  await ctx.adminData.changed();
  return { id: procedureId, enabled };
}

export interface UploadedWorkflow { fileName: string; data: Buffer }

export interface UploadOutcome {
  procedureId: string;
  version: number;
  /** False: the file defines a version already stored (same canonical hash); nothing was written. */
  changed: boolean;
  /** The version is the one new dossiers are filed under. */
  current: boolean;
  /** The file introduced a procedure the portal did not have. */
  newProcedure: boolean;
}

/**
 * Publishes an uploaded workflow file as a new version of its procedure (or as a new procedure). Every problem the
 * loader finds comes back at once in a 422 WORKFLOW_INVALID keyed "file.yaml:path.in.file"; nothing is stored then.
 */
export async function uploadWorkflow(ctx: AppContext, caller: Caller, file: UploadedWorkflow): Promise<UploadOutcome> {
  const { staff, actor } = administratorOf(caller);
  const fileName = workflowFileName(file.fileName);
  if (file.data.length > MAX_WORKFLOW_FILE_BYTES) {
    throw new AppError('FILE_TOO_LARGE', `Tệp quy trình quá lớn (tối đa ${MAX_WORKFLOW_FILE_BYTES / 1024} KB).`, { file: `Tối đa ${MAX_WORKFLOW_FILE_BYTES / 1024} KB.` });
  }
  let source: string;
  try {
    source = new TextDecoder('utf-8', { fatal: true }).decode(file.data);
  } catch {
    throw invalid({ [fileName]: 'Tệp không phải văn bản UTF-8.' });
  }
  const loaded = await checkWorkflowFile(ctx, fileName, file.data);
  const procedureId = loaded.definition.id;
  const known = ctx.catalog.listAll().find((p) => p.definition.id === procedureId);

  const { published, created } = await ctx.db.transaction(async (tx) => {
    const outcome = await ensureVersion(tx, loaded, { source, uploadedBy: staff.id });
    if (outcome.created) {
      await recordAudit(tx, actor, 'procedure.version_uploaded', procedureId, {
        version: outcome.published.version, hash: loaded.hash, fileName, newProcedure: !known,
      });
      await bumpRevision(tx);
    }
    return outcome;
  });
  if (created) await ctx.adminData.changed();
  const current = ctx.catalog.listAll().find((p) => p.definition.id === procedureId);
  return { procedureId, version: published.version, changed: created, current: current?.version === published.version, newProcedure: !known };
}

/** The name the file is checked under (and that problems are reported with): the upload's own, made safe. */
function workflowFileName(uploaded: string): string {
  const base = path.basename(uploaded.replaceAll('\\', '/')).normalize('NFC');
  if (!WORKFLOW_FILE.test(base)) {
    throw new AppError('WORKFLOW_INVALID', 'Tệp quy trình phải là tệp YAML (.yaml hoặc .yml).', { file: 'Chọn tệp .yaml hoặc .yml.' });
  }
  // Only the characters a path can safely carry; the file is written inside a fresh directory of its own anyway.
  const safe = base.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe.startsWith('.') ? `_${safe.slice(1)}` : safe;
}

/** The boot check (context.ts: loadWorkflowDir with the templates directory and the effects registry's names). */
async function checkWorkflowFile(ctx: AppContext, fileName: string, data: Buffer) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-workflow-'));
  try {
    await writeFile(path.join(dir, fileName), data);
    const [loaded] = loadWorkflowDir(dir, { templatesDir: ctx.config.templatesDir, effects: ctx.effects.names });
    if (!loaded) throw invalid({ [fileName]: 'Tệp không có quy trình nào.' });
    return loaded;
  } catch (error) {
    if (error instanceof WorkflowCheckError) throw invalid(problemFields(error.problems, dir));
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** "diploma-copy.yaml:states.checking.on.approve.to" → the loader's message (with its line), as at boot. */
export function problemFields(problems: readonly WorkflowProblem[], dir: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const p of problems) {
    const file = path.relative(dir, p.file) || path.basename(p.file);
    const key = p.path ? `${file}:${p.path}` : file;
    const message = p.line !== undefined ? `${p.message} (dòng ${p.line})` : p.message;
    fields[key] = fields[key] ? `${fields[key]}; ${message}` : message;
  }
  return fields;
}

function invalid(fields: Record<string, string>): AppError {
  const count = Object.keys(fields).length;
  return new AppError('WORKFLOW_INVALID', `Tệp quy trình chưa hợp lệ: ${count} lỗi, không có gì được lưu.`, fields);
}

/**
 * A version's workflow as YAML: the uploaded file as written, or, for a version read from workflows/ at boot (whose
 * text is not stored), its stored definition written out as YAML.
 */
export async function procedureVersionSource(
  ctx: AppContext, caller: Caller, procedureId: string, version: number,
): Promise<{ fileName: string; text: string; uploaded: boolean }> {
  administratorOf(caller);
  const row = await procedures.findVersion(ctx.db, procedureId, version);
  if (!row) throw new AppError('NOT_FOUND', 'Không có phiên bản này của thủ tục.');
  const fileName = `${procedureId}.v${version}.yaml`;
  if (row.source !== null) return { fileName, text: row.source, uploaded: true };
  const header = `# ${procedureId}, phiên bản ${version}: định nghĩa đã lưu (đọc từ thư mục workflows/ khi khởi động), viết lại dạng YAML.\n`;
  return { fileName, text: header + stringify(row.definition as WorkflowDefinition, { lineWidth: 0 }), uploaded: false };
}
