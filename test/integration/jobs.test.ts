// The issue-result job on real BullMQ and PostgreSQL: it retries with backoff until it can sign, and running it
// again changes nothing.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode, listEvents } from '../../src/db/repositories/dossiers.js';
import { findIssuedDocument } from '../../src/db/repositories/issued-documents.js';
import { insertStaff } from '../../src/db/repositories/staff.js';
import { hashPassword } from '../../src/accounts/passwords.js';
import { issueResult } from '../../src/services/results/issue-result.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { createCertificateAuthority, issueCertificate } from '../../src/signing/keys.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { REDIS_URL } from '../helpers/databases.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { eventually } from '../helpers/http.js';

describe('issue-result job (BullMQ)', () => {
  let env: TestEnvironment;
  beforeAll(async () => { env = await startTestEnvironment('production'); });
  afterAll(async () => { await env?.close(); });

  it('signs once: a second run neither issues a second document nor moves the dossier again', async () => {
    const { code, version } = await dossierAwaitingApproval(env.ctx);
    const leader = await staffCaller(env.ctx, 'leader');
    await performAction(env.ctx, { code, action: 'approve', caller: leader, version });
    const ready = await eventually(async () => {
      const d = await findDossierByCode(env.ctx.db, code);
      return d?.status === 'result_ready' ? d : undefined;
    });
    const first = await findIssuedDocument(env.ctx.db, ready.id, 'result');
    const eventsBefore = await listEvents(env.ctx.db, ready.id);

    await issueResult(env.ctx, ready.id, leader.staff.id);

    expect(await findIssuedDocument(env.ctx.db, ready.id, 'result')).toEqual(first);
    expect(await listEvents(env.ctx.db, ready.id)).toHaveLength(eventsBefore.length);
    expect((await findDossierByCode(env.ctx.db, code))?.version).toBe(ready.version);
  });

  it('retries with backoff while the signer has no key, and succeeds once the key is there', async () => {
    const deputy = await insertStaff(env.ctx.db, {
      username: 'deputy', fullName: 'Vũ Minh Châu', title: 'Phó Giám đốc', roles: ['leader'], unitId: 'so-gddt', passwordHash: await hashPassword('x'),
    });
    const { code, version } = await dossierAwaitingApproval(env.ctx);
    await performAction(env.ctx, { code, action: 'approve', caller: { kind: 'staff', staff: deputy }, version });

    const queue = new Queue('issue-result', { connection: { url: REDIS_URL }, prefix: env.config.queue.kind === 'bullmq' ? env.config.queue.prefix : '' });
    try {
      const failedOnce = await eventually(async () => {
        const jobs = await queue.getJobs(['delayed', 'waiting']);
        return jobs.find((j) => j.attemptsMade >= 1 && j.data.actorStaffId === deputy.id);
      });
      expect(failedOnce.failedReason).toContain('chứng thư số');
      expect((await findDossierByCode(env.ctx.db, code))?.status).toBe('signing');

      const ca = await createCertificateAuthority({ commonName: 'Test CA', organisation: 'motcua test' });
      await env.ctx.signerKeys.storeForStaff(deputy.id, { ...(await issueCertificate(ca, { commonName: deputy.fullName, organisation: 'Sở GD&ĐT' })), chainPem: [ca.certificatePem] });

      const done = await eventually(async () => {
        const d = await findDossierByCode(env.ctx.db, code);
        return d?.status === 'result_ready' ? d : undefined;
      }, 30_000);
      const issued = await findIssuedDocument(env.ctx.db, done.id, 'result');
      expect(issued?.signerStaffId).toBe(deputy.id);
    } finally {
      await queue.close();
    }
  });
});
