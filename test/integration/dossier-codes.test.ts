// Dossier codes under concurrency, on real PostgreSQL: no duplicates, no matter how many submissions race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextCodeSequence } from '../../src/db/repositories/dossiers.js';
import { submitDossier } from '../../src/services/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { makePdf } from '../helpers/files.js';

describe('dossier codes', () => {
  let env: TestEnvironment;
  beforeAll(async () => { env = await startTestEnvironment('production', { seedStaff: false }); });
  afterAll(async () => { await env?.close(); });

  it('hands out each sequence number once under 200 concurrent callers', async () => {
    const numbers = await Promise.all(Array.from({ length: 200 }, () => nextCodeSequence(env.ctx.db, 'TEST.AGENCY', '261122')));
    expect(new Set(numbers).size).toBe(200);
    expect(Math.min(...numbers)).toBe(1);
    expect(Math.max(...numbers)).toBe(200);
    // Another day and another agency count on their own.
    expect(await nextCodeSequence(env.ctx.db, 'TEST.AGENCY', '261123')).toBe(1);
    expect(await nextCodeSequence(env.ctx.db, 'OTHER', '261122')).toBe(1);
  });

  it('gives 40 concurrent submissions 40 distinct codes of the form {agency}-{yyMMdd}-{NNNN}', async () => {
    const identity = await makePdf();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => submitDossier(env.ctx, {
      procedureId: 'diploma-copy',
      data: {
        applicantName: `Người nộp ${i}`, applicantIdNumber: '038090001234', applicantPhone: '0912345678', applicantAddress: 'Thanh Hóa',
        relation: 'self', holderName: `Người nộp ${i}`, holderBirthDate: '2000-01-01', diplomaType: 'thcs', school: 'THCS Điện Biên',
        graduationYear: '2015', copies: '1',
      },
      files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: identity }],
    })));
    const codes = results.map((r) => r.code);
    expect(new Set(codes).size).toBe(40);
    for (const code of codes) expect(code).toMatch(/^000\.00\.12\.H56-\d{6}-\d{4}$/);
    const sequences = codes.map((c) => Number(c.slice(-4))).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});
