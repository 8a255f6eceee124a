import { and, asc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { coalesce, perDatabase } from '../coalesce.js';
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
  /** `{agency}-{yyMMdd}-`: the day's sequence number (at least four digits) is appended once taken. */
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
 * Intake in two statements: take the day's next sequence numbers for the agency (its own short transaction), then
 * insert the dossiers with their codes, documents (metadata and bytes), `submit` events and outbox rows in ONE
 * statement (hence atomic without BEGIN/COMMIT). Concurrent filings share both statements (db/coalesce.ts): on the
 * admission season's first morning a batch of filings costs PostgreSQL little more than one. Each dossier stays
 * all-or-nothing with its own rows; a filing refused by a unique index (a racing Idempotency-Key or pupil) is left out
 * of its batch and tried alone, so it fails exactly as it would have alone. Codes are unique but may have gaps: a
 * failed insert (such a refusal, a crash) does not give its number back. Everything travels as two parameters so the
 * SQL text (a prepared statement) does not vary with the number of filings or files: the rows as JSON ($1) and the
 * bytes of all their files as one base64 text ($2, see submissionParameters).
 */
export function insertSubmission(database: Pick<Database, 'query'>, s: NewSubmission): Promise<{ code: string; version: number }> {
  return coalescedSubmission(database, s);
}

const coalescedSubmission = perDatabase((database: Pick<Database, 'query'>) =>
  coalesce<NewSubmission, { code: string; version: number }>((batch) => insertSubmissions(database, batch), INTAKE_BATCHING));

/**
 * Two batches at once (each two statements) keep both of a small server's cores busy. A batch carries at most 64
 * filings and 8 MB of file bytes (base64: about 11 MB of text): 64 admission registrations with three small PDFs are
 * about 350 KB, but a few filings with realistic scans already fill it, and a filing above it goes alone.
 */
const INTAKE_BATCHING = {
  maxInFlight: 2, maxBatch: 64,
  weight: { of: (s: NewSubmission) => s.documents.reduce((bytes, d) => bytes + ('data' in d ? d.data.length : 0), 0), max: 8 * 1024 * 1024 },
};

async function insertSubmissions(database: Pick<Database, 'query'>, batch: NewSubmission[]): Promise<Array<PromiseSettledResult<{ code: string; version: number }>>> {
  const filings = batch.map(submissionRow);
  const rows = filings.map((f) => f.row);
  const numbers = await takeDossierNumbers(database, batch);
  rows.forEach((row, i) => {
    const number = String(numbers[i]);
    row.code = batch[i]!.codePrefix + number.padStart(4, '0');
  });
  // Alone, a refusal is the statement's own error; in a batch, refused rows are left out and each is tried alone.
  const alone = batch.length === 1;
  const inserted = await database.query<{ ord: number; code: string | null; version: number | null }>(
    alone ? SUBMISSIONS_SQL : SUBMISSIONS_SKIPPING_REFUSED_SQL, submissionParameters(filings));
  const byOrd = new Map(inserted.map((r) => [Number(r.ord), r]));
  const outcomes: Array<PromiseSettledResult<{ code: string; version: number }>> = [];
  // The refused ones one after another (each holds a connection; a storm of repeated requests stays within the pool).
  for (const filing of filings) {
    const { row } = filing;
    const done = byOrd.get(row.ord);
    if (done?.code) {
      outcomes.push({ status: 'fulfilled', value: { code: done.code, version: Number(done.version) } });
      continue;
    }
    try {
      if (alone) throw new Error('intake statement returned no row');
      // Alone, it sends only its own files' bytes.
      const [again] = await database.query<{ code: string | null; version: number | null }>(SUBMISSIONS_SQL, submissionParameters([filing]));
      if (!again?.code) throw new Error('intake statement returned no row');
      outcomes.push({ status: 'fulfilled', value: { code: again.code, version: Number(again.version) } });
    } catch (error) {
      outcomes.push({ status: 'rejected', reason: error });
    }
  }
  return outcomes;
}

/**
 * The intake statement's parameters for these filings: their rows as JSON, and the bytes of their files in PostgreSQL
 * as ONE base64 text, each row told where its files' bytes begin in it (`bytes_at`). Why not the bytes inside the JSON,
 * as they were: the Vietnamese text makes the JSON a two-byte string, and the bytes doubled its size — Node paid for
 * measuring and writing it as UTF-8 and PostgreSQL for parsing the base64 inside the JSON twice (json_in,
 * json_to_recordset). Base64 is a flat one-byte string, and PostgreSQL decodes it once per statement.
 */
function submissionParameters(filings: Array<ReturnType<typeof submissionRow>>): [string, string] {
  let at = 0;
  for (const { row, data } of filings) {
    row.bytes_at = at;
    for (const d of data) at += d.length;
  }
  return [JSON.stringify(filings.map((f) => f.row)), Buffer.concat(filings.flatMap((f) => f.data), at).toString('base64')];
}

/**
 * One filing as a row of the intake statement's JSON parameter (its code set once its number is taken) and the bytes
 * of its files in PostgreSQL, in order: each such file's row says where its bytes lie among them (`at`, `length`).
 */
function submissionRow(s: NewSubmission, ord: number) {
  const files: Array<{ key: string; at: number | null; length: number | null; size_bytes: number; sha256: string }> = [];
  const data: Buffer[] = [];
  let at = 0;
  const documents = s.documents.map((d) => {
    let storageKey: string;
    if ('data' in d) {
      storageKey = newFileKey('uploads');
      files.push({ key: storageKey, at, length: d.data.length, size_bytes: d.sizeBytes, sha256: d.sha256 });
      data.push(d.data);
      at += d.data.length;
    } else if ('file' in d) {
      storageKey = d.file.key;
      files.push({ key: storageKey, at: null, length: null, size_bytes: d.sizeBytes, sha256: d.sha256 });
    } else {
      storageKey = d.storageKey;
    }
    return {
      document_key: d.documentKey, file_name: d.fileName, mime_type: d.mimeType, size_bytes: d.sizeBytes, sha256: d.sha256,
      storage_key: storageKey, uploaded_by: d.uploadedBy, reused_from_document_id: 'reusedFromDocumentId' in d ? d.reusedFromDocumentId : null,
    };
  });
  // Every file of a filing goes where the process's storage driver puts new files.
  if (files.some((f) => f.at === null) && files.some((f) => f.at !== null)) throw new Error('a filing mixes files in PostgreSQL and in object storage');
  const f = s.filing;
  const row = {
    ord, code: '', id: s.id, procedure_id: s.procedureId, procedure_version_id: s.procedureVersionId, agency_code: s.agencyCode,
    unit_id: s.unitId, status: s.status, form_data: s.formData, applicant_name: s.applicant.name, applicant_email: s.applicant.email,
    applicant_phone: s.applicant.phone, applicant_address: s.applicant.address, applicant_id_number: s.applicant.idNumber,
    channel: s.channel, idempotency_key: s.idempotencyKey, request_hash: s.requestHash, submitted_at: s.submittedAt.toISOString(),
    due_at: s.dueAt.toISOString(), citizen_id: f?.citizenId ?? null, subject_personal_id: f?.subjectPersonalId ?? null,
    filed_for: f?.filedFor ?? null, loa: f?.loa ?? null, possible_duplicate_of: f?.possibleDuplicateOf ?? null,
    national_code: s.nationalCode ?? null, fee_amount: s.feeAmount ?? null, national_sync: s.nationalSync === true, documents, files,
    /** Where this filing's bytes begin in the statement's $2 (set by submissionParameters for the batch it is sent in). */
    bytes_at: 0,
  };
  return { row, data };
}

/**
 * The numbers of a batch, in its order: each agency's next numbers of the day, taken in one statement that commits
 * without waiting for its WAL flush (synchronous_commit off for this transaction only, set inside the statement).
 *
 * Why not inside intake's statement, as it was: every filing of an agency on one day updates the same counter row,
 * and a row lock is held until its transaction commits — including the commit's WAL flush and the whole intake
 * statement (dossiers, documents with their bytes, events, outbox). Intakes queued behind each other on that row
 * (bench:burst: most of PostgreSQL's samples were `Lock:transactionid`). Here the lock lasts one index update.
 *
 * Why the asynchronous commit is safe: a number is only ever visible through a dossier, and the dossier's own
 * (synchronous) commit flushes the WAL up to its commit record, which lies after this counter's commit record — so a
 * dossier that survives a crash implies its number's increment survived too, and no number is handed out twice.
 * A crash may lose an increment whose dossier was never committed: a gap, as a failed insert leaves one.
 */
async function takeDossierNumbers(database: Pick<Database, 'query'>, batch: NewSubmission[]): Promise<number[]> {
  const counts = new Map<string, { agency_code: string; day: string; count: number }>();
  for (const s of batch) {
    const key = `${s.agencyCode}\0${s.day}`;
    const counter = counts.get(key) ?? { agency_code: s.agencyCode, day: s.day, count: 0 };
    counter.count++;
    counts.set(key, counter);
  }
  const taken = await database.query<{ agency_code: string; day: string; last: number }>(TAKE_NUMBERS_SQL, [JSON.stringify([...counts.values()])]);
  // The counter now ends at `last`: this batch holds the `count` numbers before it, handed out in the batch's order.
  const next = new Map(taken.map((t) => [`${t.agency_code}\0${t.day}`, Number(t.last) - counts.get(`${t.agency_code}\0${t.day}`)!.count + 1]));
  return batch.map((s) => {
    const key = `${s.agencyCode}\0${s.day}`;
    const number = next.get(key);
    if (number === undefined) throw new Error('dossier counter returned no row');
    next.set(key, number + 1);
    return number;
  });
}

const TAKE_NUMBERS_SQL = `
  with relaxed as (select set_config('synchronous_commit', 'off', true))
  insert into dossier_code_counters (agency_code, day, last)
  select c.agency_code, c.day, c.count from relaxed, json_to_recordset($1::json) as c(agency_code text, day text, count int)
  -- Every batch locks its counter rows in this one order: two batches of several agencies never wait on each other
  -- crosswise (a deadlock PostgreSQL breaks only after deadlock_timeout).
  order by c.agency_code collate "C", c.day collate "C"
  on conflict (agency_code, day) do update set last = dossier_code_counters.last + excluded.last
  returning agency_code, day, last`;

/** The outbox job that sends a dossier's unsent steps to the national portal (jobs/sync-national-portal.ts). */
export const NATIONAL_SYNC_JOB = 'sync-national-portal';

/**
 * The intake statement (`skipRefused`: rows a unique index refuses are left out instead of failing the statement).
 * Files in PostgreSQL carry their bytes (a slice of $2, decoded once: `bytes` is an uncorrelated subquery, an InitPlan
 * PostgreSQL runs once per statement, not per file); files already in object storage (`at` null) were
 * uploaded before this statement: it claims the uploads (deletes their stored_file_uploads rows, so the orphan sweep
 * leaves the objects alone) and writes their metadata. Only a claimed key gets location 's3': a key the sweep already
 * took (its object deleted) gets null, the NOT NULL constraint fails the whole statement, and nothing references the
 * missing object (storage/index.ts uploadClaimLost). Only the inserted dossiers' files are written or claimed.
 */
function submissionsSql(skipRefused: boolean): string {
  return `
    with input as (
      select * from json_to_recordset($1::json) as r(ord int, code text, id uuid, procedure_id text, procedure_version_id int,
        agency_code text, unit_id text, status text, form_data jsonb, applicant_name text, applicant_email text, applicant_phone text,
        applicant_address text, applicant_id_number text, channel text, idempotency_key text, request_hash text,
        submitted_at timestamptz, due_at timestamptz, citizen_id uuid, subject_personal_id text, filed_for text, loa text,
        possible_duplicate_of uuid, national_code text, fee_amount int, national_sync boolean, documents json, files json, bytes_at int)
    ), bytes as (
      select decode($2::text, 'base64') as all_bytes
    ), dossier as (
      insert into dossiers (id, code, procedure_id, procedure_version_id, agency_code, unit_id, status, form_data,
        applicant_name, applicant_email, applicant_phone, applicant_address, applicant_id_number, channel,
        idempotency_key, request_hash, submitted_at, due_at, citizen_id, subject_personal_id, filed_for, loa, possible_duplicate_of,
        national_code, fee_amount)
      select id, code, procedure_id, procedure_version_id, agency_code, unit_id, status, form_data,
        applicant_name, applicant_email, applicant_phone, applicant_address, applicant_id_number, channel,
        idempotency_key, request_hash, submitted_at, due_at, citizen_id, subject_personal_id, filed_for, loa, possible_duplicate_of,
        national_code, fee_amount
      from input order by ord${skipRefused ? `
      on conflict do nothing` : ''}
      returning id, code, status, version, applicant_name, unit_id, due_at, submitted_at
    ), documents as (
      insert into dossier_documents (dossier_id, document_key, file_name, mime_type, size_bytes, sha256, storage_key, uploaded_by, uploaded_at, reused_from_document_id)
      select dossier.id, d.document_key, d.file_name, d.mime_type, d.size_bytes, d.sha256, d.storage_key, d.uploaded_by, dossier.submitted_at, d.reused_from_document_id
      from dossier join input on input.id = dossier.id, json_to_recordset(input.documents)
        as d(document_key text, file_name text, mime_type text, size_bytes int, sha256 text, storage_key text, uploaded_by text, reused_from_document_id uuid)
    ), history as (
      insert into dossier_events (dossier_id, at, action, to_status, actor_kind, actor_name, dossier_version)
      select id, submitted_at, 'submit', status, 'citizen', applicant_name, version from dossier
      returning id, dossier_id
    ), national_step as (
      insert into national_sync_steps (dossier_id, event_id, status, unit_id, due_at)
      select dossier.id, history.id, dossier.status, dossier.unit_id, dossier.due_at
      from dossier join history on history.dossier_id = dossier.id join input on input.id = dossier.id
      where input.national_sync
    ), national_outbox as (
      insert into outbox (job, payload)
      select '${NATIONAL_SYNC_JOB}', jsonb_build_object('dossierId', dossier.id) from dossier join input on input.id = dossier.id
      where input.national_sync
    ), notify as (
      -- The citizen's "dossier received" message (services/notifications.ts), committed with the dossier. No NOTIFY:
      -- in an admission burst the relay's poll batches these better than one wake-up per filing.
      insert into outbox (job, payload)
      select 'notify-citizen', jsonb_build_object('dossierId', id, 'dossierVersion', version) from dossier
    ), file_rows as (
      select f.key, input.bytes_at + f.at as at, f.length, f.size_bytes, f.sha256
      from dossier join input on input.id = dossier.id, json_to_recordset(input.files) as f(key text, at int, length int, size_bytes int, sha256 text)
    ), claimed as (
      delete from stored_file_uploads where key in (select key from file_rows where at is null) returning key
    ), files as (
      insert into stored_files (key, data, size_bytes, sha256, location)
      select key, substring((select all_bytes from bytes) from at + 1 for length), size_bytes, sha256,
        case when at is null then (select 's3' from claimed where claimed.key = file_rows.key) else 'postgres' end
      from file_rows
    )
    select input.ord, dossier.code, dossier.version from input left join dossier on dossier.id = input.id`;
}

const SUBMISSIONS_SQL = submissionsSql(false);
const SUBMISSIONS_SKIPPING_REFUSED_SQL = submissionsSql(true);

export async function findDossierByCode(db: Db, code: string): Promise<DossierRow | undefined> {
  const [row] = await db.select().from(dossiers).where(eq(dossiers.code, code));
  return row;
}

export async function findDossierById(db: Db, id: string): Promise<DossierRow | undefined> {
  const [row] = await db.select().from(dossiers).where(eq(dossiers.id, id));
  return row;
}

export interface RecentFilings { count: number; oldest: number | null }

interface ContactQuery { email?: string; phones?: string[]; windows: Record<string, Date> }
interface ContactCounts { email?: Record<string, RecentFilings>; phone?: Record<string, RecentFilings> }

/**
 * Online filings by an applicant e-mail (compared lower-case, without a +tag, as dossiers_applicant_email_idx holds
 * it) and by any of a phone's spellings, in each window (since that time): how many, and the oldest one's time (epoch
 * ms), for each contact given. Every online filing asks, so concurrent filings share one statement (db/coalesce.ts),
 * each contact counted by its own indexed subquery; written without the query builder (bench:burst's profiles:
 * drizzle's builder was the server's largest library cost).
 */
export async function recentFilingsByContact<W extends string>(
  database: Pick<Database, 'query'>, contact: { email?: string; phones?: string[] }, windows: Record<W, Date>,
): Promise<{ email?: Record<W, RecentFilings>; phone?: Record<W, RecentFilings> }> {
  return await coalescedContactCounts(database, { ...contact, windows }) as { email?: Record<W, RecentFilings>; phone?: Record<W, RecentFilings> };
}

const coalescedContactCounts = perDatabase((database: Pick<Database, 'query'>) =>
  coalesce<ContactQuery, ContactCounts>((batch) => countContacts(database, batch), { maxInFlight: 2, maxBatch: 64 }));

async function countContacts(database: Pick<Database, 'query'>, batch: ContactQuery[]): Promise<Array<PromiseSettledResult<ContactCounts>>> {
  // Every filing of a process asks for the same windows (the configured limits); each set of names gets its statement.
  const byNames = new Map<string, number[]>();
  batch.forEach((q, i) => {
    const key = Object.keys(q.windows).join('\0');
    byNames.set(key, [...(byNames.get(key) ?? []), i]);
  });
  const answers = new Map<number, Record<string, number | null>>();
  for (const members of byNames.values()) {
    const names = Object.keys(batch[members[0]!]!.windows);
    const rows = members.map((i) => {
      const q = batch[i]!;
      const times = names.map((n) => q.windows[n]!.getTime());
      return { ord: i, email: q.email ?? null, phones: q.phones ?? [], earliest: new Date(Math.min(...times)).toISOString(),
        ...Object.fromEntries(names.map((n, w) => [`w${w}`, q.windows[n]!.toISOString()])) };
    });
    for (const row of await database.query<Record<string, number | null>>(recentFilingsSql(names.length), [JSON.stringify(rows)])) {
      answers.set(Number(row.ord), row);
    }
  }
  return batch.map((q, i) => {
    const row = answers.get(i);
    if (!row) return { status: 'rejected', reason: new Error('contact counts returned no row') };
    const counts = (prefix: 'e' | 'p') => Object.fromEntries(Object.keys(q.windows).map((name, w) => {
      const oldest = row[`${prefix}o${w}`];
      return [name, { count: Number(row[`${prefix}c${w}`] ?? 0), oldest: oldest === null || oldest === undefined ? null : Number(oldest) }];
    }));
    return { status: 'fulfilled', value: { ...(q.email ? { email: counts('e') } : {}), ...(q.phones?.length ? { phone: counts('p') } : {}) } };
  });
}

const recentFilingsStatements = new Map<number, string>();

function recentFilingsSql(windows: number): string {
  let text = recentFilingsStatements.get(windows);
  if (text) return text;
  const columns = (prefix: string) => Array.from({ length: windows }, (_, i) => `(count(*) filter (where submitted_at > c.w${i}))::int as ${prefix}c${i},
      (extract(epoch from min(submitted_at) filter (where submitted_at > c.w${i})) * 1000)::float8 as ${prefix}o${i}`).join(', ');
  const windowColumns = Array.from({ length: windows }, (_, i) => `w${i} timestamptz`).join(', ');
  // A null e-mail or an empty phone list matches nothing (each subquery still answers one row of zeros).
  text = `select c.ord, e.*, p.*
    from json_to_recordset($1::json) as c(ord int, email text, phones text[], earliest timestamptz, ${windowColumns}),
    lateral (select ${columns('e')} from dossiers
      where lower(regexp_replace(applicant_email, '[+][^@]*@', '@')) = lower(regexp_replace(c.email, '[+][^@]*@', '@'))
        and submitted_at > c.earliest and channel = 'online') e,
    lateral (select ${columns('p')} from dossiers
      where applicant_phone = any(c.phones) and submitted_at > c.earliest and channel = 'online') p`;
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
  /**
   * Every word (accent-folded, lower case) must be in the dossier's code or applicant name, or the word is in the
   * title of its procedure version (the service lists those versions: titles live in the workflow files).
   */
  words?: Array<{ word: string; procedureVersionIds: number[] }>;
  /** Where the previous page ended (its last row's `cursor`): this page starts just after it in the inbox's order. */
  after?: InboxCursor;
  limit: number;
}

/**
 * A position in the inbox's order (due_at nulls last, submitted_at, id): times in microseconds since the epoch, as
 * text — a JavaScript Date would round them to milliseconds and repeat or skip dossiers within the same millisecond.
 */
export interface InboxCursor { dueAtMicros: string | null; submittedAtMicros: string; id: string }

/** What an inbox line shows: no form data, no hashes (a page of the inbox reads 100 rows, the API up to 500). */
const INBOX_COLUMNS = {
  code: dossiers.code, procedureVersionId: dossiers.procedureVersionId, status: dossiers.status, version: dossiers.version,
  channel: dossiers.channel, applicantName: dossiers.applicantName, submittedAt: dossiers.submittedAt, dueAt: dossiers.dueAt,
  apologyDueAt: dossiers.apologyDueAt, clockState: dossiers.clockState, stateDueAt: dossiers.stateDueAt, slaMark: dossiers.slaMark,
  unitId: dossiers.unitId, assigneeId: dossiers.assigneeId, possibleDuplicateOf: dossiers.possibleDuplicateOf,
};
export type InboxDossier = Pick<DossierRow, keyof typeof INBOX_COLUMNS> & { cursor: InboxCursor };

const micros = (column: typeof dossiers.dueAt | typeof dossiers.submittedAt) => sql<string | null>`(extract(epoch from ${column}) * 1000000)::bigint::text`;
const instant = (value: string) => sql`(timestamptz 'epoch' + ${value}::bigint * interval '1 microsecond')`;

/**
 * Accent folding in SQL without the unaccent extension (the embedded PGlite has none): translate() maps each
 * precomposed Latin letter with diacritics (and đ/Đ) to its base letter, then lower() sees ASCII only, whatever the
 * database's ctype. The table is derived from Unicode decomposition, as services/viewing/text.ts foldAccents() folds.
 */
const FOLD = (() => {
  let from = '';
  let to = '';
  for (let cp = 0xc0; cp <= 0x1eff; cp++) {
    const ch = String.fromCodePoint(cp);
    if (ch.normalize('NFC') !== ch) continue;
    const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd');
    if (/^[A-Za-z]$/.test(base)) { from += ch; to += base; }
  }
  return { from, to };
})();
const folded = (column: typeof dossiers.code | typeof dossiers.applicantName) => sql`lower(translate(${column}, ${FOLD.from}, ${FOLD.to}))`;

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
  for (const { word, procedureVersionIds } of q.words ?? []) {
    filters.push(or(
      sql`strpos(${folded(dossiers.code)}, ${word}) > 0`, sql`strpos(${folded(dossiers.applicantName)}, ${word}) > 0`,
      procedureVersionIds.length > 0 ? inArray(dossiers.procedureVersionId, procedureVersionIds) : undefined,
    ) as SQL);
  }
  const select = async (where: SQL[], limit: number): Promise<InboxDossier[]> => {
    const rows = await db.select({ ...INBOX_COLUMNS, id: dossiers.id, dueAtMicros: micros(dossiers.dueAt), submittedAtMicros: micros(dossiers.submittedAt) })
      .from(dossiers).where(and(...filters, ...where))
      .orderBy(sql`${dossiers.dueAt} asc nulls last`, asc(dossiers.submittedAt), asc(dossiers.id)).limit(limit);
    return rows.map(({ id, dueAtMicros, submittedAtMicros, ...row }) => ({ ...row, cursor: { dueAtMicros, submittedAtMicros: submittedAtMicros!, id } }));
  };
  const after = q.after;
  if (!after) return select([], q.limit);
  // A row comparison over the index's columns, so PostgreSQL starts the walk of dossiers_open_due_idx at the cursor
  // (Index Cond) instead of filtering every row before it. NULL never compares, so the dossiers without a due date
  // (last in the order) are a second statement, asked only when the dated ones end within this page.
  const undated = (rest: SQL[], limit: number) => select([isNull(dossiers.dueAt), ...rest], limit);
  const afterUndated = sql`(${dossiers.submittedAt}, ${dossiers.id}) > (${instant(after.submittedAtMicros)}, ${after.id}::uuid)`;
  if (after.dueAtMicros === null) return undated([afterUndated], q.limit);
  const dated = await select([sql`(${dossiers.dueAt}, ${dossiers.submittedAt}, ${dossiers.id}) > (${instant(after.dueAtMicros)}, ${instant(after.submittedAtMicros)}, ${after.id}::uuid)`], q.limit);
  return dated.length < q.limit ? [...dated, ...await undated([], q.limit - dated.length)] : dated;
}
