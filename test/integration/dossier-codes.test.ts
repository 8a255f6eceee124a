// Dossier codes under concurrency, on real PostgreSQL: no duplicates however many submissions race, in submission
// order when none fails. A failed submission may leave a gap: the number is taken in a short transaction of its own
// (db/repositories/dossiers.ts takeDossierNumber), so filings do not queue behind one counter row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnDay } from '../../src/calendar/vn-time.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { makePdf } from '../helpers/files.js';

const request = (i: number) => ({
  applicantName: `Người nộp ${i}`, applicantIdNumber: '038090001234', applicantPhone: '0912345678', applicantAddress: 'Thanh Hóa',
  relation: 'self', holderName: `Người nộp ${i}`, holderBirthDate: '2000-01-01', diplomaType: 'thcs', school: 'THCS Điện Biên',
  graduationYear: '2015', copies: '1',
});

describe('dossier codes', () => {
  let env: TestEnvironment;
  let identity: Buffer;
  beforeAll(async () => {
    env = await startTestEnvironment('production', { seedStaff: false, organisation: true });
    identity = await makePdf();
  });
  afterAll(async () => { await env?.close(); });

  it('gives 100 concurrent submissions the codes {agency}-{yyMMdd}-0001 … 0100, each once', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: request(i), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: identity }],
    })));
    const day = vnDay(new Date()).slice(2).replaceAll('-', '');
    const codes = results.map((r) => r.code).sort();
    expect(codes).toEqual(Array.from({ length: 100 }, (_, i) => `000.00.12.H56-${day}-${String(i + 1).padStart(4, '0')}`));
  });

  it('races on one Idempotency-Key make one dossier; the losers\' numbers are never handed out again', async () => {
    const key = `race-${Date.now()}`;
    const same = await Promise.all(Array.from({ length: 10 }, () => submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: request(1), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: identity }], idempotencyKey: key,
    })));
    expect(new Set(same.map((r) => r.code)).size).toBe(1);
    expect(new Set(same.map((r) => r.trackingToken)).size).toBe(1);
    expect(same.filter((r) => !r.replayed)).toHaveLength(1);
    const next = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: request(2), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: identity }] });
    // 100 from the first test, then the race's one dossier (the losers that got past the replay check took numbers of
    // their own, at most 9): the next number comes after all of them.
    const won = Number(same[0]!.code.slice(-4));
    expect(won).toBeGreaterThanOrEqual(101);
    expect(won).toBeLessThanOrEqual(110);
    expect(Number(next.code.slice(-4))).toBeGreaterThan(won);
    expect(Number(next.code.slice(-4))).toBeLessThanOrEqual(111);
    const rows = await env.ctx.database.query<{ code: string }>('select code from dossiers', []);
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
  });
});
