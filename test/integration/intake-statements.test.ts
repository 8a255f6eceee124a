// How many SQL statements an admission registration sends to PostgreSQL (issue 15, item 2): pinned, so a change that
// adds a round trip to the season's first morning fails here instead of silently slowing every registration. Counted
// exactly on the driver (postgres.js `debug`) around the real intake service, on a context whose database client
// reports every statement. No timing is asserted; bench/admission-burst.ts measures the time.
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import type { Db } from '../../src/db/client.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import * as schema from '../../src/db/schema/index.js';
import { AppError } from '../../src/errors.js';
import { intakeOrganisation } from '../../src/services/intake/organisation-cache.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { makePdf } from '../helpers/files.js';

let env: TestEnvironment;
let client: postgres.Sql;
let ctx: AppContext;
let statements: string[] = [];
let pdf: Buffer;

beforeAll(async () => {
  env = await startTestEnvironment('production');
  if (env.config.database.kind !== 'postgres') throw new Error('production mode runs on PostgreSQL');
  client = postgres(env.config.database.url, { max: 2, onnotice: () => {}, debug: (_connection, query) => { statements.push(query); } });
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

async function register(n: number) {
  const files = ['birthCertificate', 'residenceProof', 'schoolRecord'].map((fieldName) => ({ fieldName, fileName: `${fieldName}.pdf`, data: pdf }));
  statements = [];
  const outcome = await submitDossier(ctx, { procedureId: 'admission-registration', data: registration(n), files }).then(
    (filed) => ({ filed, error: undefined }), (error: unknown) => ({ filed: undefined, error }));
  // postgres.js reads the array types once on each new connection: not the filing's work.
  return { ...outcome, statements: statements.filter((s) => !s.includes('pg_catalog.pg_type')) };
}

describe('statements per admission registration', () => {
  it('four once the campaign and the organisation are read: contact counts, roster, day number, the insert', async () => {
    const first = await register(1);
    expect(first.error).toBeUndefined();
    const second = await register(2);
    expect(second.error).toBeUndefined();
    expect(second.statements, second.statements.join('\n---\n')).toHaveLength(4);
    const [contacts, roster, counter, insert] = second.statements;
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
