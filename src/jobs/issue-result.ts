import { z } from 'zod';
import { issueResult } from '../services/results/issue-result.js';
import type { JobDefinition } from './types.js';

const payload = z.object({ dossierId: z.uuid(), actorStaffId: z.uuid().nullable() });

/** Effect `issue-result`: render, sign and store the result, then move the dossier on. */
export const issueResultJob: JobDefinition<typeof payload> = {
  name: 'issue-result',
  payload,
  handle: (ctx, { dossierId, actorStaffId }) => issueResult(ctx, dossierId, actorStaffId),
};
