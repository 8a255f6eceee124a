// The dossier pages load the dossier and check the caller's access once: the staff page (/can-bo/ho-so/:code) and the
// citizen's (/ho-so/:code) hand the dossier and the actor dossierDetails loaded to the messages, the survey and the
// filing facts instead of each loading it again — and a signed-in parent's children (citizen_relations) are read once
// for a dossier about their child. Counted on the repository functions, wrapped where every caller imports them: the
// dossier is loaded by findDossierByCode or, with everything the view shows, by loadDossierViewRows — once in all.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as citizens from '../../src/db/repositories/citizens.js';
import * as dossierRepository from '../../src/db/repositories/dossiers.js';
import * as dossierViewRepository from '../../src/db/repositories/dossier-view.js';
import { dossiers } from '../../src/db/schema/index.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { signInCitizen, testPersonalId } from '../helpers/citizen-session.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { signInPages } from '../helpers/page-session.js';

vi.mock('../../src/db/repositories/dossiers.js', async (original) => {
  const real = await original<typeof import('../../src/db/repositories/dossiers.js')>();
  return { ...real, findDossierByCode: vi.fn(real.findDossierByCode) };
});
vi.mock('../../src/db/repositories/dossier-view.js', async (original) => {
  const real = await original<typeof import('../../src/db/repositories/dossier-view.js')>();
  return { ...real, loadDossierViewRows: vi.fn(real.loadDossierViewRows) };
});
vi.mock('../../src/db/repositories/citizens.js', async (original) => {
  const real = await original<typeof import('../../src/db/repositories/citizens.js')>();
  return { ...real, listRelations: vi.fn(real.listRelations) };
});

let env: TestEnvironment;
let code: string;
const child = { relation: 'child' as const, personalId: testPersonalId(), fullName: 'Đỗ Minh Anh', birthDate: '2013-01-02' };

beforeAll(async () => {
  env = await startTestEnvironment('production');
  const filed = await submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest('Đỗ Văn Cha'), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
  code = filed.code;
  // Filed at the desk about the child: it reaches the parent through their children.
  await env.ctx.db.update(dossiers).set({ subjectPersonalId: child.personalId }).where(eq(dossiers.code, code));
});
afterAll(async () => { await env?.close(); });
const clearLoads = () => { vi.mocked(dossierRepository.findDossierByCode).mockClear(); vi.mocked(dossierViewRepository.loadDossierViewRows).mockClear(); };
beforeEach(() => { clearLoads(); vi.mocked(citizens.listRelations).mockClear(); });

const loadsOf = () => vi.mocked(dossierRepository.findDossierByCode).mock.calls.filter(([, c]) => c === code).length
  + vi.mocked(dossierViewRepository.loadDossierViewRows).mock.calls.filter(([, c]) => c === code).length;

describe('dossier pages', () => {
  it('the staff page loads the dossier once', async () => {
    const clerk = await signInPages(env, 'clerk');
    clearLoads();
    const page = await clerk.get(`/can-bo/ho-so/${encodeURIComponent(code)}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(code);
    expect(loadsOf()).toBe(1);
  });

  it('the citizen page loads the dossier once and reads the parent\'s children once', async () => {
    const parent = await signInCitizen(env.ctx.db, { fullName: 'Đỗ Văn Cha', family: [child] });
    vi.mocked(citizens.listRelations).mockClear();
    const page = await env.app.inject({ method: 'GET', url: `/ho-so/${encodeURIComponent(code)}`, headers: { cookie: parent.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(code);
    expect(loadsOf()).toBe(1);
    expect(vi.mocked(citizens.listRelations).mock.calls.filter(([, id]) => id === parent.citizen.id)).toHaveLength(1);
  });
});
