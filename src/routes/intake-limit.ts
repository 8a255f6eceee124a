// The per-client flood guard on anonymous intake (POST /api/dossiers and the page form /thu-tuc/:id/nop):
// INTAKE_RATE_LIMIT filings per minute per client IP, counted by @fastify/rate-limit (in Redis when there is one, so
// every server copy shares it). The per-applicant limit (e-mail, phone) is the intake service's, in the database.
import type { RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';

const WINDOW_MS = 60_000;

/** 429 RATE_LIMITED with Retry-After, in words a citizen understands. */
export function intakeRateLimited(retryAfterSeconds: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  const error = new AppError('RATE_LIMITED', `Thiết bị hoặc mạng của bạn đã gửi quá nhiều hồ sơ trong một phút. Vui lòng thử lại sau ${seconds} giây.`);
  error.retryAfterSeconds = seconds;
  return error;
}

/** The route option of POST /api/dossiers (checked on request, before the body is read); none when the limit is 0. */
export function intakeRouteLimit(ctx: AppContext): { rateLimit?: RateLimitOptions } {
  const max = ctx.config.intake.ratePerMinute;
  if (max <= 0) return {};
  return {
    rateLimit: { max, timeWindow: WINDOW_MS, errorResponseBuilder: (_request, context) => intakeRateLimited(context.ttl / 1000) },
  };
}

/**
 * The same limit for a page handler, which answers a refusal itself (the form again, or JSON for its upload script):
 * resolves to the refusal, or undefined when the filing may go on.
 */
export function intakePageLimiter(app: FastifyInstance, ctx: AppContext): (request: FastifyRequest) => Promise<AppError | undefined> {
  const max = ctx.config.intake.ratePerMinute;
  if (max <= 0) return async () => undefined;
  const limiter = app.createRateLimit({ max, timeWindow: WINDOW_MS, keyGenerator: (request) => `intake-page|${request.ip}` });
  return async (request) => {
    const outcome = await limiter(request);
    return !outcome.isAllowed && outcome.isExceeded ? intakeRateLimited(outcome.ttlInSeconds) : undefined;
  };
}
