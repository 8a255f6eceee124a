// Ended signing hand-overs are deleted after SIGNING_HANDOVER_RETENTION_HOURS, on real PostgreSQL: agent sessions used
// or expired, preparations completed or expired, and the documents of finished remote-signing requests go; recent
// ones and live ones (an unused session before its expiry, an open preparation, a pending request's documents) stay.
// The periodic sweep job runs it; a backlog goes in statements of 500 rows.
import { randomBytes, randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSigningSessions, remoteSigningItems, remoteSigningRequests, signingPreparations } from '../../src/db/schema/index.js';
import { runJob } from '../../src/jobs/registry.js';
import { deleteEndedSigningHandovers, SIGNING_CLEANUP_BATCH } from '../../src/services/operations/signing-cleanup.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';

const HOUR = 3_600_000;
let env: TestEnvironment;
let dossierId: string;
let staffId: string;

beforeAll(async () => {
  env = await startTestEnvironment('production', { env: { SIGNING_HANDOVER_RETENTION_HOURS: '48' } });
  const { code } = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest(), files: [{ fieldName: 'identity', fileName: 'a.pdf', data: await makePdf() }] });
  const [dossier] = await env.ctx.db.query.dossiers.findMany({ where: (d, { eq: is }) => is(d.code, code) });
  dossierId = dossier!.id;
  staffId = (await staffCaller(env.ctx, 'leader')).staff.id;
});
afterAll(async () => { await env?.close(); });

const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64)]);

async function agentSession(at: { expiresAt: Date; usedAt?: Date }): Promise<string> {
  const [row] = await env.ctx.db.insert(agentSigningSessions).values({
    dossierId, staffId, baseSignedCount: 0, pdf: pdf(), certificatePem: 'PEM', downloadTokenHash: randomUUID(), uploadTokenHash: randomUUID(),
    expiresAt: at.expiresAt, usedAt: at.usedAt ?? null, outcome: at.usedAt ? 'signed' : null,
  }).returning({ id: agentSigningSessions.id });
  return row!.id;
}

async function preparation(at: { expiresAt: Date; completedAt?: Date }): Promise<string> {
  const [row] = await env.ctx.db.insert(signingPreparations).values({
    dossierId, staffId, baseSignedCount: 0, pdf: pdf(), signedAttributes: randomBytes(32), certificatePem: 'PEM',
    expiresAt: at.expiresAt, completedAt: at.completedAt ?? null,
  }).returning({ id: signingPreparations.id });
  return row!.id;
}

/** A request with two documents; returns the documents' ids. */
async function remoteRequest(status: (typeof remoteSigningRequests.$inferSelect)['status'], at: { expiresAt: Date; completedAt?: Date }): Promise<string[]> {
  const [request] = await env.ctx.db.insert(remoteSigningRequests).values({
    staffId, status, expiresAt: at.expiresAt, completedAt: at.completedAt ?? null,
  }).returning({ id: remoteSigningRequests.id });
  const itemStatus = status === 'confirmed' ? 'signed' : status === 'pending' ? 'pending' : 'failed';
  const items = await env.ctx.db.insert(remoteSigningItems).values([0, 1].map(() => ({
    requestId: request!.id, dossierId, baseSignedCount: 0, pdf: pdf(), contentDigest: randomBytes(32), status: itemStatus,
  } as const))).returning({ id: remoteSigningItems.id });
  return items.map((i) => i.id);
}

async function remaining<T extends typeof agentSigningSessions | typeof signingPreparations | typeof remoteSigningItems>(table: T, ids: string[]): Promise<string[]> {
  const rows = await env.ctx.db.select({ id: table.id }).from(table as typeof agentSigningSessions).where(inArray(table.id, ids));
  return rows.map((r) => r.id).sort();
}

describe('signing hand-over clean-up', () => {
  it('deletes what ended more than the retention ago and keeps recent and live hand-overs (through the periodic sweep job)', async () => {
    const now = Date.now();
    const old = new Date(now - 49 * HOUR);
    const recent = new Date(now - 47 * HOUR);
    const ahead = new Date(now + 10 * 60_000);

    const goneSessions = [
      await agentSession({ expiresAt: old }), // expired, never used
      await agentSession({ expiresAt: ahead, usedAt: old }), // used long ago (an expiry far ahead does not keep it)
    ];
    const keptSessions = [
      await agentSession({ expiresAt: recent }), // expired, but recently
      await agentSession({ expiresAt: recent, usedAt: recent }),
      await agentSession({ expiresAt: ahead }), // live: unused, not expired
    ];
    const gonePreparations = [await preparation({ expiresAt: old }), await preparation({ expiresAt: ahead, completedAt: old })];
    const keptPreparations = [
      await preparation({ expiresAt: recent }), await preparation({ expiresAt: recent, completedAt: recent }),
      await preparation({ expiresAt: ahead }), // live
    ];
    const goneItems = [
      ...await remoteRequest('confirmed', { expiresAt: old, completedAt: old }),
      ...await remoteRequest('failed', { expiresAt: old, completedAt: old }),
      ...await remoteRequest('expired', { expiresAt: old, completedAt: old }),
      ...await remoteRequest('rejected', { expiresAt: old, completedAt: old }),
    ];
    const keptItems = [
      ...await remoteRequest('confirmed', { expiresAt: recent, completedAt: recent }),
      ...await remoteRequest('expired', { expiresAt: old, completedAt: recent }), // ended recently, whatever its expiry
      ...await remoteRequest('pending', { expiresAt: ahead }), // live
      // Pending past its expiry: the poll job has not ended it yet, and only that job decides.
      ...await remoteRequest('pending', { expiresAt: old }),
    ];

    await runJob(env.ctx, 'sla-sweep', {});

    expect(await remaining(agentSigningSessions, [...goneSessions, ...keptSessions])).toEqual([...keptSessions].sort());
    expect(await remaining(signingPreparations, [...gonePreparations, ...keptPreparations])).toEqual([...keptPreparations].sort());
    expect(await remaining(remoteSigningItems, [...goneItems, ...keptItems])).toEqual([...keptItems].sort());
    // The requests themselves stay: the audit cites their ids.
    const requests = await env.ctx.db.select({ id: remoteSigningRequests.id }).from(remoteSigningRequests);
    expect(requests.length).toBeGreaterThanOrEqual(8);
  });

  it('works off a backlog in statements of 500 and reports each kind', async () => {
    // Dated ahead of the real clock and cleaned "as of" a later now: the scheduled sweep running meanwhile cannot touch them.
    const later = new Date(Date.now() + 365 * 24 * HOUR);
    const endedThen = new Date(later.getTime() - 49 * HOUR);
    const liveThen = new Date(later.getTime() + HOUR);
    // This database is the test's own: start from no hand-overs, so the counts are this test's rows alone.
    for (const table of [agentSigningSessions, signingPreparations, remoteSigningItems]) await env.ctx.db.delete(table);
    const backlog = SIGNING_CLEANUP_BATCH * 2 + 7;
    const rows = Array.from({ length: backlog }, () => ({
      dossierId, staffId, baseSignedCount: 0, pdf: pdf(), certificatePem: 'PEM', downloadTokenHash: randomUUID(), uploadTokenHash: randomUUID(), expiresAt: endedThen,
    }));
    for (let i = 0; i < rows.length; i += 200) await env.ctx.db.insert(agentSigningSessions).values(rows.slice(i, i + 200));
    const live = await agentSession({ expiresAt: liveThen });
    const ended = await preparation({ expiresAt: liveThen, completedAt: endedThen });
    const items = await remoteRequest('rejected', { expiresAt: endedThen, completedAt: endedThen });

    const outcome = await deleteEndedSigningHandovers(env.ctx.db, 48, later);

    expect(outcome).toEqual({ agentSessions: backlog, preparations: 1, remoteItems: 2 });
    const left = await env.ctx.db.select({ id: agentSigningSessions.id }).from(agentSigningSessions).where(eq(agentSigningSessions.expiresAt, endedThen));
    expect(left).toEqual([]);
    expect(await remaining(agentSigningSessions, [live])).toEqual([live]);
    expect(await remaining(signingPreparations, [ended])).toEqual([]);
    expect(await remaining(remoteSigningItems, items)).toEqual([]);
    // Nothing more to do: a second pass removes nothing.
    expect(await deleteEndedSigningHandovers(env.ctx.db, 48, later)).toEqual({ agentSessions: 0, preparations: 0, remoteItems: 0 });
  });
});
