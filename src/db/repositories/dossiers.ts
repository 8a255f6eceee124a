import { and, asc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { newFileKey, type FileRecord } from './files.js';
import { dossierDocuments, dossierEvents, dossiers, type DossierChannel } from '../schema/index.js';

export type DossierRow = typeof dossiers.$inferSelect;
export type NewDossier = typeof dossiers.$inferInsert;
export type DossierDocumentRow = typeof dossierDocuments.$inferSelect;
export type NewDossierDocument = typeof dossierDocuments.$inferInsert;
export type DossierEventRow = typeof dossierEvents.$inferSelect;
export type NewDossierEvent = typeof dossierEvents.$inferInsert;

export interface NewSubmission {
  id: string;
  /** `{agency}-{yyMMdd}-`: the sequence number is appended inside the statement. */
  codePrefix: string;
  agencyCode: string;
  day: string;
  procedureId: string;
  procedureVersionId: number;
  unitId: string;
  status: string;
  formData: Record<string, unknown>;
  applicant: { name: string; email: string | null; phone: string | null; address: string | null; idNumber: string | null };
  channel: DossierChannel;
  /** The national portal's dossier code of a pushed dossier (services/national-portal); null otherwise. */
  nationalCode?: string | null;
  /** The fee owed (đồng) when the procedure has one. */
  feeAmount?: number | null;
  /**
   * Owe the national portal this `submit` step (a national_sync_steps row and a sync-national-portal outbox row, in the
   * same statement): set when the portal is configured and the procedure is known to it.
   */
  nationalSync?: boolean;
  idempotencyKey: string | null;
  requestHash: string | null;
  submittedAt: Date;
  dueAt: Date;
  /** Filed by a citizen signed in with VNeID (services/intake/filing.ts); absent for filings without an account. */
  filing?: SubmissionFiling;
  /**
   * Uploaded (with their bytes, stored in the statement), uploaded to object storage before it (`file`: the statement
   * writes the metadata row and claims the upload, storage/README.md), or attached by reference to a stored file (re-used).
   */
  documents: Array<Omit<NewDossierDocument, 'dossierId' | 'id' | 'uploadedAt' | 'storageKey' | 'reusedFromDocumentId'>
    & ({ data: Buffer } | { file: FileRecord } | { storageKey: string; reusedFromDocumentId: string })>;
}

export interface SubmissionFiling {
  /** The signed-in citizen; null for a dossier the national portal pushed (its citizen signed in there). */
  citizenId: string | null;
  filedFor: 'self' | 'child' | 'proxy';
  /** The person the dossier is about as the state vouches: the filer or their child; null for a proxy filing. */
  subjectPersonalId: string | null;
  loa: string | null;
  possibleDuplicateOf: string | null;
}

/**
 * Intake in two statements: take the day's next sequence number for the agency (takeDossierNumber, its own short
 * transaction), then insert the dossier with its code, its documents (metadata and bytes), its `submit` event and its
 * outbox rows in ONE statement (hence atomic without BEGIN/COMMIT, and one round trip). Codes are unique but may have
 * gaps: a failed insert (a racing Idempotency-Key or pupil, a crash) does not give its number back. Documents travel
 * as one JSON parameter so the SQL text (a prepared statement) does not vary with their number.
 */
export async function insertSubmission(database: Pick<Database, 'query'>, s: NewSubmission): Promise<{ code: string; version: number }> {
  const files: Array<NewSubmission['documents'][number] & { storageKey: string; data: Buffer | null }> = [];
  for (const d of s.documents) {
    if ('data' in d) files.push({ ...d, storageKey: newFileKey('uploads') });
    else if ('file' in d) files.push({ ...d, storageKey: d.file.key, data: null });
  }
  // One statement text per place: every file of a filing goes where the process's storage driver puts new files.
  const inObjectStorage = files.length > 0 && files.every((f) => f.data === null);
  if (!inObjectStorage && files.some((f) => f.data === null)) throw new Error('a filing mixes files in PostgreSQL and in object storage');
  const reused = s.documents.filter((d) => 'reusedFromDocumentId' in d);
  const documents = JSON.stringify([...files, ...reused].map((d) => ({
    document_key: d.documentKey, file_name: d.fileName, mime_type: d.mimeType, size_bytes: d.sizeBytes,
    sha256: d.sha256, storage_key: d.storageKey, uploaded_by: d.uploadedBy,
    reused_from_document_id: 'reusedFromDocumentId' in d ? d.reusedFromDocumentId : null,
  })));
  const params: unknown[] = [
    s.agencyCode, s.day, s.id, s.codePrefix, s.procedureId, s.procedureVersionId, s.unitId, s.status, JSON.stringify(s.formData),
    s.applicant.name, s.applicant.email, s.applicant.phone, s.applicant.address, s.applicant.idNumber, s.channel,
    s.idempotencyKey, s.requestHash, s.submittedAt.toISOString(), s.dueAt.toISOString(), documents,
  ];
  for (const file of files) params.push(file.storageKey, file.data, file.sizeBytes, file.sha256);
  // After the files' parameters (numbered from 21 + 4 × files): who filed it while signed in, null otherwise.
  const f = s.filing;
  params.push(f?.citizenId ?? null, f?.subjectPersonalId ?? null, f?.filedFor ?? null, f?.loa ?? null, f?.possibleDuplicateOf ?? null);
  params.push(s.nationalCode ?? null, s.feeAmount ?? null);
  // $2 carries the number taken (the day is only the counter's key).
  params[1] = await takeDossierNumber(database, s.agencyCode, s.day);
  const [row] = await database.query<{ code: string; version: number }>(submissionSql(files.length, s.nationalSync === true, inObjectStorage), params);
  if (!row) throw new Error('intake statement returned no row');
  return row;
}

/**
 * The agency's next dossier number of the day, in a statement of its own that commits without waiting for its WAL
 * flush (synchronous_commit off for this transaction only, set inside the statement: one round trip).
 *
 * Why not inside intake's statement, as it was: every filing of an agency on one day updates the same counter row,
 * and a row lock is held until its transaction commits — including the commit's WAL flush and the whole intake
 * statement (dossier, three documents with their bytes, event, outbox). Intakes queued behind each other on that row
 * (bench:burst: most of PostgreSQL's samples were `Lock:transactionid`). Here the lock lasts one index update.
 *
 * Why the asynchronous commit is safe: a number is only ever visible through a dossier, and the dossier's own
 * (synchronous) commit flushes the WAL up to its commit record, which lies after this counter's commit record — so a
 * dossier that survives a crash implies its number's increment survived too, and no number is handed out twice.
 * A crash may lose an increment whose dossier was never committed: a gap, as a failed insert leaves one.
 */
export async function takeDossierNumber(database: Pick<Database, 'query'>, agencyCode: string, day: string): Promise<number> {
  const [row] = await database.query<{ last: number }>(TAKE_NUMBER_SQL, [agencyCode, day]);
  if (!row) throw new Error('dossier counter returned no row');
  return Number(row.last);
}

const TAKE_NUMBER_SQL = `
  with relaxed as (select set_config('synchronous_commit', 'off', true))
  insert into dossier_code_counters (agency_code, day, last) select $1, $2, 1 from relaxed
  on conflict (agency_code, day) do update set last = dossier_code_counters.last + 1
  returning last`;

const submissionStatements = new Map<string, string>();

/** The outbox job that sends a dossier's unsent steps to the national portal (jobs/sync-national-portal.ts). */
export const NATIONAL_SYNC_JOB = 'sync-national-portal';

/**
 * The intake statement's text for `fileCount` files, built once per count: a constant text is a prepared statement
 * PostgreSQL plans once, and skipping the query builder keeps this hot path cheap (measured: drizzle's builder was
 * a fifth of the client-side cost of this statement).
 */
function submissionSql(fileCount: number, nationalSync: boolean, inObjectStorage = false): string {
  const key = `${fileCount}:${nationalSync}:${inObjectStorage}`;
  let text = submissionStatements.get(key);
  if (text) return text;
  const fileRows = Array.from({ length: fileCount }, (_, i) => `($${21 + 4 * i}, $${22 + 4 * i}::bytea, $${23 + 4 * i}::int, $${24 + 4 * i}::text)`);
  // Object storage: the bytes were uploaded before this statement; it claims the uploads (deletes their
  // stored_file_uploads rows, so the orphan sweep leaves the objects alone) and writes their metadata (data null).
  // Only a claimed key gets location 's3': a key the sweep already took (its object deleted) gets null, the NOT NULL
  // constraint fails the whole statement, and nothing references the missing object (storage/index.ts uploadClaimLost).
  const uploadKeys = Array.from({ length: fileCount }, (_, i) => `$${21 + 4 * i}`);
  const filesCte = fileCount === 0 ? ''
    : inObjectStorage
      ? `, claimed as (delete from stored_file_uploads where key in (${uploadKeys.join(', ')}) returning key),
      files as (insert into stored_files (key, data, size_bytes, sha256, location)
        select v.key, v.data, v.size_bytes, v.sha256, (select 's3' from claimed where claimed.key = v.key)
        from (values ${fileRows.join(', ')}) as v(key, data, size_bytes, sha256))`
      : `, files as (insert into stored_files (key, data, size_bytes, sha256) values ${fileRows.join(', ')})`;
  const filing = 21 + 4 * fileCount;
  const national = filing + 5;
  text = `
    with dossier as (
      insert into dossiers (id, code, procedure_id, procedure_version_id, agency_code, unit_id, status, form_data,
        applicant_name, applicant_email, applicant_phone, applicant_address, applicant_id_number, channel,
        idempotency_key, request_hash, submitted_at, due_at, citizen_id, subject_personal_id, filed_for, loa, possible_duplicate_of,
        national_code, fee_amount)
      select $3::uuid, $4::text || lpad($2::int::text, greatest(4, length($2::int::text)), '0'),
        $5, $6::int, $1, $7, $8, $9::jsonb, $10, $11, $12, $13, $14, $15, $16, $17, $18::timestamptz, $19::timestamptz,
        $${filing}::uuid, $${filing + 1}::text, $${filing + 2}::text, $${filing + 3}::text, $${filing + 4}::uuid,
        $${national}::text, $${national + 1}::int
      returning id, code, status, version, applicant_name, unit_id, due_at
    ), documents as (
      insert into dossier_documents (dossier_id, document_key, file_name, mime_type, size_bytes, sha256, storage_key, uploaded_by, uploaded_at, reused_from_document_id)
      select dossier.id, d.document_key, d.file_name, d.mime_type, d.size_bytes, d.sha256, d.storage_key, d.uploaded_by, $18::timestamptz, d.reused_from_document_id
      from dossier, jsonb_to_recordset($20::jsonb)
        as d(document_key text, file_name text, mime_type text, size_bytes int, sha256 text, storage_key text, uploaded_by text, reused_from_document_id uuid)
    ), history as (
      insert into dossier_events (dossier_id, at, action, to_status, actor_kind, actor_name, dossier_version)
      select id, $18::timestamptz, 'submit', status, 'citizen', applicant_name, version from dossier
      returning id, dossier_id
    )${nationalSync ? `, national_step as (
      insert into national_sync_steps (dossier_id, event_id, status, unit_id, due_at)
      select dossier.id, history.id, dossier.status, dossier.unit_id, dossier.due_at from dossier join history on history.dossier_id = dossier.id
    ), national_outbox as (
      insert into outbox (job, payload) select '${NATIONAL_SYNC_JOB}', jsonb_build_object('dossierId', id) from dossier
    )` : ''}, notify as (
      -- The citizen's "dossier received" message (services/notifications.ts), committed with the dossier. No NOTIFY:
      -- in an admission burst the relay's poll batches these better than one wake-up per filing.
      insert into outbox (job, payload)
      select 'notify-citizen', jsonb_build_object('dossierId', id, 'dossierVersion', version) from dossier
    )${filesCte}
    select code, version from dossier`;
  submissionStatements.set(key, text);
  return text;
}

export async function findDossierByCode(db: Db, code: string): Promise<DossierRow | undefined> {
  const [row] = await db.select().from(dossiers).where(eq(dossiers.code, code));
  return row;
}

export async function findDossierById(db: Db, id: string): Promise<DossierRow | undefined> {
  const [row] = await db.select().from(dossiers).where(eq(dossiers.id, id));
  return row;
}

export interface RecentFilings { count: number; oldest: number | null }

/**
 * Online filings by an applicant e-mail (compared lower-case, without a +tag, as dossiers_applicant_email_idx holds
 * it) and by any of a phone's spellings, in each window (since that time): how many, and the oldest one's time (epoch
 * ms), for each contact given. One statement whatever is given — each contact counted by its own indexed subquery —,
 * its text constant per number of windows so PostgreSQL prepares it once, written without the query builder: every
 * online filing runs it (bench:burst's profiles: drizzle's builder was the server's largest library cost, and each
 * statement costs a round trip).
 */
export async function recentFilingsByContact<W extends string>(
  database: Pick<Database, 'query'>, contact: { email?: string; phones?: string[] }, windows: Record<W, Date>,
): Promise<{ email?: Record<W, RecentFilings>; phone?: Record<W, RecentFilings> }> {
  const names = Object.keys(windows) as W[];
  const earliest = new Date(Math.min(...names.map((n) => windows[n].getTime())));
  const params: unknown[] = [contact.email ?? null, contact.phones ?? [], earliest.toISOString(), ...names.map((n) => windows[n].toISOString())];
  const [row] = await database.query<Record<string, number | null>>(recentFilingsSql(names.length), params);
  const counts = (prefix: 'e' | 'p') => {
    const out = {} as Record<W, RecentFilings>;
    for (const [i, name] of names.entries()) {
      const oldest = row?.[`${prefix}o${i}`];
      out[name] = { count: Number(row?.[`${prefix}c${i}`] ?? 0), oldest: oldest === null || oldest === undefined ? null : Number(oldest) };
    }
    return out;
  };
  return { ...(contact.email ? { email: counts('e') } : {}), ...(contact.phones?.length ? { phone: counts('p') } : {}) };
}

const recentFilingsStatements = new Map<number, string>();

function recentFilingsSql(windows: number): string {
  let text = recentFilingsStatements.get(windows);
  if (text) return text;
  const columns = (prefix: string) => Array.from({ length: windows }, (_, i) => `(count(*) filter (where submitted_at > $${4 + i}::timestamptz))::int as ${prefix}c${i},
      (extract(epoch from min(submitted_at) filter (where submitted_at > $${4 + i}::timestamptz)) * 1000)::float8 as ${prefix}o${i}`).join(', ');
  // A null e-mail or an empty phone list matches nothing (each subquery still answers one row of zeros).
  text = `select * from
    (select ${columns('e')} from dossiers
      where lower(regexp_replace(applicant_email, '[+][^@]*@', '@')) = lower(regexp_replace($1::text, '[+][^@]*@', '@'))
        and submitted_at > $3::timestamptz and channel = 'online') e,
    (select ${columns('p')} from dossiers
      where applicant_phone = any($2::text[]) and submitted_at > $3::timestamptz and channel = 'online') p`;
  recentFilingsStatements.set(windows, text);
  return text;
}

export async function findDossierByIdempotencyKey(db: Db, key: string): Promise<DossierRow | undefined> {
  const [row] = await db.select().from(dossiers).where(eq(dossiers.idempotencyKey, key));
  return row;
}

/** Writes only if nobody changed the dossier since `expectedVersion` was read; undefined means someone did. */
export async function updateDossierIfVersion(
  db: Db, id: string, expectedVersion: number, patch: Partial<Omit<NewDossier, 'id' | 'version'>>,
): Promise<DossierRow | undefined> {
  const [row] = await db.update(dossiers)
    .set({ ...patch, version: sql`${dossiers.version} + 1`, updatedAt: new Date() })
    .where(and(eq(dossiers.id, id), eq(dossiers.version, expectedVersion)))
    .returning();
  return row;
}

/** A new tracking-token generation (the old token stops working); a change like any other, so the version moves too. */
export async function bumpTrackingTokenVersion(db: Db, id: string): Promise<DossierRow | undefined> {
  const [row] = await db.update(dossiers)
    .set({ trackingTokenVersion: sql`${dossiers.trackingTokenVersion} + 1`, version: sql`${dossiers.version} + 1`, updatedAt: new Date() })
    .where(eq(dossiers.id, id))
    .returning();
  return row;
}

/** A change recorded outside the dossier's own fields (an event about it, e.g. a re-marking request): the version moves. */
export async function bumpDossierVersion(db: Db, id: string): Promise<DossierRow | undefined> {
  const [row] = await db.update(dossiers).set({ version: sql`${dossiers.version} + 1`, updatedAt: new Date() }).where(eq(dossiers.id, id)).returning();
  return row;
}

export async function insertDocuments(db: Db, rows: NewDossierDocument[]): Promise<DossierDocumentRow[]> {
  if (rows.length === 0) return [];
  return db.insert(dossierDocuments).values(rows).returning();
}

export async function listDocuments(db: Db, dossierId: string): Promise<DossierDocumentRow[]> {
  return db.select().from(dossierDocuments).where(eq(dossierDocuments.dossierId, dossierId)).orderBy(asc(dossierDocuments.uploadedAt));
}

export async function findDocument(db: Db, dossierId: string, documentId: string): Promise<DossierDocumentRow | undefined> {
  const [row] = await db.select().from(dossierDocuments)
    .where(and(eq(dossierDocuments.dossierId, dossierId), eq(dossierDocuments.id, documentId)));
  return row;
}

export async function insertEvent(db: Db, event: NewDossierEvent): Promise<void> {
  await db.insert(dossierEvents).values(event);
}

export async function listEvents(db: Db, dossierId: string): Promise<DossierEventRow[]> {
  return db.select().from(dossierEvents).where(eq(dossierEvents.dossierId, dossierId)).orderBy(asc(dossierEvents.id));
}

export interface InboxQuery {
  /** (procedure version, status) pairs the caller's roles may act on. */
  actionable: Array<{ procedureVersionId: number; status: string }>;
  unitIds: string[];
  agencyCodes: string[];
  status?: string;
  procedureId?: string;
  /** How it came in (online, desk, national): the desk picks out what the national portal pushed. */
  channel?: DossierChannel;
  overdueBefore?: Date;
  limit: number;
}

/** What an inbox line shows: no form data, no hashes (the inbox reads up to 500 rows per page view). */
const INBOX_COLUMNS = {
  code: dossiers.code, procedureVersionId: dossiers.procedureVersionId, status: dossiers.status, version: dossiers.version,
  channel: dossiers.channel, applicantName: dossiers.applicantName, submittedAt: dossiers.submittedAt, dueAt: dossiers.dueAt,
  apologyDueAt: dossiers.apologyDueAt, clockState: dossiers.clockState, stateDueAt: dossiers.stateDueAt, slaMark: dossiers.slaMark,
  unitId: dossiers.unitId, assigneeId: dossiers.assigneeId, possibleDuplicateOf: dossiers.possibleDuplicateOf,
};
export type InboxDossier = Pick<DossierRow, keyof typeof INBOX_COLUMNS>;

/**
 * Dossiers in the caller's reach on which they may act now, oldest due date first. Only open dossiers can be acted
 * on (a final state has no action, and entering one sets closed_at), so `closed_at is null` is implied by the state
 * filter — said explicitly, it lets PostgreSQL walk dossiers_open_due_idx (open dossiers in this very order) and stop
 * after `limit` matches, instead of collecting every matching row of the reach and sorting them: the cost follows
 * the open workload, not the years of closed dossiers.
 */
export async function listInbox(db: Db, q: InboxQuery): Promise<InboxDossier[]> {
  if (q.actionable.length === 0 || (q.unitIds.length === 0 && q.agencyCodes.length === 0)) return [];
  const inState = or(...q.actionable.map((a) => and(eq(dossiers.procedureVersionId, a.procedureVersionId), eq(dossiers.status, a.status)))) as SQL;
  const reach = or(
    q.unitIds.length > 0 ? inArray(dossiers.unitId, q.unitIds) : undefined,
    q.agencyCodes.length > 0 ? inArray(dossiers.agencyCode, q.agencyCodes) : undefined,
  ) as SQL;
  const filters: SQL[] = [isNull(dossiers.closedAt), inState, reach];
  if (q.status) filters.push(eq(dossiers.status, q.status));
  if (q.procedureId) filters.push(eq(dossiers.procedureId, q.procedureId));
  if (q.channel) filters.push(eq(dossiers.channel, q.channel));
  if (q.overdueBefore) filters.push(lt(dossiers.dueAt, q.overdueBefore));
  return db.select(INBOX_COLUMNS).from(dossiers).where(and(...filters))
    .orderBy(sql`${dossiers.dueAt} asc nulls last`, asc(dossiers.submittedAt)).limit(q.limit);
}
