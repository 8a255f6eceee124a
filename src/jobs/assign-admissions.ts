import { z } from 'zod';
import { ASSIGN_ADMISSIONS_JOB, runAssignment } from '../services/admissions/assignment-runs.js';
import type { JobDefinition } from './types.js';

// One assignment run of an admission campaign (services/admissions/assignment-runs.ts): a run already done or failed
// is left alone, and an interrupted try's outcome is replaced, so a re-delivered job writes each row once.
const payload = z.object({ runId: z.uuid() });

export const assignAdmissionsJob: JobDefinition<typeof payload> = {
  name: ASSIGN_ADMISSIONS_JOB,
  payload,
  handle: (ctx, { runId }) => runAssignment(ctx, runId),
  // A few tries: a database hiccup is worth another go, but the run blocks new runs of its campaign while it runs.
  retry: { attempts: 3, baseDelayMs: 2000, maxDelayMs: 10_000 },
};
