import { z } from 'zod';
import { pollRemoteSigning, POLL_REMOTE_SIGNING_JOB } from '../services/results/remote-signing.js';
import type { JobDefinition } from './types.js';

// attempt: failed tries at sealing received signatures so far (absent: none; rows written before it existed).
const payload = z.object({ requestId: z.uuid(), poll: z.number().int().min(0), attempt: z.number().int().min(0).optional() });

/**
 * Remote signing: one run of a request (services/results/remote-signing.ts) — a look at the provider's transaction,
 * or the sealing of signatures already received. Each run claims its `poll` first; the handler itself commits the
 * next run, delayed (backoff), as a new outbox row, and a failed sealing is retried that way (counted in `attempt`).
 * A failure before the claim (the database) is retried by the driver with the same payload; a run already claimed
 * is not repeated.
 */
export const pollRemoteSigningJob: JobDefinition<typeof payload> = {
  name: POLL_REMOTE_SIGNING_JOB,
  payload,
  handle: (ctx, { requestId, poll, attempt }) => pollRemoteSigning(ctx, requestId, poll, attempt ?? 0),
  retry: { attempts: 20, baseDelayMs: 2000, maxDelayMs: 30_000 },
};
