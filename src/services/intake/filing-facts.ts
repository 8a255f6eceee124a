// What the desk is told about a dossier filed while signed in with VNeID: for whom it was filed, the level of
// assurance, the person represented (proxy filing), and a live dossier of the same person and procedure it may
// duplicate. Read after the caller's access to the dossier was checked (the staff dossier page, the inbox).
import type { AppContext } from '../../app-context.js';
import { dossierCodesByIds } from '../../db/repositories/dossier-subjects.js';
import type { DossierRow } from '../../db/repositories/dossiers.js';
import { principalOf, type Principal } from './filing.js';

export interface FilingFacts {
  filedFor: 'self' | 'child' | 'proxy' | null;
  loa: string | null;
  subjectPersonalId: string | null;
  principal: Principal | null;
  /** The dossier this one may duplicate (flagged at filing; the desk decides). */
  possibleDuplicate: { code: string } | null;
}

export async function filingFactsOf(ctx: Pick<AppContext, 'db'>, dossier: DossierRow): Promise<FilingFacts> {
  const codes = await possibleDuplicateCodes(ctx, [dossier]);
  const duplicateCode = dossier.possibleDuplicateOf ? codes.get(dossier.possibleDuplicateOf) : undefined;
  return {
    filedFor: dossier.filedFor, loa: dossier.loa, subjectPersonalId: dossier.subjectPersonalId,
    principal: dossier.filedFor === 'proxy' ? principalOf(dossier.formData) : null,
    possibleDuplicate: duplicateCode ? { code: duplicateCode } : null,
  };
}

/** The codes of the dossiers these were flagged as possible duplicates of, by id (one query for a whole inbox). */
export async function possibleDuplicateCodes(ctx: Pick<AppContext, 'db'>, rows: ReadonlyArray<Pick<DossierRow, 'possibleDuplicateOf'>>): Promise<Map<string, string>> {
  return dossierCodesByIds(ctx.db, rows.flatMap((r) => (r.possibleDuplicateOf ? [r.possibleDuplicateOf] : [])));
}
