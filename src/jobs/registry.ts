import { AppError } from '../errors.js';
import { issueFormJobs } from './issue-form.js';
import { issueResultJob } from './issue-result.js';
import { notifyCitizenJob } from './notify-citizen.js';
import { slaSweepJob } from './sla-sweep.js';
import type { JobDefinition } from './types.js';

export const JOBS: Record<string, JobDefinition> = {
  [issueResultJob.name]: issueResultJob as unknown as JobDefinition,
  [notifyCitizenJob.name]: notifyCitizenJob as unknown as JobDefinition,
  ...Object.fromEntries(issueFormJobs.map((job) => [job.name, job as unknown as JobDefinition])),
  [slaSweepJob.name]: slaSweepJob as unknown as JobDefinition,
};

export function jobNamed(name: string): JobDefinition {
  const job = JOBS[name];
  if (!job) throw new AppError('INTERNAL_ERROR', `unknown job ${name}`);
  return job;
}

/** Validates a payload at the boundary (outbox row → job), then runs the handler. */
export async function runJob(ctx: Parameters<JobDefinition['handle']>[0], name: string, payload: unknown): Promise<void> {
  const job = jobNamed(name);
  await job.handle(ctx, job.payload.parse(payload));
}
