// The procedures on offer. Files in workflows/ are loaded and checked at boot; each distinct definition is stored
// as a procedure version, and a dossier is always processed under the version it was filed with.
// A procedure's current version (the one new dossiers are filed under) is its highest version number: boot stores a
// file's definition only when its hash is new, so a file changed at an upgrade wins over an uploaded version, and an
// uploaded version (services/administration/procedures.ts) wins until the file changes. Administrators may switch a
// procedure off: it then takes no new dossiers (list/find skip it), while its dossiers go on (definitionFor).
import type { Db } from '../../db/client.js';
import * as procedures from '../../db/repositories/procedures.js';
import { AppError } from '../../errors.js';
import type { LoadedWorkflow, WorkflowDefinition } from '../../workflow/types.js';

export interface PublishedProcedure {
  versionId: number;
  version: number;
  definition: WorkflowDefinition;
}

export class ProcedureCatalog {
  /** Every procedure's current version, switched off or not; replaced whole on reload (readers never see half). */
  private current = new Map<string, PublishedProcedure>();
  private disabled = new Set<string>();
  private readonly byVersion = new Map<number, WorkflowDefinition>();
  private readonly versionNumbers = new Map<number, number>();

  private constructor(private readonly db: Db) {}

  /** Registers every loaded file, creating a new version for a procedure whose definition changed. */
  static async publish(db: Db, loaded: LoadedWorkflow[]): Promise<ProcedureCatalog> {
    const catalog = new ProcedureCatalog(db);
    for (const workflow of loaded) {
      const { published } = await ensureVersion(db, workflow);
      catalog.remember(published.versionId, published.version, published.definition);
    }
    // Dossiers filed under older definitions are still processed under them: know every version from the start.
    await catalog.reload();
    return catalog;
  }

  /** Picks up versions published and procedures switched on or off, here or by another process (admin-data.ts). */
  async reload(): Promise<void> {
    const [heads, settings] = await Promise.all([procedures.listVersionHeads(this.db), procedures.listProcedureSettings(this.db)]);
    // Definitions never change once stored: read only the versions this process has not seen.
    const unseen = heads.filter((h) => !this.byVersion.has(h.id)).map((h) => h.id);
    for (const row of await procedures.listVersionsByIds(this.db, unseen)) {
      this.remember(row.id, row.version, row.definition as WorkflowDefinition);
    }
    const current = new Map<string, PublishedProcedure>();
    for (const head of heads) {
      const known = current.get(head.procedureId);
      if (known && known.version > head.version) continue;
      current.set(head.procedureId, { versionId: head.id, version: head.version, definition: this.byVersion.get(head.id)! });
    }
    this.current = current;
    this.disabled = new Set(settings.filter((s) => !s.enabled).map((s) => s.procedureId));
  }

  /** The procedures taking new dossiers, at their current version. */
  list(): PublishedProcedure[] {
    return [...this.current.values()].filter((p) => !this.disabled.has(p.definition.id));
  }

  /** Every procedure at its current version, switched off ones too (filters of staff lists, reports, administration). */
  listAll(): Array<PublishedProcedure & { enabled: boolean }> {
    return [...this.current.values()].map((p) => ({ ...p, enabled: !this.disabled.has(p.definition.id) }));
  }

  /** Every known version, current and older, as (version id, definition). */
  allVersions(): Array<[number, WorkflowDefinition]> {
    return [...this.byVersion.entries()];
  }

  /** A procedure taking new dossiers, at its current version; undefined when unknown or switched off. */
  find(procedureId: string): PublishedProcedure | undefined {
    return this.isEnabled(procedureId) ? this.current.get(procedureId) : undefined;
  }

  isEnabled(procedureId: string): boolean {
    return this.current.has(procedureId) && !this.disabled.has(procedureId);
  }

  /**
   * The version a new dossier is filed under, or the reason there is none: a procedure switched off is told apart
   * from an unknown one, so the citizen learns it is suspended rather than missing.
   */
  findForIntake(procedureId: string): PublishedProcedure {
    const procedure = this.current.get(procedureId);
    if (!procedure) {
      throw new AppError('PROCEDURE_NOT_FOUND', 'Không tìm thấy thủ tục.', { procedure: 'Thủ tục không tồn tại hoặc đã ngừng tiếp nhận.' });
    }
    if (this.disabled.has(procedureId)) {
      throw new AppError('PROCEDURE_DISABLED', 'Thủ tục tạm ngừng tiếp nhận hồ sơ trực tuyến.', { procedure: 'Thủ tục tạm ngừng tiếp nhận hồ sơ trực tuyến.' });
    }
    return procedure;
  }

  /** The definition a dossier is pinned to; older versions are read from the database once and kept. */
  async definitionFor(versionId: number): Promise<WorkflowDefinition> {
    const cached = this.byVersion.get(versionId);
    if (cached) return cached;
    const row = await procedures.findVersionById(this.db, versionId);
    if (!row) throw new Error(`procedure version ${versionId} is missing`);
    return this.remember(row.id, row.version, row.definition as WorkflowDefinition);
  }

  /** The procedure's own version number (1, 2, ...) for a version id. */
  async versionNumber(versionId: number): Promise<number> {
    if (!this.versionNumbers.has(versionId)) await this.definitionFor(versionId);
    return this.versionNumbers.get(versionId)!;
  }

  private remember(versionId: number, version: number, definition: WorkflowDefinition): WorkflowDefinition {
    this.byVersion.set(versionId, definition);
    this.versionNumbers.set(versionId, version);
    return definition;
  }
}

/** Who uploaded a definition, and the file as they wrote it (boot's versions have neither). */
export interface VersionUpload { source: string; uploadedBy: string }

/**
 * The stored version of a definition: the existing one with the same hash, else a new one numbered after the
 * procedure's latest. Runs on a Db or inside a transaction (the insert never raises on a conflict, so a race between
 * processes booting with the same files, or two uploads, retries instead of aborting the transaction).
 */
export async function ensureVersion(
  db: Db, workflow: Pick<LoadedWorkflow, 'hash' | 'definition'>, upload?: VersionUpload,
): Promise<{ published: PublishedProcedure; created: boolean }> {
  const procedureId = workflow.definition.id;
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await procedures.findVersionByHash(db, procedureId, workflow.hash);
    if (existing) return { published: { versionId: existing.id, version: existing.version, definition: workflow.definition }, created: false };
    const version = (await procedures.latestVersionNumber(db, procedureId)) + 1;
    try {
      const row = await procedures.insertVersion(db, {
        procedureId, version, hash: workflow.hash, definition: workflow.definition,
        source: upload?.source ?? null, uploadedBy: upload?.uploadedBy ?? null,
      });
      if (row) return { published: { versionId: row.id, version: row.version, definition: workflow.definition }, created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error(`could not publish a version of ${procedureId}`);
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string; cause?: { code?: string } } | null)?.code
    ?? (error as { cause?: { code?: string } } | null)?.cause?.code;
  return code === '23505';
}
