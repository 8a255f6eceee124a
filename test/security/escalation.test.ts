// The audit's escalation cases, over HTTP on real PostgreSQL and Redis: the wrong official cannot issue a
// Department document, a dossier cannot be moved to another agency (where an unrelated school would read the
// pupil's data) nor to a unit where nobody can act on it, and a procedure's clock cannot be pushed away for months.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { issueResult } from '../../src/services/results/issue-result.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { startHarness, view, type Harness } from '../e2e/procedures-common.js';

let h: Harness;
beforeAll(async () => { h = await startHarness('production', ['clerk', 'leader', 'principal', 'school', 'specialist']); });
afterAll(async () => { await h?.env.close(); });

const assignment = (code: string) => `/api/dossiers/${encodeURIComponent(code)}/assignment`;

describe('escalation', () => {
  it('refuses to move a Department dossier to a school, or to a unit where nobody can take its next step', async () => {
    const { code, version } = await dossierAwaitingApproval(h.env.ctx);
    const toSchool = await h.api.json('POST', assignment(code), { token: h.tokens.clerk!, json: { version, unitId: 'thpt-lam-son' } });
    expect(toSchool).toMatchObject({ status: 422, body: { error: { code: 'UNIT_NOT_ALLOWED', fields: { unitId: expect.any(String) } } } });
    // Same agency, but the secondary-education division has no leader to approve it: it would be orphaned.
    const orphan = await h.api.json('POST', assignment(code), { token: h.tokens.leader!, json: { version, unitId: 'gdtrh' } });
    expect(orphan).toMatchObject({ status: 422, body: { error: { code: 'UNIT_NOT_ALLOWED' } } });
    expect((await findDossierByCode(h.env.ctx.db, code))).toMatchObject({ unitId: 'qlcl', version });
    // The school never got to see it.
    expect((await view(h, code, h.tokens.school!)).status).toBe(403);
  });

  it('lets only an official of the Department approve and sign a Department result, wherever the dossier sits', async () => {
    const { code, version } = await dossierAwaitingApproval(h.env.ctx);
    // However it got there (a move made before this rule, a hand edit), a dossier sitting at a school ...
    await h.env.ctx.db.execute(sql`update dossiers set unit_id = 'thpt-lam-son' where code = ${code}`);
    const byPrincipal = await h.api.act(code, 'approve', h.tokens.principal!, { version });
    expect(byPrincipal).toMatchObject({ status: 403, body: { error: { code: 'SIGNER_NOT_AUTHORISED' } } });
    expect((await findDossierByCode(h.env.ctx.db, code))?.status).toBe('awaiting_approval');

    // ... and the signing step refuses the principal's key for the Department's seal too (a permanent failure).
    const dossier = (await findDossierByCode(h.env.ctx.db, code))!;
    await h.env.ctx.db.execute(sql`update dossiers set status = 'signing' where id = ${dossier.id}`);
    const principal = await staffCaller(h.env.ctx, 'principal');
    await expect(issueResult(h.env.ctx, dossier.id, principal.staff.id)).rejects.toMatchObject({ code: 'SIGNER_NOT_AUTHORISED', statusCode: 403 });
  });
});
