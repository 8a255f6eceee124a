import { and, eq } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { documentVerifications, issuedDocuments } from '../schema/index.js';
import type { IssuedDocumentRow } from './issued-documents.js';
import { decodeRows } from './json-rows.js';

/** The stored verification of these exact bytes against these trust anchors (schema/results.ts), if any. */
export async function findDocumentVerification(db: Db, sha256: string, anchors: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await db.select({ result: documentVerifications.result }).from(documentVerifications)
    .where(and(eq(documentVerifications.sha256, sha256), eq(documentVerifications.anchors, anchors)));
  return row?.result;
}

/** First writer wins: two views verifying the same new file at once store the same answer. */
export async function rememberDocumentVerification(db: Db, sha256: string, anchors: string, result: Record<string, unknown>): Promise<void> {
  await db.insert(documentVerifications).values({ sha256, anchors, result }).onConflictDoNothing();
}

// The QR code's page (/verify/:code?k=…) reads the dossier, its result and the result's stored verification on every
// view: one statement written out, through the raw client (prepared once per connection), not three built ones.
// Every stored verification of the result, by trust-anchor fingerprint (one per trust list the file was verified
// against: a few at most): the caller picks its own only after the key checks, so a request with a wrong key reads
// no trust anchors (services/results/verify-document.ts issuedResultSummary).
const RESULT_SUMMARY_SQL = `select d.id, d.code, d.procedure_version_id, row_to_json(i) as issued,
    (select jsonb_object_agg(v.anchors, v.result) from document_verifications v where v.sha256 = i.sha256) as verifications
  from dossiers d
  left join issued_documents i on i.dossier_id = d.id and i.kind = 'result'
  where d.code = $1`;

export interface ResultSummaryRows {
  dossier: { id: string; code: string; procedureVersionId: number };
  /** The dossier's result, if issued. */
  issued: IssuedDocumentRow | undefined;
  /** The result's stored verification against the trust anchors of fingerprint `anchors` (findDocumentVerification), if any. */
  verificationFor(anchors: string): Record<string, unknown> | undefined;
}

/** The dossier with this code, its issued result and that result's stored verifications, in one read. */
export async function loadResultSummaryRows(database: Pick<Database, 'query'>, code: string): Promise<ResultSummaryRows | undefined> {
  const [row] = await database.query<{ id: string; code: string; procedure_version_id: number; issued: unknown; verifications: unknown }>(RESULT_SUMMARY_SQL, [code]);
  if (!row) return undefined;
  const verifications = (typeof row.verifications === 'string' ? JSON.parse(row.verifications) : row.verifications) as Record<string, Record<string, unknown>> | null;
  return {
    dossier: { id: row.id, code: row.code, procedureVersionId: row.procedure_version_id },
    issued: row.issued === null ? undefined : decodeRows<IssuedDocumentRow>(issuedDocuments, [row.issued])[0],
    verificationFor: (anchors) => (verifications && Object.hasOwn(verifications, anchors) ? verifications[anchors] : undefined),
  };
}
