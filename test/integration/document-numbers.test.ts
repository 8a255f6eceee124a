// Document numbers (Decree 30/2020) on real PostgreSQL: numberDocument gives each document of one agency's register
// the next number of the year, unique and without gaps however many transactions race (a rollback gives its number
// back); the same document keeps its number; agencies and registers count apart; the register restarts at 01 on
// 1 January in Vietnam (UTC+7), and a document reserved in December and rendered again in January is renumbered.
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type Db } from '../../src/db/client.js';
import { dossiers, procedureVersions, registeredDocuments } from '../../src/db/schema/index.js';
import {
  markDocumentIssued, numberDocument, registerYear, type NumberRequest,
} from '../../src/services/numbering/document-numbers.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

const DEPARTMENT = { agencyCode: '000.00.12.H56', agencyAbbreviation: 'SGDĐT', unitId: 'qlcl' };
const SCHOOL = { agencyCode: '000.20.12.H56', agencyAbbreviation: 'THPTCLS', unitId: 'thpt-lam-son' };
type Agency = typeof DEPARTMENT;

/** Vietnam wall-clock time → the instant (UTC+7, no daylight saving). */
const vn = (local: string) => new Date(`${local}+07:00`);

let env: TestEnvironment;
/** A pool wide enough that every racing transaction holds its own connection (the app's pool has 10). */
let wide: Database;
let versionId: number;
let dossierSeq = 0;

beforeAll(async () => {
  env = await startTestEnvironment('production', { seedStaff: false, organisation: true });
  if (env.config.database.kind !== 'postgres') throw new Error('production mode runs on PostgreSQL');
  wide = await openDatabase({ kind: 'postgres', url: env.config.database.url, max: 60 }, { migrate: false });
  const [version] = await env.ctx.db.select({ id: procedureVersions.id }).from(procedureVersions).where(eq(procedureVersions.procedureId, 'diploma-copy')).limit(1);
  versionId = version!.id;
});
afterAll(async () => {
  await wide?.close();
  await env?.close();
});

/** Minimal dossier rows of one agency (the register lines reference them). */
async function makeDossiers(agency: Agency, n: number): Promise<string[]> {
  const rows = await env.ctx.db.insert(dossiers).values(Array.from({ length: n }, () => {
    dossierSeq += 1;
    return {
      code: `${agency.agencyCode}-SOVB-${String(dossierSeq).padStart(5, '0')}`, procedureId: 'diploma-copy', procedureVersionId: versionId,
      agencyCode: agency.agencyCode, unitId: agency.unitId, status: 'processing', formData: {}, applicantName: `Người nộp ${dossierSeq}`,
    };
  })).returning({ id: dossiers.id });
  return rows.map((r) => r.id);
}

const request = (agency: Agency, dossierId: string, overrides: Partial<NumberRequest> = {}): NumberRequest => ({
  agencyCode: agency.agencyCode, agencyAbbreviation: agency.agencyAbbreviation, kind: 'decision', dossierId, subject: 'result',
  summary: 'Về việc cấp bản sao bằng tốt nghiệp', at: vn('2031-05-12T09:00:00'), ...overrides,
});

const numberIn = (db: Db, r: NumberRequest) => db.transaction((tx) => numberDocument(tx, r));

async function linesOf(agencyCode: string, register: 'outgoing' | 'copies', year: number) {
  return env.ctx.db.select().from(registeredDocuments)
    .where(and(eq(registeredDocuments.agencyCode, agencyCode), eq(registeredDocuments.register, register), eq(registeredDocuments.year, year)))
    .orderBy(asc(registeredDocuments.number));
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('numberDocument under concurrency', () => {
  it('gives 45 racing transactions on different dossiers the numbers 1..45 of the year, each once', async () => {
    const ids = await makeDossiers(DEPARTMENT, 45);
    const at = vn('2031-03-02T10:00:00');
    // Each transaction keeps its counter lock a little while after numbering, as a render-and-store would.
    const numbers = await Promise.all(ids.map((dossierId) => wide.db.transaction(async (tx) => {
      const given = await numberDocument(tx, request(DEPARTMENT, dossierId, { at }));
      await tx.execute(sql`select pg_sleep(0.005)`);
      return given;
    })));
    expect(numbers.map((n) => n.number).sort((a, b) => a - b)).toEqual(range(45));
    expect(new Set(numbers.map((n) => n.text)).size).toBe(45);
    expect(numbers.every((n) => n.year === 2031 && n.register === 'outgoing' && n.symbol === 'QĐ-SGDĐT')).toBe(true);
    const lines = await linesOf(DEPARTMENT.agencyCode, 'outgoing', 2031);
    expect(lines.map((l) => l.number)).toEqual(range(45));
    // Each dossier got the number it was told.
    const told = new Map(ids.map((id, i) => [id, numbers[i]!.number]));
    expect(lines.every((l) => told.get(l.dossierId) === l.number && l.status === 'reserved')).toBe(true);
  });

  it('numbers without gaps when some of the racing transactions roll back', async () => {
    const ids = await makeDossiers(SCHOOL, 40);
    const at = vn('2031-06-01T08:00:00');
    const outcomes = await Promise.allSettled(ids.map((dossierId, i) => wide.db.transaction(async (tx) => {
      const given = await numberDocument(tx, request(SCHOOL, dossierId, { at, kind: 'notice' }));
      await tx.execute(sql`select pg_sleep(0.003)`);
      if (i % 4 === 1) throw new Error('the render failed');
      return given;
    })));
    const committed = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value.number).sort((a, b) => a - b);
    expect(committed).toHaveLength(30);
    expect(committed).toEqual(range(30));
    expect((await linesOf(SCHOOL.agencyCode, 'outgoing', 2031)).map((l) => `${l.number}/${l.symbol}`)).toEqual(range(30).map((n) => `${n}/TB-THPTCLS`));
  });

  it('gives racing renders of the same document one number (the later ones wait and reuse it)', async () => {
    const [dossierId] = await makeDossiers(DEPARTMENT, 1);
    const at = vn('2032-02-10T15:00:00');
    const numbers = await Promise.all(Array.from({ length: 12 }, () => wide.db.transaction(async (tx) => {
      const given = await numberDocument(tx, request(DEPARTMENT, dossierId!, { at, subject: 'form:receipt', kind: 'receipt' }));
      await tx.execute(sql`select pg_sleep(0.002)`);
      return given;
    })));
    expect(new Set(numbers.map((n) => n.text))).toEqual(new Set(['01/TNHS-SGDĐT']));
    expect(await linesOf(DEPARTMENT.agencyCode, 'outgoing', 2032)).toHaveLength(1);
  });
});

describe('numberDocument, one at a time', () => {
  it('gives a rolled-back number to the next document', async () => {
    const [first, second, third] = await makeDossiers(DEPARTMENT, 3);
    const at = vn('2033-04-04T09:00:00');
    expect((await numberIn(env.ctx.db, request(DEPARTMENT, first!, { at }))).text).toBe('01/QĐ-SGDĐT');
    await expect(env.ctx.db.transaction(async (tx) => {
      expect((await numberDocument(tx, request(DEPARTMENT, second!, { at }))).number).toBe(2);
      throw new Error('signing failed');
    })).rejects.toThrow('signing failed');
    expect((await numberIn(env.ctx.db, request(DEPARTMENT, third!, { at }))).text).toBe('02/QĐ-SGDĐT');
    // The dossier whose transaction rolled back has no line; numbered later, it takes the next number.
    expect((await numberIn(env.ctx.db, request(DEPARTMENT, second!, { at }))).text).toBe('03/QĐ-SGDĐT');
    expect((await linesOf(DEPARTMENT.agencyCode, 'outgoing', 2033)).map((l) => [l.number, l.dossierId])).toEqual([[1, first], [2, third], [3, second]]);
  });

  it('returns the same number when the same document is numbered again, another number for another document', async () => {
    const [dossierId] = await makeDossiers(DEPARTMENT, 1);
    const at = vn('2034-07-07T07:07:00');
    const once = await numberIn(env.ctx.db, request(DEPARTMENT, dossierId!, { at }));
    const again = await numberIn(env.ctx.db, request(DEPARTMENT, dossierId!, { at: vn('2034-11-20T16:00:00'), summary: 'trích yếu sửa' }));
    expect(again).toEqual(once);
    const otherSubject = await numberIn(env.ctx.db, request(DEPARTMENT, dossierId!, { at, subject: 'form:supplement-request-1', kind: 'supplement-request' }));
    expect(otherSubject.text).toBe('02/YCBS-SGDĐT');
    expect(await linesOf(DEPARTMENT.agencyCode, 'outgoing', 2034)).toHaveLength(2);
  });

  it('counts each agency and each register apart', async () => {
    const [d1, d2, d3] = await makeDossiers(DEPARTMENT, 3);
    const [s1, s2] = await makeDossiers(SCHOOL, 2);
    const at = vn('2035-09-09T09:00:00');
    const given = [
      await numberIn(env.ctx.db, request(DEPARTMENT, d1!, { at })),
      await numberIn(env.ctx.db, request(DEPARTMENT, d2!, { at, kind: 'copy', subject: 'copy-1', summary: 'Bản sao bằng tốt nghiệp THPT' })),
      await numberIn(env.ctx.db, request(SCHOOL, s1!, { at })),
      await numberIn(env.ctx.db, request(DEPARTMENT, d3!, { at, kind: 'licence' })),
      await numberIn(env.ctx.db, request(SCHOOL, s2!, { at, kind: 'copy', subject: 'copy-1' })),
      await numberIn(env.ctx.db, request(DEPARTMENT, d3!, { at, kind: 'copy', subject: 'copy-2' })),
    ];
    expect(given.map((g) => `${g.register} ${g.text}`)).toEqual([
      'outgoing 01/QĐ-SGDĐT', 'copies 01/BS-SGDĐT', 'outgoing 01/QĐ-THPTCLS', 'outgoing 02/GP-SGDĐT', 'copies 01/BS-THPTCLS', 'copies 02/BS-SGDĐT',
    ]);
  });

  it('writes the type abbreviation alone for an agency without an abbreviation', async () => {
    const [dossierId] = await makeDossiers(DEPARTMENT, 1);
    const given = await numberIn(env.ctx.db, request({ ...DEPARTMENT, agencyCode: '000.01.12.H56' }, dossierId!, { agencyAbbreviation: null, at: vn('2036-01-05T10:00:00') }));
    expect(given.text).toBe('01/QĐ');
  });

  it('refuses an unknown document kind and leaves no number used', async () => {
    const [a, b] = await makeDossiers(DEPARTMENT, 2);
    const at = vn('2037-03-03T10:00:00');
    await expect(numberIn(env.ctx.db, request(DEPARTMENT, a!, { at, kind: 'khong-co' }))).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
    expect((await numberIn(env.ctx.db, request(DEPARTMENT, b!, { at }))).number).toBe(1);
  });
});

describe('the year of the register (Vietnam time)', () => {
  it('reads the year on Vietnam clocks: 31 Dec 17:30 UTC is already 1 January', () => {
    expect(registerYear(vn('2038-12-31T23:59:00'))).toBe(2038);
    expect(registerYear(new Date('2038-12-31T16:59:59Z'))).toBe(2038);
    expect(registerYear(new Date('2038-12-31T17:30:00Z'))).toBe(2039);
    expect(registerYear(vn('2039-01-01T00:01:00'))).toBe(2039);
  });

  it('starts the new year at 01 a minute after midnight, the old year going on to the end', async () => {
    const ids = await makeDossiers(DEPARTMENT, 4);
    const [a, b, c, d] = ids;
    expect((await numberIn(env.ctx.db, request(DEPARTMENT, a!, { at: vn('2038-12-31T10:00:00') }))).text).toBe('01/QĐ-SGDĐT');
    const lastOfYear = await numberIn(env.ctx.db, request(DEPARTMENT, b!, { at: vn('2038-12-31T23:59:00') }));
    expect(lastOfYear).toMatchObject({ year: 2038, number: 2 });
    const firstOfYear = await numberIn(env.ctx.db, request(DEPARTMENT, c!, { at: vn('2039-01-01T00:01:00') }));
    expect(firstOfYear).toMatchObject({ year: 2039, number: 1, text: '01/QĐ-SGDĐT' });
    // 17:30 UTC on 31 December is 00:30 on 1 January in Vietnam: the new year's register.
    expect(await numberIn(env.ctx.db, request(DEPARTMENT, d!, { at: new Date('2038-12-31T17:30:00Z') }))).toMatchObject({ year: 2039, number: 2 });
  });

  it('renumbers a document reserved in one year and rendered again in the next; the old line is void, never reused', async () => {
    const [dossierId, other] = await makeDossiers(DEPARTMENT, 2);
    const december = await numberIn(env.ctx.db, request(DEPARTMENT, dossierId!, { at: vn('2040-12-31T23:59:00') }));
    expect(december).toMatchObject({ year: 2040, number: 1 });
    const january = await numberIn(env.ctx.db, request(DEPARTMENT, dossierId!, { at: vn('2041-01-01T00:01:00') }));
    expect(january).toMatchObject({ year: 2041, number: 1, text: '01/QĐ-SGDĐT' });
    const old = await linesOf(DEPARTMENT.agencyCode, 'outgoing', 2040);
    expect(old.map((l) => [l.number, l.status])).toEqual([[1, 'void']]);
    // A process whose clock is still in December does not move the document back (nor break the unique line).
    expect(await numberIn(env.ctx.db, request(DEPARTMENT, dossierId!, { at: vn('2040-12-31T23:59:59') }))).toEqual(january);
    // The voided number stays voided: the old year's next document takes 02.
    expect((await numberIn(env.ctx.db, request(DEPARTMENT, other!, { at: vn('2040-12-31T23:59:30') }))).number).toBe(2);

    await env.ctx.db.transaction((tx) => markDocumentIssued(tx, { dossierId: dossierId!, subject: 'result', issuedAt: vn('2041-01-02T08:00:00'), signerName: 'Lê Văn Hùng' }));
    expect((await linesOf(DEPARTMENT.agencyCode, 'outgoing', 2041)).map((l) => [l.number, l.status])).toEqual([[1, 'issued']]);
    expect((await linesOf(DEPARTMENT.agencyCode, 'outgoing', 2040)).map((l) => [l.number, l.status])).toEqual([[1, 'void'], [2, 'reserved']]);
  });

  it('keeps the number of an issued document in a later year (it is in the signed document)', async () => {
    const [dossierId] = await makeDossiers(DEPARTMENT, 1);
    const issued = await numberIn(env.ctx.db, request(DEPARTMENT, dossierId!, { at: vn('2042-12-30T09:00:00') }));
    await env.ctx.db.transaction((tx) => markDocumentIssued(tx, { dossierId: dossierId!, subject: 'result', issuedAt: vn('2042-12-30T10:00:00') }));
    expect(await numberIn(env.ctx.db, request(DEPARTMENT, dossierId!, { at: vn('2043-01-03T09:00:00') }))).toEqual(issued);
    expect(await linesOf(DEPARTMENT.agencyCode, 'outgoing', 2043)).toHaveLength(0);
  });

  it('issues a document signed on 31 December and stored on 1 January under the number it was signed with', async () => {
    const [dossierId] = await makeDossiers(DEPARTMENT, 1);
    const signed = await numberIn(env.ctx.db, request(DEPARTMENT, dossierId!, { at: vn('2044-12-31T23:58:00') }));
    await env.ctx.db.transaction((tx) => markDocumentIssued(tx, { dossierId: dossierId!, subject: 'result', issuedAt: vn('2045-01-01T00:00:30') }));
    expect((await linesOf(DEPARTMENT.agencyCode, 'outgoing', 2044)).map((l) => [l.number, l.status])).toEqual([[signed.number, 'issued']]);
  });
});

describe('around New Year, the document that gets stored decides', () => {
  it('issues the December line the stored file carries, reviving it and voiding the January reservation', async () => {
    const [dossierId] = await makeDossiers(DEPARTMENT, 1);
    const renderedInDecember = vn('2047-12-31T23:59:00');
    const december = await numberIn(env.ctx.db, request(DEPARTMENT, dossierId!, { at: renderedInDecember }));
    // A second session renders again after midnight (the December line is voided) but the December file is signed and stored.
    await numberIn(env.ctx.db, request(DEPARTMENT, dossierId!, { at: vn('2048-01-01T00:02:00') }));
    await env.ctx.db.transaction((tx) => markDocumentIssued(tx, { dossierId: dossierId!, subject: 'result', issuedAt: vn('2048-01-01T00:03:00'), renderedAt: renderedInDecember }));
    expect((await linesOf(DEPARTMENT.agencyCode, 'outgoing', 2047)).map((l) => [l.number, l.status])).toEqual([[december.number, 'issued']]);
    expect((await linesOf(DEPARTMENT.agencyCode, 'outgoing', 2048)).map((l) => [l.number, l.status])).toEqual([[1, 'void']]);
  });
});

describe('a counter behind its register (a restore, a repair)', () => {
  it('continues after the highest line instead of colliding with it', async () => {
    const [a, b] = await makeDossiers(DEPARTMENT, 2);
    await numberIn(env.ctx.db, request(DEPARTMENT, a!, { at: vn('2049-03-01T09:00:00') }));
    await numberIn(env.ctx.db, request(DEPARTMENT, a!, { at: vn('2049-03-01T09:00:00'), subject: 'form:receipt', kind: 'receipt' }));
    await env.ctx.db.execute(sql`update document_register_counters set last_number = 0 where agency_code = ${DEPARTMENT.agencyCode} and year = 2049`);
    expect(await numberIn(env.ctx.db, request(DEPARTMENT, b!, { at: vn('2049-03-02T09:00:00') }))).toMatchObject({ number: 3 });
    await env.ctx.db.execute(sql`delete from document_register_counters where agency_code = ${DEPARTMENT.agencyCode} and year = 2049`);
    expect(await numberIn(env.ctx.db, request(DEPARTMENT, b!, { at: vn('2049-03-02T09:00:00'), subject: 'form:receipt', kind: 'receipt' }))).toMatchObject({ number: 4 });
  });
});

describe('markDocumentIssued', () => {
  it('sets the status, the moment, the signer and the recipients of the line', async () => {
    const [dossierId] = await makeDossiers(SCHOOL, 1);
    await numberIn(env.ctx.db, request(SCHOOL, dossierId!, { at: vn('2046-05-05T09:00:00'), kind: 'copy', subject: 'copy-1', summary: 'Bản sao học bạ' }));
    const issuedAt = vn('2046-05-05T14:20:00');
    await env.ctx.db.transaction((tx) => markDocumentIssued(tx, {
      dossierId: dossierId!, subject: 'copy-1', issuedAt, signerName: 'Nguyễn Thị Hoa', signerTitle: 'Hiệu trưởng',
      recipients: ['Như trên', 'Lưu: VT'],
    }));
    const [line] = await linesOf(SCHOOL.agencyCode, 'copies', 2046);
    expect(line).toMatchObject({
      status: 'issued', issuedAt, signerName: 'Nguyễn Thị Hoa', signerTitle: 'Hiệu trưởng', recipients: ['Như trên', 'Lưu: VT'],
      number: 1, symbol: 'BS-THPTCLS', summary: 'Bản sao học bạ', kind: 'copy', subject: 'copy-1',
    });
    // Issued again with less said (a retried store): what was recorded stays.
    await env.ctx.db.transaction((tx) => markDocumentIssued(tx, { dossierId: dossierId!, subject: 'copy-1', issuedAt }));
    expect((await linesOf(SCHOOL.agencyCode, 'copies', 2046))[0]).toMatchObject({ recipients: ['Như trên', 'Lưu: VT'], signerName: 'Nguyễn Thị Hoa', signerTitle: 'Hiệu trưởng' });
  });

  it('does nothing for a document that was never numbered', async () => {
    const [dossierId] = await makeDossiers(SCHOOL, 1);
    await env.ctx.db.transaction((tx) => markDocumentIssued(tx, { dossierId: dossierId!, subject: 'result', issuedAt: new Date() }));
    const rows = await env.ctx.db.select().from(registeredDocuments).where(eq(registeredDocuments.dossierId, dossierId!));
    expect(rows).toHaveLength(0);
  });
});
