// How many SQL statements an admission registration sends to PostgreSQL (issue 15, item 2): pinned, so a change that
// adds a round trip to the season's first morning fails here instead of silently slowing every registration. Counted
// exactly on the driver (postgres.js `debug`) around the real intake service, on a context whose database client
// reports every statement. No timing is asserted; bench/admission-burst.ts measures the time.
// Concurrent filings share those statements (db/coalesce.ts): many registrations at once take far fewer statements
// than one each, every dossier is still whole (its documents with the right bytes, its event, its outbox row), and a
// filing refused in a batch — a pupil twice, one Idempotency-Key twice, a row the statement cannot write — fails
// exactly as it would alone while the others of its batch are written. The files' bytes travel apart from the rows
// (one base64 parameter, each row told where its files lie in it): a batch of filings with different numbers of files,
// one refused, stores each file's own bytes — on both drivers — and a filing tried alone sends only its own files.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import type { Database, Db } from '../../src/db/client.js';
import { findDossierByCode, insertSubmission, type NewSubmission } from '../../src/db/repositories/dossiers.js';
import * as schema from '../../src/db/schema/index.js';
import { AppError } from '../../src/errors.js';
import { intakeOrganisation } from '../../src/services/intake/organisation-cache.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { makePdf } from '../helpers/files.js';

let env: TestEnvironment;
let client: postgres.Sql;
let databaseUrl: string;
let ctx: AppContext;
/** Every statement the client sent, with its parameters (the tests of the files' bytes read those). */
let statements: Array<{ query: string; parameters: unknown[] }> = [];
let pdf: Buffer;

beforeAll(async () => {
  env = await startTestEnvironment('production');
  if (env.config.database.kind !== 'postgres') throw new Error('production mode runs on PostgreSQL');
  databaseUrl = env.config.database.url;
  client = postgres(databaseUrl, { max: 2, onnotice: () => {}, debug: (_connection, query, parameters) => { statements.push({ query, parameters }); } });
  const db = drizzle(client, { schema }) as unknown as Db;
  ctx = {
    ...env.ctx, db,
    // The per-contact limits on, as in production (the test environment turns them off).
    config: { ...env.ctx.config, intake: { ...env.ctx.config.intake, perContactHour: 5, perContactDay: 20 } },
    database: { ...env.ctx.database, db, query: async <T>(text: string, params: unknown[]) => (await client.unsafe(text, params as never[], { prepare: true })) as unknown as T[] },
  };
  pdf = await makePdf('Giay to');
});
afterAll(async () => {
  await client?.end({ timeout: 5 });
  await env?.close();
});

const registration = (n: number) => ({
  campaign: 'ts10-demo', grade: '10', pupilName: `Trần Khánh Linh ${n}`, pupilIdNumber: `03831200${String(n).padStart(4, '0')}`,
  pupilBirthDate: '2011-04-20', pupilGender: 'female', residence: 'Phường Ba Đình, TP Thanh Hóa', previousSchool: 'THCS Trần Mai Ninh',
  parentName: 'Trần Văn Hòa', parentPhone: `0912${String(n).padStart(6, '0')}`, parentEmail: `phuhuynh${n}@example.vn`,
  choice1: 'thpt-lam-son', choice2: 'thpt-dao-duy-tu', priority: 'none',
});

const documents = () => ['birthCertificate', 'residenceProof', 'schoolRecord'].map((fieldName) => ({ fieldName, fileName: `${fieldName}.pdf`, data: pdf }));

async function register(n: number) {
  statements = [];
  const outcome = await submitDossier(ctx, { procedureId: 'admission-registration', data: registration(n), files: documents() }).then(
    (filed) => ({ filed, error: undefined }), (error: unknown) => ({ filed: undefined, error }));
  // postgres.js reads the array types once on each new connection: not the filing's work.
  return { ...outcome, statements: statements.map((s) => s.query).filter((q) => !q.includes('pg_catalog.pg_type')) };
}

describe('statements per admission registration', () => {
  it('four once the campaign and the organisation are read: contact counts, roster, day number, the insert', async () => {
    const first = await register(1);
    expect(first.error).toBeUndefined();
    const second = await register(2);
    expect(second.error).toBeUndefined();
    expect(second.statements, second.statements.join('\n---\n')).toHaveLength(4);
    // The contact counts and the campaign's roster check run side by side (either may leave first); the day's number
    // and the insert only once both have answered.
    const [checkA, checkB, counter, insert] = second.statements;
    const contacts = [checkA, checkB].find((q) => /applicant_email/.test(q ?? ''));
    const roster = [checkA, checkB].find((q) => q !== contacts);
    expect(roster).toMatch(/admission_roster/);
    // The e-mail and the phone counted in one statement, each by its own indexed subquery.
    expect(contacts).toMatch(/applicant_email/);
    expect(contacts).toMatch(/applicant_phone/);
    expect(counter).toMatch(/dossier_code_counters/);
    expect(insert).toMatch(/insert into dossiers/);
    const dossier = await findDossierByCode(env.ctx.db, second.filed!.code);
    expect(dossier?.formData).toMatchObject({ choice1: 'thpt-lam-son', choice1Label: expect.any(String), campaignLabel: expect.any(String) });
    expect(dossier?.unitId).toBe('thpt-lam-son');
  });

  it('a second registration of a pupil is refused by the unique index — its code not told to another filer — and writes nothing', async () => {
    const first = await register(3);
    expect(first.error).toBeUndefined();
    const [before] = await client<{ n: number }[]>`select count(*)::int as n from dossiers`;
    const again = await register(3);
    expect(again.error).toBeInstanceOf(AppError);
    expect(again.error).toMatchObject({ code: 'DUPLICATE_REGISTRATION' });
    const [after] = await client<{ n: number }[]>`select count(*)::int as n from dossiers`;
    expect(after!.n).toBe(before!.n);
    // Anonymous filings: the other filer is not told the code (only its own filer would be).
    expect((again.error as AppError).fields?.pupilIdNumber).toBe('Học sinh này đã có hồ sơ đăng ký trong kỳ tuyển sinh.');
  });

  it('routes with the organisation read once per few seconds, dropped at an administrative change', async () => {
    const database = env.ctx.database;
    const cached = await intakeOrganisation(database);
    expect(await intakeOrganisation(database)).toBe(cached);
    await env.ctx.adminData.changed();
    const reread = await intakeOrganisation(database);
    expect(reread).not.toBe(cached);
    expect(reread.units.get('thpt-lam-son')?.kind).toBe('school_office');
  });
});

const batchRegistration = (n: number) => ({
  campaign: 'ts10-demo', grade: '10', pupilName: `Lê Minh Anh ${n}`, pupilIdNumber: `03831300${String(n).padStart(4, '0')}`,
  pupilBirthDate: '2011-04-20', pupilGender: 'male', residence: 'Phường Ba Đình, TP Thanh Hóa', previousSchool: 'THCS Trần Mai Ninh',
  parentName: 'Lê Văn Hùng', parentPhone: `0913${String(n).padStart(6, '0')}`, parentEmail: `cha${n}@example.vn`,
  choice1: 'thpt-lam-son', choice2: 'thpt-dao-duy-tu', priority: 'none',
});


const file = (data: Record<string, unknown>, idempotencyKey?: string) =>
  submitDossier(ctx, { procedureId: 'admission-registration', data, files: documents(), idempotencyKey });

const count = (pattern: RegExp) => statements.filter((s) => pattern.test(s.query)).length;

describe('intake batching', () => {
  it('writes 40 registrations filed at once in far fewer statements, each dossier whole', async () => {
    statements = [];
    const filed = await Promise.all(Array.from({ length: 40 }, (_, i) => file(batchRegistration(i + 1))));
    // One statement per batch, not per filing: the inserts, the day numbers, the contact counts, the roster look-ups.
    expect(count(/insert into dossiers/)).toBeLessThan(40);
    expect(count(/dossier_code_counters/)).toBeLessThan(40);
    expect(count(/applicant_email/)).toBeLessThan(40);
    expect(count(/admission_roster/)).toBeLessThan(40);
    expect(new Set(filed.map((f) => f.code)).size).toBe(40);

    const rows = await client<{ code: string; documents: number; bytes_ok: number; events: number; outbox: number; pupil: string }[]>`
      select d.code, d.form_data->>'pupilIdNumber' as pupil,
        (select count(*)::int from dossier_documents dd where dd.dossier_id = d.id) as documents,
        (select count(*)::int from dossier_documents dd join stored_files f on f.key = dd.storage_key
          where dd.dossier_id = d.id and f.sha256 = dd.sha256 and encode(sha256(f.data), 'hex') = ${createHash('sha256').update(pdf).digest('hex')}) as bytes_ok,
        (select count(*)::int from dossier_events e where e.dossier_id = d.id and e.action = 'submit' and e.dossier_version = 1) as events,
        (select count(*)::int from outbox o where o.job = 'notify-citizen' and o.payload->>'dossierId' = d.id::text) as outbox
      from dossiers d where d.code in ${client(filed.map((f) => f.code))}`;
    expect(rows).toHaveLength(40);
    for (const row of rows) expect(row).toMatchObject({ documents: 3, bytes_ok: 3, events: 1, outbox: 1 });
    // Each code names its own pupil's dossier (the codes were handed out in the batch's order, not shuffled).
    const byCode = new Map(rows.map((r) => [r.code, r.pupil]));
    filed.forEach((f, i) => expect(byCode.get(f.code)).toBe(batchRegistration(i + 1).pupilIdNumber));
  });

  it('refuses a pupil filed twice at once as alone — one dossier, DUPLICATE_REGISTRATION — and writes the others, no stray file', async () => {
    const [before] = await client<{ n: number }[]>`select count(*)::int as n from stored_files`;
    const forms = Array.from({ length: 20 }, (_, i) => batchRegistration(100 + i));
    forms.push({ ...batchRegistration(105), parentPhone: '0913999105', parentEmail: 'me105@example.vn' });
    const outcomes = await Promise.allSettled(forms.map((form) => file(form)));
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'DUPLICATE_REGISTRATION' });
    // Which of the two pupils-105 lost is the race's; the other nineteen pupils are each written once.
    const [pupils] = await client<{ n: number }[]>`
      select count(distinct form_data->>'pupilIdNumber')::int as n from dossiers where form_data->>'pupilIdNumber' like '038313000%' and form_data->>'pupilIdNumber' >= '038313000100'`;
    expect(pupils!.n).toBe(20);
    const [after] = await client<{ n: number }[]>`select count(*)::int as n from stored_files`;
    expect(after!.n - before!.n).toBe(3 * 20);
  });

  it('answers one request sent twice at once with its Idempotency-Key with the same dossier, written once', async () => {
    const key = randomUUID();
    const form = batchRegistration(200);
    const outcomes = await Promise.all([file(form, key), file(batchRegistration(201)), file(form, key), file(batchRegistration(202))]);
    expect(outcomes[0]!.code).toBe(outcomes[2]!.code);
    // Both passed the up-front replay check (sent before either was written): the loser of the INSERT answers as a replay.
    expect([outcomes[0]!.replayed, outcomes[2]!.replayed].sort()).toEqual([false, true]);
    const [rows] = await client<{ n: number }[]>`select count(*)::int as n from dossiers where idempotency_key = ${key}`;
    expect(rows!.n).toBe(1);
    expect(new Set(outcomes.map((o) => o.code)).size).toBe(3);
  });

  it('locks the day counters of a batch in one order, so two batches of several agencies never deadlock', async () => {
    const model = await findDossierByCode(env.ctx.db, (await file(batchRegistration(400))).code);
    const [first, second] = ['Z-BATCH-A', 'Z-BATCH-B'];
    const day = `lock-${randomUUID().slice(0, 8)}`;
    for (const code of [first!, second!]) {
      await client`insert into agencies (code, name, parent_name, place, kind) values (${code}, ${code}, 'Sở GD&ĐT', 'Thanh Hóa', 'department') on conflict do nothing`;
      await client`insert into dossier_code_counters (agency_code, day, last) values (${code}, ${day}, 0)`;
    }
    const filing = (agency: string, n: number): NewSubmission => ({
      id: randomUUID(), codePrefix: `${agency}-${day}-`, agencyCode: agency, day, procedureId: 'admission-registration',
      procedureVersionId: model!.procedureVersionId, unitId: model!.unitId, status: 'submitted', formData: { campaign: day, pupilIdNumber: String(n) },
      applicant: { name: `Người nộp ${n}`, email: null, phone: null, address: null, idNumber: null }, channel: 'online',
      idempotencyKey: null, requestHash: null, submittedAt: new Date(), dueAt: new Date(Date.now() + 86_400_000), documents: [],
    });
    // Another batch (here a transaction of its own) holds the first agency's counter and will want the second's.
    const other = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const held = await other.reserve();
      await held`begin`;
      await held`update dossier_code_counters set last = last + 1 where agency_code = ${first!} and day = ${day}`;
      // This batch meets the second agency first: locked in its own order, it would hold the second's counter and wait
      // for the first's while the other waits for the second's — a deadlock, one of the two failed after a second.
      const batch = Promise.allSettled([insertSubmission(ctx.database, filing(second!, 1)), insertSubmission(ctx.database, filing(first!, 2))]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await held`update dossier_code_counters set last = last + 1 where agency_code = ${second!} and day = ${day}`;
      await held`commit`;
      held.release();
      const outcomes = await batch;
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.code : String(o.reason)))).toEqual([`${second}-${day}-0002`, `${first}-${day}-0002`]);
    } finally {
      await other.end({ timeout: 5 });
    }
  });

  it('fails only the filing its statement cannot write (an unknown procedure version); the rest of the batch is written', async () => {
    const model = await findDossierByCode(env.ctx.db, (await file(batchRegistration(300))).code);
    const submission = (n: number, procedureVersionId = model!.procedureVersionId): NewSubmission => ({
      id: randomUUID(), codePrefix: `${model!.agencyCode}-BATCH-`, agencyCode: model!.agencyCode, day: 'batch-test',
      procedureId: 'admission-registration', procedureVersionId, unitId: model!.unitId, status: 'submitted',
      formData: { campaign: 'batch-test', pupilIdNumber: `batch-${n}` },
      applicant: { name: `Người nộp ${n}`, email: null, phone: null, address: null, idNumber: null },
      channel: 'online', idempotencyKey: null, requestHash: null, submittedAt: new Date(), dueAt: new Date(Date.now() + 86_400_000),
      documents: [{ documentKey: 'birthCertificate', fileName: 'a.pdf', mimeType: 'application/pdf', sizeBytes: pdf.length,
        sha256: createHash('sha256').update(pdf).digest('hex'), uploadedBy: 'citizen', data: pdf }],
    });
    statements = [];
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5, 6].map((n) => insertSubmission(ctx.database, submission(n, n === 4 ? 987_654 : undefined))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[3] as PromiseRejectedResult).reason).toMatchObject({ code: '23503' });
    const [written] = await client<{ n: number; files: number }[]>`
      select count(*)::int as n, (select count(*)::int from dossier_documents dd join stored_files f on f.key = dd.storage_key
        join dossiers d2 on d2.id = dd.dossier_id where d2.form_data->>'campaign' = 'batch-test') as files
      from dossiers where form_data->>'campaign' = 'batch-test'`;
    expect(written).toEqual({ n: 5, files: 5 });
    // The batch was tried once together, then each of its filings alone.
    expect(count(/insert into dossiers/)).toBeGreaterThan(6);
  });
});

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Two batches of filings with 0 to 3 files each, of different lengths (one of a single byte): in the first a filing
 * refused by its Idempotency-Key's unique index (left out of the statement, then tried alone); the second's statement
 * fails on one filing (an unknown procedure version), so each is tried alone. Every written file holds exactly the
 * bytes uploaded for it. Returns the refused filing's uploads.
 */
async function batchesKeepEachFilesBytes(database: Pick<Database, 'query'>): Promise<Buffer[]> {
  const [version] = await database.query<{ id: number; procedure_id: string }>('select id, procedure_id from procedure_versions order by id limit 1', []);
  const [unit] = await database.query<{ id: string; agency_code: string }>('select id, agency_code from units order by id limit 1', []);
  const day = `bytes-${randomUUID().slice(0, 8)}`;
  const filing = (n: number, files: number, options: { idempotencyKey?: string; procedureVersionId?: number } = {}) => {
    const uploads = Array.from({ length: files }, (_, j) => randomBytes(j === 1 ? 1 : 400 + 997 * n + 131 * j));
    const submission: NewSubmission = {
      id: randomUUID(), codePrefix: `${unit!.agency_code}-${day}-`, agencyCode: unit!.agency_code, day, procedureId: version!.procedure_id,
      procedureVersionId: options.procedureVersionId ?? version!.id, unitId: unit!.id, status: 'submitted', formData: { campaign: day, pupilIdNumber: String(n) },
      applicant: { name: `Người nộp ${n}`, email: null, phone: null, address: null, idNumber: null }, channel: 'online',
      idempotencyKey: options.idempotencyKey ?? null, requestHash: null, submittedAt: new Date(), dueAt: new Date(Date.now() + 86_400_000),
      documents: uploads.map((data, j) => ({ documentKey: `doc${j}`, fileName: `tep-${j}.pdf`, mimeType: 'application/pdf', sizeBytes: data.length,
        sha256: sha(data), uploadedBy: 'citizen', data })),
    };
    return { uploads, submission };
  };
  const taken = randomUUID();
  await insertSubmission(database, filing(0, 1, { idempotencyKey: taken }).submission);
  const first = [filing(1, 2), filing(2, 0), filing(3, 3), filing(4, 2, { idempotencyKey: taken }), filing(5, 1), filing(6, 2), filing(7, 3)];
  const firstOutcomes = await Promise.allSettled(first.map((f) => insertSubmission(database, f.submission)));
  expect(firstOutcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
  expect((firstOutcomes[3] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
  const second = [filing(8, 3), filing(9, 1), filing(10, 2, { procedureVersionId: 987_654 }), filing(11, 2), filing(12, 0), filing(13, 3)];
  const secondOutcomes = await Promise.allSettled(second.map((f) => insertSubmission(database, f.submission)));
  expect(secondOutcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);

  const written = [...first, ...second].map((f, i) => ({ f, outcome: [...firstOutcomes, ...secondOutcomes][i]! }))
    .filter((w): w is { f: typeof w.f; outcome: PromiseFulfilledResult<{ code: string; version: number }> } => w.outcome.status === 'fulfilled');
  expect(written).toHaveLength(11);
  for (const { f, outcome } of written) {
    const files = await database.query<{ document_key: string; data: Uint8Array | null; size_bytes: number; sha256: string; location: string }>(`
      select dd.document_key, sf.data, sf.size_bytes, sf.sha256, sf.location from dossiers d join dossier_documents dd on dd.dossier_id = d.id
      join stored_files sf on sf.key = dd.storage_key where d.code = $1 order by dd.document_key`, [outcome.value.code]);
    expect(files.map((r) => r.document_key)).toEqual(f.uploads.map((_, j) => `doc${j}`));
    files.forEach((r, j) => {
      expect(Buffer.from(r.data!).equals(f.uploads[j]!), `${outcome.value.code} ${r.document_key}`).toBe(true);
      expect(r).toMatchObject({ size_bytes: f.uploads[j]!.length, sha256: sha(f.uploads[j]!), location: 'postgres' });
    });
  }
  // Nothing of the refused filings was stored. By content: their files of hundreds of random bytes (a one-byte file's
  // hash is any other one-byte file's with that byte — the other filings here store seven, other tests more).
  const refused = [first[3]!, second[2]!].flatMap((f) => f.uploads.filter((u) => u.length > 1).map(sha));
  expect(refused).toHaveLength(2);
  const [stray] = await database.query<{ n: number }>('select count(*)::int as n from stored_files where sha256 = any($1::text[])', [refused]);
  expect(stray!.n).toBe(0);
  return first[3]!.uploads;
}

describe('the files of a batch', () => {
  it('stores each file its own bytes, and a filing tried alone sends only its own files (postgres.js)', async () => {
    statements = [];
    const refusedUploads = await batchesKeepEachFilesBytes(ctx.database);
    const inserts = statements.filter((s) => /insert into dossiers/.test(s.query));
    // The refused filing's retry alone: its own two files' bytes and nothing else's.
    const retry = inserts.find((s) => !/on conflict do nothing/.test(s.query) && s.parameters[1] === Buffer.concat(refusedUploads).toString('base64'));
    expect(retry).toBeDefined();
    // Every statement's bytes one base64 text apart from the rows' JSON, which says where each file's bytes lie.
    for (const s of inserts) {
      expect(s.parameters[1]).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
      const files = (JSON.parse(String(s.parameters[0])) as Array<{ files: Array<Record<string, unknown>> }>).flatMap((r) => r.files);
      for (const file of files) expect(Object.keys(file).sort()).toEqual(['at', 'key', 'length', 'sha256', 'size_bytes']);
    }
  });

  it('stores each file its own bytes on PGlite too', async () => {
    const embedded = await startTestEnvironment('embedded');
    try {
      if (embedded.ctx.database.kind !== 'pglite') throw new Error('embedded mode runs on PGlite');
      await batchesKeepEachFilesBytes(embedded.ctx.database);
    } finally {
      await embedded.close();
    }
  }, 60_000);
});
