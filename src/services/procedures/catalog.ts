// The procedures on offer. Files in workflows/ are loaded and checked at boot; each distinct definition is stored
// as a procedure version, and a dossier is always processed under the version it was filed with.
import type { Db } from '../../db/client.js';
import * as procedures from '../../db/repositories/procedures.js';
import type { LoadedWorkflow, WorkflowDefinition } from '../../workflow/types.js';

export interface PublishedProcedure {
  versionId: number;
  version: number;
  definition: WorkflowDefinition;
}

export class ProcedureCatalog {
  private readonly current = new Map<string, PublishedProcedure>();
  private readonly byVersion = new Map<number, WorkflowDefinition>();
  private readonly versionNumbers = new Map<number, number>();

  private constructor(private readonly db: Db) {}

  /** Registers every loaded file, creating a new version for a procedure whose definition changed. */
  static async publish(db: Db, loaded: LoadedWorkflow[]): Promise<ProcedureCatalog> {
    const catalog = new ProcedureCatalog(db);
    for (const workflow of loaded) {
      const published = await ensureVersion(db, workflow);
      catalog.current.set(workflow.definition.id, published);
      catalog.byVersion.set(published.versionId, published.definition);
      catalog.versionNumbers.set(published.versionId, published.version);
    }
    // Dossiers filed under older definitions are still processed under them: know every version from the start.
    for (const row of await procedures.listVersions(db)) {
      if (!catalog.byVersion.has(row.id)) {
        catalog.byVersion.set(row.id, row.definition as WorkflowDefinition);
        catalog.versionNumbers.set(row.id, row.version);
      }
    }
    return catalog;
  }

  /** Picks up versions published and procedures switched on or off by another process (admin-data.ts). */
  async reload(): Promise<void> {
    // Filled in with the procedures administration (enable/disable, uploaded versions).
  }

  list(): PublishedProcedure[] {
    return [...this.current.values()];
  }

  /** Every known version, current and older, as (version id, definition). */
  allVersions(): Array<[number, WorkflowDefinition]> {
    return [...this.byVersion.entries()];
  }

  find(procedureId: string): PublishedProcedure | undefined {
    return this.current.get(procedureId);
  }

  /** The definition a dossier is pinned to; older versions are read from the database once and kept. */
  async definitionFor(versionId: number): Promise<WorkflowDefinition> {
    const cached = this.byVersion.get(versionId);
    if (cached) return cached;
    const row = await procedures.findVersionById(this.db, versionId);
    if (!row) throw new Error(`procedure version ${versionId} is missing`);
    const definition = row.definition as WorkflowDefinition;
    this.byVersion.set(versionId, definition);
    this.versionNumbers.set(versionId, row.version);
    return definition;
  }

  /** The procedure's own version number (1, 2, ...) for a version id. */
  async versionNumber(versionId: number): Promise<number> {
    if (!this.versionNumbers.has(versionId)) await this.definitionFor(versionId);
    return this.versionNumbers.get(versionId)!;
  }
}

async function ensureVersion(db: Db, workflow: LoadedWorkflow): Promise<PublishedProcedure> {
  const procedureId = workflow.definition.id;
  // Several processes may boot at once with the same files: retry on the (procedure, version) race.
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await procedures.findVersionByHash(db, procedureId, workflow.hash);
    if (existing) return { versionId: existing.id, version: existing.version, definition: workflow.definition };
    const version = (await procedures.latestVersionNumber(db, procedureId)) + 1;
    try {
      const row = await procedures.insertVersion(db, { procedureId, version, hash: workflow.hash, definition: workflow.definition });
      if (row) return { versionId: row.id, version: row.version, definition: workflow.definition };
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
