// The job table, derived: one job per job effect of the registry (effects/index.ts), keyed by the effect's name
// (perform-action writes outbox rows under that name), plus the jobs the system runs on its own.
import { EFFECTS } from '../effects/index.js';
import { ZodError } from 'zod';
import { AppError } from '../errors.js';
import { applyAdmissionRunJob } from './apply-admission-run.js';
import { assignAdmissionsJob } from './assign-admissions.js';
import { issuePaymentReceiptJob } from './issue-payment-receipt.js';
import { notifyCitizenJob } from './notify-citizen.js';
import { notifyFeedbackJob } from './notify-feedback.js';
import { notifyMessageJob } from './notify-message.js';
import { pollRemoteSigningJob } from './poll-remote-signing.js';
import { slaSweepJob } from './sla-sweep.js';
import { syncNationalPortalJob } from './sync-national-portal.js';
import type { JobDefinition } from './types.js';

/**
 * Jobs no workflow names: the citizen's notification on every status change and on every message from the office, the
 * filer's e-mails about feedback and complaints, the repeatable SLA sweep, remote-signing polls, the sync of a dossier's
 * steps to the national portal, the admission assignment and the application of its published run to the dossiers.
 */
const SYSTEM_JOBS: JobDefinition[] = [
  notifyCitizenJob as unknown as JobDefinition, notifyFeedbackJob as unknown as JobDefinition, notifyMessageJob as unknown as JobDefinition, slaSweepJob as unknown as JobDefinition, pollRemoteSigningJob as unknown as JobDefinition,
  issuePaymentReceiptJob as unknown as JobDefinition,
  syncNationalPortalJob as unknown as JobDefinition,
  assignAdmissionsJob as unknown as JobDefinition,
  applyAdmissionRunJob as unknown as JobDefinition,
];

export const JOBS: Readonly<Record<string, JobDefinition>> = Object.freeze({
  ...Object.fromEntries(Object.entries(EFFECTS).flatMap(([name, effect]) => (effect.kind === 'job' ? [[name, effect.job]] : []))),
  ...Object.fromEntries(SYSTEM_JOBS.map((job) => [job.name, job])),
});

export function isKnownJob(name: string): boolean {
  return Object.hasOwn(JOBS, name);
}

export function jobNamed(name: string): JobDefinition {
  const job = Object.hasOwn(JOBS, name) ? JOBS[name] : undefined;
  if (!job) throw new AppError('INTERNAL_ERROR', `unknown job ${name}`);
  return job;
}

/** Validates a payload at the boundary (outbox row → job), then runs the handler. */
export async function runJob(ctx: Parameters<JobDefinition['handle']>[0], name: string, payload: unknown): Promise<void> {
  const job = jobNamed(name);
  await job.handle(ctx, job.payload.parse(payload));
}

/** Refusals a later try can get past: a conflict, or a signing key (expired, revoked) an administrator is to replace. */
const RETRIED_CODES: ReadonlySet<string> = new Set(['STALE_VERSION', 'SIGNING_KEY_EXPIRED', 'SIGNING_CERTIFICATE_REVOKED']);

/**
 * A failure no retry can mend: a payload that does not parse, or a refusal by the rules (a 4xx code, e.g. the
 * dossier is gone or moved on). A conflict (STALE_VERSION), an expired signing key, or anything else is retried.
 */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof ZodError) return true;
  return error instanceof AppError && error.statusCode >= 400 && error.statusCode < 500 && !RETRIED_CODES.has(error.code);
}
