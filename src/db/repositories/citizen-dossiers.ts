// The dossiers of a signed-in citizen's space ("Hồ sơ của tôi"): those they filed and those about them or their children,
// newest first, one page at a time, with what the list shows of each (unread messages from the office, a result).
import { and, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../client.js';
import { dossierMessages, dossiers as dossiersTable, issuedDocuments } from '../schema/index.js';

/** The subqueries below name the outer row `d`. */
const dossiers = alias(dossiersTable, 'd');

/** Where the previous page ended: its last dossier's submission time (microseconds since the epoch) and id. */
export interface DossierCursor { submittedAtMicros: string; id: string }

export interface CitizenDossierQuery {
  citizenId: string;
  /** The ID numbers whose dossiers the citizen sees: their own and their children's. */
  personalIds: string[];
  /**
   * Only the dossiers concerning one person: their own ID number (what they filed for nobody else named is theirs
   * too) or a child's. Must be one of `personalIds`; the service checks it.
   */
  person?: { personalId: string; self: boolean };
  before?: DossierCursor;
  limit: number;
}

export interface CitizenDossierRow {
  id: string;
  code: string;
  procedureId: string;
  procedureVersionId: number;
  status: string;
  submittedAt: Date;
  dueAt: Date | null;
  citizenId: string | null;
  subjectPersonalId: string | null;
  filedFor: string | null;
  /** A proxy filing's represented person, as typed (intake keeps them in the form data). */
  principalName: string | null;
  applicantName: string;
  unreadMessages: number;
  resultAvailable: boolean;
  cursor: DossierCursor;
}

/**
 * One statement. The WHERE is `citizen_id = $me OR subject_personal_id = ANY($ids)`, which PostgreSQL answers with a
 * BitmapOr of dossiers_citizen_idx and dossiers_subject_person_idx (its leading column); the counts are per-row
 * subqueries on dossier_messages_dossier_idx and issued_documents_kind_uq. The cursor keeps microseconds: a JavaScript
 * Date would round them away and repeat or skip the dossiers filed in the same millisecond.
 */
export async function listCitizenDossiers(db: Db, query: CitizenDossierQuery): Promise<CitizenDossierRow[]> {
  const submittedAtMicros = sql<string>`(extract(epoch from ${dossiers.submittedAt}) * 1000000)::bigint::text`;
  const rows = await db.select({
    id: dossiers.id, code: dossiers.code, procedureId: dossiers.procedureId, procedureVersionId: dossiers.procedureVersionId,
    status: dossiers.status, submittedAt: dossiers.submittedAt, dueAt: dossiers.dueAt, citizenId: dossiers.citizenId,
    subjectPersonalId: dossiers.subjectPersonalId, filedFor: dossiers.filedFor, applicantName: dossiers.applicantName,
    principalName: sql<string | null>`case when d.filed_for = 'proxy' then d.form_data->'_principal'->>'fullName' end`,
    // Written out with aliases: drizzle prints a select list's columns without their table, which inside a subquery
    // would bind "id" to the subquery's own table.
    unreadMessages: sql<number>`(select count(*)::int from ${dossierMessages} m where m.dossier_id = d.id
      and m.author_kind = 'staff' and m.read_at is null)`.mapWith(Number),
    resultAvailable: sql<boolean>`exists (select 1 from ${issuedDocuments} r where r.dossier_id = d.id and r.kind = 'result')`.mapWith(Boolean),
    submittedAtMicros,
  }).from(dossiers)
    .where(and(reachOf(query), personOf(query), beforeOf(query.before)))
    .orderBy(desc(dossiers.submittedAt), desc(dossiers.id))
    .limit(query.limit);
  return rows.map(({ submittedAtMicros: micros, ...row }) => ({ ...row, cursor: { submittedAtMicros: micros, id: row.id } }));
}

function reachOf(query: CitizenDossierQuery): SQL {
  const filed = eq(dossiers.citizenId, query.citizenId);
  return query.personalIds.length > 0 ? or(filed, inArray(dossiers.subjectPersonalId, query.personalIds))! : filed;
}

function personOf(query: CitizenDossierQuery): SQL | undefined {
  if (!query.person) return undefined;
  const about = eq(dossiers.subjectPersonalId, query.person.personalId);
  // Filed by the citizen without naming anyone else: theirs (a proxy filing is someone else's, though about nobody vouched).
  const ownUnnamed = and(eq(dossiers.citizenId, query.citizenId), isNull(dossiers.subjectPersonalId), sql`${dossiers.filedFor} is distinct from 'proxy'`);
  return query.person.self ? or(about, ownUnnamed) : about;
}

function beforeOf(before: DossierCursor | undefined): SQL | undefined {
  if (!before) return undefined;
  return sql`(${dossiers.submittedAt}, ${dossiers.id}) < (timestamptz 'epoch' + ${before.submittedAtMicros}::bigint * interval '1 microsecond', ${before.id}::uuid)`;
}
