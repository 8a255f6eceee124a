import { z } from 'zod';
import { pollRemoteSigning, POLL_REMOTE_SIGNING_JOB } from '../services/results/remote-signing.js';
import type { JobDefinition } from './types.js';

const payload = z.object({ requestId: z.uuid(), poll: z.number().int().min(0) });

/**
 * Remote signing: one look at the provider's transaction (services/results/remote-signing.ts). Still pending, or the
 * provider away: the handler itself commits the next poll, delayed (backoff), as a new outbox row. A failure here
 * (the database) is retried by the driver with the same payload; a poll already counted is not repeated.
 */
export const pollRemoteSigningJob: JobDefinition<typeof payload> = {
  name: POLL_REMOTE_SIGNING_JOB,
  payload,
  handle: (ctx, { requestId, poll }) => pollRemoteSigning(ctx, requestId, poll),
  retry: { attempts: 20, baseDelayMs: 2000, maxDelayMs: 30_000 },
};
