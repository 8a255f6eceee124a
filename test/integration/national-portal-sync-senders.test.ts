// One sender per dossier (review H2, M3), in both modes: production (PostgreSQL advisory lock, BullMQ) and embedded
// (PGlite, inline jobs). Several sync jobs of one dossier started at once against a slow portal send each step once,
// in event order (the simulator keeps every delivery, duplicates included); the jobs that found the dossier busy fail
// retryably. A job with no step waiting still sends the dossier's current state; a process without the portal link
// fails the job retryably and leaves the steps unsent.
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalSimulator, type PortalSimulator } from '../../tools/national-portal-sim/simulator.js';
import { findDossierByCode, listEvents, NATIONAL_SYNC_JOB } from '../../src/db/repositories/dossiers.js';
import { listStepsOfDossier } from '../../src/db/repositories/national-sync.js';
import { dossiers } from '../../src/db/schema/index.js';
import { isPermanentFailure, runJob } from '../../src/jobs/registry.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { nationalSyncOutboxRow } from '../../src/services/national-portal/record-step.js';
import { DossierSyncBusyError, NationalPortalNotConfiguredError, syncDossierToPortal } from '../../src/services/national-portal/sync-dossier.js';
import { assignDossier } from '../../src/services/processing/assign-dossier.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { startTestEnvironment, type Mode, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { eventually } from '../helpers/http.js';

const SENDERS = 6;

for (const mode of ['production', 'embedded'] as Mode[]) {
  describe(`national portal sync: one sender per dossier (${mode})`, () => {
    let sim: PortalSimulator;
    let env: TestEnvironment;
    const secret = randomBytes(32).toString('hex');

    beforeAll(async () => {
      sim = await startPortalSimulator({ secret });
      env = await startTestEnvironment(mode, { env: { NATIONAL_PORTAL_URL: sim.url, NATIONAL_PORTAL_SECRET: secret, NATIONAL_PORTAL_SYSTEM_CODE: 'MOTCUA-TEST' } });
    });
    afterAll(async () => { await env?.close(); await sim?.close(); });

    /** A dossier with four steps none of which reached the portal (it was down). */
    async function dossierWithUnsentSteps(name: string) {
      const ctx = env.ctx;
      sim.down = true;
      const { code } = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest(name), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }] });
      await performAction(ctx, { code, action: 'receive', caller: await staffCaller(ctx, 'clerk'), version: 1 });
      const specialist = await staffCaller(ctx, 'specialist');
      await assignDossier(ctx, { code, caller: specialist, version: 2 });
      await performAction(ctx, { code, action: 'extend', caller: specialist, version: 3, comment: 'Cần xác minh', data: { workingDays: 1 } });
      const dossier = (await findDossierByCode(ctx.db, code))!;
      expect((await listStepsOfDossier(ctx.db, dossier.id)).filter((s) => s.sentAt === null)).toHaveLength(4);
      return dossier;
    }

    it('sends each step once, in event order, when several jobs of the dossier run at once; the others fail retryably', async () => {
      const ctx = env.ctx;
      const dossier = await dossierWithUnsentSteps('Đặng Văn Song');
      const before = sim.sync.deliveries.length;
      sim.sync.stepDelayMs = 300;
      sim.down = false;
      try {
        const outcomes = await Promise.allSettled(Array.from({ length: SENDERS }, () => runJob(ctx, NATIONAL_SYNC_JOB, { dossierId: dossier.id })));
        const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
        // Some of ours met the lock (the background driver's own tries may have taken it first too).
        expect(refused.length).toBeGreaterThan(0);
        for (const reason of refused) {
          expect(reason).toBeInstanceOf(DossierSyncBusyError);
          expect(isPermanentFailure(reason)).toBe(false);
        }
        await eventually(async () => ((await listStepsOfDossier(ctx.db, dossier.id)).every((s) => s.sentAt !== null) ? true : undefined), 30_000);
      } finally {
        sim.sync.stepDelayMs = 0;
      }
      const events = await listEvents(ctx.db, dossier.id);
      const sent = sim.sync.deliveries.slice(before).filter((s) => s.MaHoSo === dossier.code).map((s) => s.MaBuoc);
      expect(sent).toEqual(events.map((e) => `${dossier.code}:${e.id}`));
      expect(sim.sync.lostAckBatches).toEqual([]);
    });

    it('sends the dossier\'s current state when no step waits (a change without a step), and only then', async () => {
      const ctx = env.ctx;
      const dossier = await dossierWithUnsentSteps('Đặng Văn Trạng');
      sim.down = false;
      await eventually(async () => ((await listStepsOfDossier(ctx.db, dossier.id)).every((s) => s.sentAt !== null) ? true : undefined), 30_000);
      const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
      // The row a state change without a step (a fee paid) enqueues.
      expect(nationalSyncOutboxRow(ctx, definition, dossier.id)).toEqual({ job: NATIONAL_SYNC_JOB, payload: { dossierId: dossier.id } });
      expect(nationalSyncOutboxRow(ctx, { national: undefined }, dossier.id)).toBeNull();
      expect(nationalSyncOutboxRow({ config: { ...ctx.config, nationalPortal: undefined } }, definition, dossier.id)).toBeNull();

      await ctx.db.update(dossiers).set({ applicantPhone: '0912000111', version: sql`${dossiers.version} + 1` }).where(eq(dossiers.id, dossier.id));
      const deliveries = sim.sync.deliveries.length;
      // The dossier's own jobs may still be retrying in the background: ours then finds it busy and tries again.
      await eventually(() => runJob(ctx, NATIONAL_SYNC_JOB, { dossierId: dossier.id }).then(() => true, (error: unknown) => {
        if (error instanceof DossierSyncBusyError) return undefined;
        throw error;
      }), 15_000);
      expect(sim.sync.dossiers.get(dossier.code)!.dossier.SoDienThoai).toBe('0912000111');
      expect(sim.sync.deliveries.length).toBe(deliveries);
    });

    it('fails retryably, steps kept, when the process running the job has no portal link', async () => {
      const ctx = env.ctx;
      const dossier = await dossierWithUnsentSteps('Đặng Văn Cấu');
      const unlinked = { ...ctx, config: { ...ctx.config, nationalPortal: undefined } };
      const error = await syncDossierToPortal(unlinked, dossier.id).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(NationalPortalNotConfiguredError);
      expect(isPermanentFailure(error)).toBe(false);
      expect((await listStepsOfDossier(ctx.db, dossier.id)).filter((s) => s.sentAt === null)).toHaveLength(4);
      sim.down = false;
    });
  });
}
