import { z } from 'zod';
import { APPLY_ADMISSION_RUN_JOB, applyRunBatch } from '../services/admissions/notices.js';
import type { JobDefinition } from './types.js';

// One batch of a published assignment run applied to the registration dossiers (services/admissions/notices.ts):
// pupil IDs in (after, until]; a dossier already applied is skipped, so a re-delivered batch moves nothing twice.
const payload = z.object({ runId: z.uuid(), after: z.string().max(64).nullable(), until: z.string().max(64).nullable() });

export const applyAdmissionRunJob: JobDefinition<typeof payload> = {
  name: APPLY_ADMISSION_RUN_JOB,
  payload,
  handle: (ctx, { runId, after, until }) => applyRunBatch(ctx, runId, after, until),
};
